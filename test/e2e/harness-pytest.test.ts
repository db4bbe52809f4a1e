// The pytest plugin (clients/pytest), pip-installed from its folder into a fresh venv as a user
// would install it, run by a real pytest suite that calls the service with `requests`: through the
// `pytest11` entry point it starts `serve` and switches per test node id; the harvest then shows
// each test's lines under its node id, as coverage.py's own report does.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type ServiceContainer } from '../support/engine.js';
import { harvestAndCompare } from '../support/harness-check.js';
import { repoRoot } from '../support/images.js';

const execFileAsync = promisify(execFile);
const pluginDir = join(repoRoot, 'clients/pytest');
const cache = process.env.PYCOV_HARVEST_CACHE ?? join(homedir(), '.cache/pycov-harvest');
/** What the suite needs beside the plugin, pinned. */
const REQUIREMENTS = ['pytest==9.2.0', 'requests==2.34.2'];
/** A cold venv downloads pytest and requests and builds the plugin's wheel. */
const INSTALL_TIMEOUT_MS = 300_000;
const SUITE_TIMEOUT_MS = 300_000;

async function run(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(argv[0] ?? '', argv.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: SUITE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The plugin's files, so that a change to it makes a new venv. */
function pluginKey(python: string): string {
  const hash = createHash('sha256').update(python).update(REQUIREMENTS.join('\n'));
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name === '__pycache__') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  visit(join(pluginDir, 'src'));
  hash.update(readFileSync(join(pluginDir, 'pyproject.toml')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A venv with the plugin installed from its folder (not editable), cached by its sources; built
 * under another name and renamed, so its scripts' shebangs are stale: run `python -m pytest`.
 */
async function pluginVenv(): Promise<string> {
  const pyenv = join(
    process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'),
    'versions/3.12.1/bin/python',
  );
  const python = existsSync(pyenv) ? pyenv : 'python3';
  const venv = join(cache, 'venvs', `harness-pytest-${pluginKey(python)}`);
  if (existsSync(join(venv, '.ready'))) return venv;
  const building = `${venv}.tmp-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const steps = [
    [python, '-m', 'venv', building],
    [
      join(building, 'bin/pip'),
      'install',
      '-q',
      '--disable-pip-version-check',
      ...REQUIREMENTS,
      pluginDir,
    ],
  ];
  for (const step of steps) {
    const done = await run(step);
    expect(done.code, done.output).toBe(0);
  }
  writeFileSync(join(building, '.ready'), '');
  if (existsSync(join(venv, '.ready'))) rmSync(building, { recursive: true, force: true });
  else {
    rmSync(venv, { recursive: true, force: true }); // half-built by a run that was killed
    renameSync(building, venv);
  }
  return venv;
}

// The harness, not the engine, is under test here: the first engine is enough.
const engine = engines[0];

describe.runIf(engine !== undefined)('a pytest suite through the plugin', () => {
  if (engine === undefined) return;
  const started: ServiceContainer[] = [];
  let venv = '';
  beforeAll(async () => {
    await engine.require();
    venv = await pluginVenv();
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => engine.removeContainers(started));

  it("the plugin's own tests pass (order of switches, errors, off without options)", async () => {
    const own = await run(
      [join(venv, 'bin/python'), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'],
      {
        cwd: pluginDir,
      },
    );
    expect(own.code, own.output).toBe(0);
  });

  it('each test lands under its node id; the figures equal coverage.py --show-contexts', async () => {
    const tag = `${process.pid}-pytest`;
    const service = await engine.startService({
      mode: 'agent',
      labels: { 'pycov-e2e-harness': tag },
      env: { UVICORN_WORKERS: '2' },
    });
    started.push(service);
    const example = join(pluginDir, 'example');
    const suite = await run(
      [
        join(venv, 'bin/python'),
        '-m',
        'pytest',
        '-v',
        '-p',
        'no:cacheprovider',
        '--rootdir',
        example,
        example,
      ],
      {
        cwd: example,
        env: {
          ...engine.env,
          PYCOV_HARVEST_CLI: join(repoRoot, 'dist/cli.js'),
          PYCOV_HARVEST_SERVE_ARGS: `--target docker --docker-command ${engine.command} --selector pycov-e2e-harness=${tag}`,
          SERVICE_URL: `http://127.0.0.1:${service.port}`,
        },
      },
    );
    expect(suite.code, suite.output).toBe(0);
    expect(suite.output).toMatch(/3 passed/);
    expect(suite.output).toMatch(/plugins: .*pycov-harvest/); // loaded from the entry point
    expect(suite.output).toMatch(
      /pycov-harvest: 6 switch\(es\), each confirmed by every process of every target \(container \S+: [2-9] process\(es\)\)/,
    );

    const harvest = await harvestAndCompare(engine, `pycov-e2e-harness=${tag}`);
    expect([...harvest.expected.keys()].sort()).toEqual([
      '',
      'test_items.py::TestDivide::test_refuses_zero',
      'test_items.py::test_even',
      'test_items.py::test_odd',
    ]);
    expect(harvest.contextsAt('main.py', 'items-even')).toEqual(['test_items.py::test_even']);
    expect(harvest.contextsAt('main.py', 'items-odd')).toEqual(['test_items.py::test_odd']);
    expect(harvest.contextsAt('calc.py', 'calc-zero')).toEqual([
      'test_items.py::TestDivide::test_refuses_zero',
    ]);
  });
});
