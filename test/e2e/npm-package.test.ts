// The CLI as users outside GitHub get it: `npm pack`'s tarball installed into a fresh directory,
// then `npx pycov-harvest harvest` against a real service container, with no GitHub variable in
// its environment. The printed total, outputs.json and coverage.py's JSON report must agree.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, httpGet, type ServiceContainer } from '../support/engine.js';
import { appSourceDir, images, repoRoot } from '../support/images.js';

const execFileAsync = promisify(execFile);
/** A harvest of one container and a conversion on 2 shared cores; a warm one takes ~10 s. */
const HARVEST_TIMEOUT_MS = 180_000;

/** The environment of a CI that is not GitHub's: no GITHUB_* or RUNNER_* or ACTIONS_* variable. */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(GITHUB|RUNNER|ACTIONS)_/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const engine = engines[0];

describe.runIf(engine !== undefined)('the npm package', () => {
  if (engine === undefined) return;
  const started: ServiceContainer[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'pycov-npm-'));
  // A user's repository: the package installed into it, the service's sources checked out in it.
  const workspace = join(scratch, 'repo');
  const label = `pycov-e2e-npm=${process.pid}`;

  const cli = async (...args: string[]): Promise<Run> => {
    try {
      const { stdout, stderr } = await execFileAsync(
        'npx',
        ['--no-install', 'pycov-harvest', ...args],
        {
          cwd: workspace,
          env: plainEnv(engine.env),
          timeout: HARVEST_TIMEOUT_MS,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const harvestArgs = [
    'harvest',
    ...['--target', 'docker', '--selector', label, '--docker-command', engine.command],
    ...['--coverage-image', images.coverage, '--path-map', '/app=.', '--formats', 'json'],
    ...['--formats', 'xml'],
  ];

  beforeAll(async () => {
    await engine.require();
    execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: repoRoot });
    const tarball = join(scratch, `pycov-harvest-${readPackageVersion()}.tgz`);
    execFileSync('npm', ['init', '-y'], { cwd: mkdir(workspace), stdio: 'ignore' });
    const installed = execFileSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', tarball],
      { cwd: workspace, encoding: 'utf8' },
    );
    // The bundle carries everything it runs: the package has no dependencies to fetch.
    expect(installed).toMatch(/added 1 package/);
    cpSync(appSourceDir, join(workspace, 'src'), { recursive: true });
    const service = await engine.startService({
      mode: 'agent',
      labels: { 'pycov-e2e-npm': String(process.pid) },
      env: { UVICORN_WORKERS: '2' },
    });
    started.push(service);
    for (const path of ['/items/2', '/items/3', '/divide?a=1&b=4'])
      expect((await httpGet(service.port, path)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await engine.removeContainers(started);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('harvests a container: the printed total, outputs.json and coverage.json agree', async () => {
    const run = await cli(...harvestArgs);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const out = join(workspace, 'coverage-harvest');
    const coverage = JSON.parse(readFileSync(join(out, 'coverage.json'), 'utf8')) as {
      totals: { covered_lines: number; num_statements: number };
      files: Record<string, unknown>;
    };
    const { covered_lines: covered, num_statements: statements } = coverage.totals;
    const percent = ((100 * covered) / statements).toFixed(2);
    expect(run.stdout).toContain(
      `total line coverage ${percent}% (${covered} of ${statements} lines in ${Object.keys(coverage.files).length} files)`,
    );
    expect(Object.keys(coverage.files)).toContain('src/calc.py');
    const outputs = JSON.parse(readFileSync(join(out, 'outputs.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(outputs.percent).toBe(percent);
    expect(outputs['xml-file']).toBe('coverage-harvest/coverage.xml');
    expect(outputs.targets).toEqual([
      expect.objectContaining({ method: 'http', files: expect.any(Number) as number }),
    ]);
    expect(readFileSync(join(out, 'coverage.xml'), 'utf8')).toContain('<coverage ');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('Python coverage');
    // The summary as terminal text: sections, not markup.
    expect(run.stdout).toMatch(/\nTargets\n {2}target +method/);
    expect(run.stdout).toMatch(
      /\nReports\n(?: {2}.*\n)* {2}json +coverage-harvest\/coverage\.json\n/,
    );
    expect(run.stdout).not.toContain('<table');
    expect(run.stdout).not.toContain('::');
  });

  it('exits 1 with the sentence when the total is below --fail-under', async () => {
    const run = await cli(...harvestArgs, '--fail-under', '100');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /pycov-harvest: total line coverage \d+\.\d\d% is below `fail-under` 100%; add tests/,
    );
    expect(run.stdout).toContain('Python coverage: the harvest failed');
  });

  it('exits 2 on a usage error, naming the closest option', async () => {
    const run = await cli(
      'harvest',
      '--target',
      'docker',
      '--selector',
      label,
      '--fial-under',
      '3',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option `--fial-under`; did you mean `--fail-under`?');
    const bad = await cli('harvest', '--target', 'docker', '--selector', label, '--formats', 'pdf');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('option `--formats` is `pdf`; use one of `lcov`, `xml`');
  });

  it('lists every input of action.yml in `harvest --help`', async () => {
    const run = await cli('harvest', '--help');
    expect(run.code).toBe(0);
    const action = load(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    for (const input of Object.keys(action.inputs)) expect(run.stdout).toContain(`--${input} `);
    for (const command of ['context', 'serve']) {
      const help = await cli(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: pycov-harvest ${command}`);
    }
  });
});

function readPackageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
}

function mkdir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
