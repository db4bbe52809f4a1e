// Issue 25 on real web apps: a Flask app whose Jinja templates coverage.py measures, and a Django
// app with and without django_coverage_plugin, each under gunicorn with workers recycled by
// --max-requests and the agent on. Templates never fail the harvest; the project's own coverage
// config (each of coverage.py's four file kinds) is the base of every report; and every report,
// and the summary's total, equal what coverage.py's own commands give on the same combined data.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type Engine, type ServiceContainer } from '../support/engine.js';
import { images, imagesDir } from '../support/images.js';
import { annotations, makeWorkspace, runAction, type ActionRun } from '../support/run-action.js';

const execFileAsync = promisify(execFile);
const KINDS = ['.coveragerc', 'setup.cfg', 'tox.ini', 'pyproject.toml'] as const;
type Kind = (typeof KINDS)[number];

/** The project's settings of issue 25's check: `exclude_also`, `omit`, `precision`. */
function projectConfig(kind: Kind, extra: Record<string, string> = {}): string {
  const run = { relative_files: 'true', ...extra };
  const report = { exclude_also: 'def internal_error', omit: 'app/cli.py', precision: '2' };
  if (kind === 'pyproject.toml') {
    const value = (v: string) => (/^(true|false|\d+)$/.test(v) ? v : JSON.stringify(v));
    const table = (name: string, options: Record<string, string>) =>
      [`[tool.coverage.${name}]`, ...Object.entries(options).map(([k, v]) => `${k} = ${value(v)}`)]
        .join('\n')
        .replace(/^(exclude_also|omit) = (".*")$/gm, '$1 = [$2]');
    return `[project]\nname = "app"\n\n${table('run', run)}\n\n${table('report', report)}\n`;
  }
  const prefix = kind === '.coveragerc' ? '' : 'coverage:';
  const section = (name: string, options: Record<string, string>) =>
    [`[${prefix}${name}]`, ...Object.entries(options).map(([k, v]) => `${k} = ${v}`)].join('\n');
  const head = kind === '.coveragerc' ? '' : '[metadata]\nname = app\n\n';
  return `${head}${section('run', run)}\n\n${section('report', report)}\n`;
}

/** A checkout of a test app: its sources without the image's boot script and service config. */
function checkout(app: 'flask' | 'django', files: Record<string, string> = {}, under = '.') {
  return makeWorkspace((ws) => {
    const root = join(ws, under);
    mkdirSync(root, { recursive: true });
    cpSync(join(imagesDir, app), root, { recursive: true });
    for (const name of ['boot.sh', 'coveragerc', 'coveragerc-plugin'])
      rmSync(join(root, name), { force: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(ws, name), text);
  });
}

/** Report text without what differs from one run to the next (creation times). */
function timeless(text: string): string {
  return text
    .replace(/ timestamp="\d+"/g, '')
    .replace(/"timestamp": "[^"]*"/g, '')
    .replace(/created at [^<"]*/g, '');
}

interface Reference {
  /** `coverage report`'s TOTAL percentage. */
  readonly total: string;
  readonly dir: string;
}

/**
 * coverage.py's own commands in `image`, run as a user runs them in the checkout (`workdir`) on
 * the action's combined data: the project's config as coverage.py finds it, or `rcfile`.
 */
async function coverageCli(
  engine: Engine,
  image: string,
  run: ActionRun,
  options: { workdir?: string; rcfile?: string; morfs?: readonly string[] } = {},
): Promise<Reference> {
  const workdir = join(run.workspace, options.workdir ?? '.');
  const dir = join(run.workspace, 'cli');
  mkdirSync(dir, { recursive: true });
  const rc = options.rcfile === undefined ? '' : `--rcfile=${options.rcfile}`;
  const data = `--data-file=${join(run.workspace, 'coverage-harvest/.coverage')}`;
  const morfs = (options.morfs ?? []).join(' ');
  // The service images set the agent and their own rc file; a user's shell has neither.
  const cov = `env -u COVERAGE_RCFILE PYCOV_HARVEST=0 python3 -m coverage`;
  const script = [
    'set -e',
    `${cov} lcov ${rc} ${data} -q -o ${dir}/coverage.lcov ${morfs}`,
    `${cov} xml ${rc} ${data} -q -o ${dir}/coverage.xml ${morfs}`,
    `${cov} json ${rc} ${data} -q -o ${dir}/coverage.json ${morfs}`,
    `${cov} html ${rc} ${data} -q -d ${dir}/htmlcov ${morfs}`,
    `${cov} report ${rc} ${data} ${morfs}`,
  ].join('\n');
  const { stdout } = await execFileAsync(
    engine.command,
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--user',
      '0:0',
      '-v',
      `${run.workspace}:${run.workspace}`,
    ].concat(['-w', workdir, '--entrypoint', 'bash', image, '-c', script]),
    { env: engine.processEnv, maxBuffer: 16 * 1024 * 1024 },
  );
  const total = /^TOTAL\b.*?(\d+(?:\.\d+)?)%\s*$/m.exec(stdout)?.[1];
  if (total === undefined) throw new Error(`no TOTAL line in coverage report:\n${stdout}`);
  return { total, dir };
}

/** Our reports equal coverage.py's (lcov byte for byte; XML, JSON, HTML pages without times). */
function expectSameReports(run: ActionRun, reference: Reference): void {
  const ours = join(run.workspace, 'coverage-harvest');
  const read = (dir: string, file: string) => timeless(readFileSync(join(dir, file), 'utf8'));
  for (const file of ['coverage.lcov', 'coverage.xml', 'coverage.json'])
    expect(read(ours, file), file).toBe(read(reference.dir, file));
  const pages = readdirSync(join(reference.dir, 'htmlcov')).filter((f) => f.endsWith('.html'));
  expect(pages.length).toBeGreaterThan(3);
  for (const page of pages)
    expect(read(join(ours, 'htmlcov'), page), page).toBe(
      read(join(reference.dir, 'htmlcov'), page),
    );
  const json = JSON.parse(readFileSync(join(ours, 'coverage.json'), 'utf8')) as {
    totals: { percent_covered_display: string };
  };
  expect(json.totals.percent_covered_display).toBe(reference.total);
  expect(run.summary).toContain(`gives it with the project's settings: ${reference.total}%.`);
}

function explain(run: ActionRun): string {
  return `exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`;
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  /** Starts the app's image, drives every route 20 times (every worker recycled); its selector. */
  async function serve(image: string, app: 'flask' | 'django'): Promise<string> {
    const label = { 'pycov-e2e-webapp': `${process.pid}-${app}-${started.length}` };
    const service = await engine.startService({
      mode: 'agent',
      labels: label,
      image,
      containerPort: 8000,
    });
    started.push(service);
    const drive = join(imagesDir, 'webapp/drive.py');
    await execFileAsync('python3', [drive, app, String(service.port), '20'], { timeout: 240_000 });
    const booted = (await engine.logs(service.id)).match(/Booting worker/g)?.length ?? 0;
    expect(booted, 'gunicorn workers booted (3, then recycled by --max-requests)').toBeGreaterThan(
      3,
    );
    return `pycov-e2e-webapp=${label['pycov-e2e-webapp']}`;
  }

  const harvest = (selector: string, place: ReturnType<typeof makeWorkspace>, inputs = {}) =>
    runAction(
      {
        target: 'docker',
        selector,
        ...engine.inputs,
        'coverage-image': images.coverage,
        'path-map': '/app=.',
        formats: 'lcov,xml,json,html',
        upload: 'false',
        ...inputs,
      },
      place,
      engine.env,
    );

  describe('Flask with Jinja templates in its package', () => {
    let selector = '';
    beforeAll(async () => {
      selector = await serve(images.flask, 'flask');
    }, 300_000);

    it('templates never fail the harvest, and the reports are coverage.py’s own', async () => {
      const place = checkout('flask');
      const run = await harvest(selector, place);
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.stdout).toContain(
        'coverage config: no coverage config file (.coveragerc, setup.cfg, tox.ini, pyproject.toml: none has coverage settings); the harvest overrides: [run] relative_files = true',
      );
      expect(run.stdout).toMatch(
        /\d+ measured file\(s\) are not Python \(app\/templates\/[^)]*\): left out, as coverage\.py does/,
      );
      expect(annotations(run.stdout, 'warning')).toEqual([]);
      writeFileSync(join(place.workspace, 'relative.rc'), '[run]\nrelative_files = true\n');
      expectSameReports(
        run,
        await coverageCli(engine, images.coverage, run, { rcfile: 'relative.rc' }),
      );
    });

    it.each(KINDS)('the project config in %s is the base of every report', async (kind) => {
      const place = checkout('flask', { [kind]: projectConfig(kind) });
      const run = await harvest(selector, place);
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.stdout).toContain(`coverage config: ${kind}; the harvest overrides: nothing`);
      const lcov = readFileSync(join(place.workspace, 'coverage-harvest/coverage.lcov'), 'utf8');
      expect(lcov).toContain('SF:app/errors/handlers.py');
      expect(lcov).not.toContain('SF:app/cli.py');
      const reference = await coverageCli(engine, images.coverage, run);
      expect(reference.total).toMatch(/^\d+\.\d\d$/);
      expectSameReports(run, reference);
    });

    it('a setting coverage.py rejects is named with its file; a monorepo names its own config', async () => {
      const bad = checkout('flask', {
        'setup.cfg': '[coverage:run]\nbranch = maybe\n',
      });
      const rejected = await harvest(selector, bad);
      expect(rejected.exitCode).toBe(1);
      expect(annotations(rejected.stdout, 'error')[0]).toMatch(
        /^coverage\.py \S+ rejects `\[run\] branch` in the project's coverage config setup\.cfg \(.*maybe.*\); fix it there, or name another file with `coverage-config`$/,
      );

      const mono = checkout('flask', {}, 'services/api');
      writeFileSync(join(mono.workspace, 'services/api/cov.ini'), projectConfig('.coveragerc'));
      const run = await harvest(selector, mono, {
        'path-map': '/app=services/api',
        'working-directory': 'services/api',
        'coverage-config': 'services/api/cov.ini',
      });
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.stdout).toContain('coverage config: cov.ini; the harvest overrides: nothing');
      const reference = await coverageCli(engine, images.coverage, run, {
        workdir: 'services/api',
        rcfile: 'cov.ini',
      });
      expectSameReports(run, reference);
      expect(
        readFileSync(join(mono.workspace, 'coverage-harvest/coverage.lcov'), 'utf8'),
      ).toContain('SF:app/main/routes.py');
    });
  });

  describe('Django with templates', () => {
    it('without django_coverage_plugin: the reports are coverage.py’s own', async () => {
      const selector = await serve(images.django, 'django');
      const place = checkout('django', { '.coveragerc': '[run]\nrelative_files = true\n' });
      const run = await harvest(selector, place);
      expect(run.exitCode, explain(run)).toBe(0);
      expectSameReports(run, await coverageCli(engine, images.coverage, run));
    });

    it('with django_coverage_plugin: left out in an image without it (said once), reported in the service image', async () => {
      const selector = await serve(images.djangoPlugin, 'django');
      const config = '[run]\nrelative_files = true\nplugins = django_coverage_plugin\n';
      const without = checkout('django', { '.coveragerc': config });
      const lacking = await harvest(selector, without);
      expect(lacking.exitCode, explain(lacking)).toBe(0);
      expect(annotations(lacking.stdout, 'warning')).toContain(
        `the coverage plugin django_coverage_plugin named in .coveragerc cannot be imported in the conversion image ${images.coverage}, so the reports leave out the files it measured; set \`coverage-image\` to an image that has it installed (the service's image has)`,
      );
      const orphans =
        /(\d+) measured file\(s\) need a plugin this image lacks \(notes\/templates\//.exec(
          lacking.stdout,
        );
      expect(orphans?.[1], lacking.stdout).toBeDefined();
      const lcov = readFileSync(join(without.workspace, 'coverage-harvest/coverage.lcov'), 'utf8');
      expect(lcov).not.toContain('.html');
      expect(lcov).toContain('SF:notes/views.py');

      const withPlugin = checkout('django', { '.coveragerc': config });
      const run = await harvest(selector, withPlugin, { 'coverage-image': images.djangoPlugin });
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.stdout).toContain('coverage config: .coveragerc; the harvest overrides: nothing');
      const reference = await coverageCli(engine, images.djangoPlugin, run);
      expectSameReports(run, reference);
      const reported = readFileSync(
        join(withPlugin.workspace, 'coverage-harvest/coverage.lcov'),
        'utf8',
      );
      expect(reported).toContain('SF:notes/templates/notes/');
    });
  });
});
