// Never a false success, against real containers of the service image (on podman and on the
// Docker engine): the programs the action runs never start the agent; only the service's own code
// reaches the reports, mapped by leading prefix; data files that are not coverage data are named;
// a failed step still explains.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images, markerLine } from '../support/images.js';
import { engines, httpGet, type ServiceContainer } from '../support/engine.js';
import {
  annotations,
  makeWorkspace,
  parseLcov,
  runAction,
  type ActionRun,
} from '../support/run-action.js';
import { invocation } from '../../src/remote/programs.js';
import { explain } from '../support/harvest-results.js';

let counter = 0;

function labels(): Record<string, string> {
  return { 'pycov-e2e-trust': `${process.pid}-${++counter}` };
}

function selector(l: Record<string, string>): string {
  return Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  const images_: string[] = [];

  function harvest(
    l: Record<string, string>,
    place: { workspace: string; runnerTemp: string },
    extra: Record<string, string> = {},
  ): Promise<ActionRun> {
    return runAction(
      {
        target: 'docker',
        selector: selector(l),
        ...engine.inputs,
        'coverage-image': images.coverage,
        upload: 'false',
        ...extra,
      },
      place,
      engine.env,
    );
  }

  /** Everything in the container's data directory: registrations, acks, data files. */
  async function dataDirListing(id: string): Promise<string[]> {
    // PYCOV_HARVEST=0: this look must not start the agent itself.
    const out = await engine.cli(
      'exec',
      '-e',
      'PYCOV_HARVEST=0',
      id,
      'python3',
      '-c',
      "import os\nfor root, _, files in os.walk('/coverdata'):\n    for f in files: print(os.path.join(root, f))",
    );
    return out.split('\n').filter((line) => line !== '');
  }

  beforeAll(() => engine.require());
  afterAll(async () => {
    await engine.removeContainers(started);
    for (const image of images_) await engine.cli('rmi', '-f', image).catch(() => undefined);
  });

  describe('the programs the action runs never start the agent', () => {
    it('with the agent installed, PYCOV_HARVEST=1 in the container and the server under `coverage run`: no registration and no data file of their own, and the message says what to change', async () => {
      const l = labels();
      // The issue's case: the agent is installed and on, but `coverage run` keeps it out of the
      // server; the probe then asks the server's own interpreter for its versions.
      const service = await engine.startService({
        mode: 'save-signal',
        labels: l,
        env: { PYCOV_HARVEST: '1' },
      });
      started.push(service);
      expect((await httpGet(service.port, '/items/2')).status).toBe(200);
      const before = await dataDirListing(service.id);
      expect(before.filter((f) => f.includes('.pycov-harvest/proc-'))).toEqual([]);

      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      const run = await harvest(l, place, { 'path-map': '/app=.', methods: 'http,signal' });
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.stdout).toMatch(
        /http not confirmed in \d+ ms: PYCOV_HARVEST=1 is set, but pid \d+ runs under `coverage run`, which keeps the agent out; drop `coverage run` from the server's command \(the agent measures by itself\)/,
      );
      // The `token` program too.
      const token = invocation('python3', 'token', { data_dir: '/coverdata', port: 9797 });
      const answered = spawnSync(engine.command, ['exec', '-i', service.id, ...token.argv], {
        input: token.stdin,
        env: engine.processEnv,
      });
      expect(answered.status, answered.stderr.toString()).toBe(0);
      expect(answered.stdout.toString()).toContain('"event": "token"');
      const after = await dataDirListing(service.id);
      expect(after.filter((f) => f.includes('.pycov-harvest/proc-'))).toEqual([]);
      const dataFiles = after.filter((f) => /\/\.coverage/.test(f));
      // Only the server's own file(s), saved on the signal: one process, one file.
      expect(dataFiles).toHaveLength(1);
      const lcov = parseLcov(
        readFileSync(join(run.workspace, 'coverage-harvest/coverage.lcov'), 'utf8'),
      );
      expect([...lcov.keys()]).toEqual(expect.arrayContaining(['src/main.py']));
      expect([...lcov.keys()].every((f) => f.startsWith('src/'))).toBe(true);
    });
  });

  describe('only the service data reaches a report', () => {
    it('files measured outside the workspace are left out of every report and named once', async () => {
      const l = labels();
      // No `source`: coverage measures whatever runs, e.g. Debian's sitecustomize.
      const service = await engine.startService({
        mode: 'agent',
        labels: l,
        env: { COVERAGE_RCFILE: '/dev/null' },
      });
      started.push(service);
      expect((await httpGet(service.port, '/items/2')).status).toBe(200);
      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      const run = await harvest(l, place, { 'path-map': '/app=.', formats: 'lcov,xml,json,html' });
      expect(run.exitCode, explain(run)).toBe(0);
      const out = join(run.workspace, 'coverage-harvest');
      const lcov = parseLcov(readFileSync(join(out, 'coverage.lcov'), 'utf8'));
      expect([...lcov.keys()].sort()).toEqual(['src/__init__.py', 'src/calc.py', 'src/main.py']);
      const xml = readFileSync(join(out, 'coverage.xml'), 'utf8');
      expect(xml).not.toMatch(/filename="\//);
      const json = JSON.parse(readFileSync(join(out, 'coverage.json'), 'utf8')) as {
        files: Record<string, unknown>;
      };
      expect(Object.keys(json.files).sort()).toEqual([
        'src/__init__.py',
        'src/calc.py',
        'src/main.py',
      ]);
      expect(readFileSync(join(out, 'htmlcov/index.html'), 'utf8')).not.toContain('/opt/venv');
      const [warning, ...others] = annotations(run.stdout, 'warning').filter((w) =>
        w.includes('map to nothing in the workspace'),
      );
      expect(others).toEqual([]);
      expect(warning).toMatch(
        /^\d+ measured file\(s\) map to nothing in the workspace \(\/.+\), so the reports leave them out; if they are the service's own code, set `path-map`/,
      );
    });

    it('fastapi/full-stack-fastapi-template layout (/app/backend/app in the image, backend/app in the checkout): inferred, with `path-map: /app=.`, and with the service image as conversion image', async () => {
      const l = labels();
      // The sample app moved to /app/backend/app and served as `backend.app.main:app` from /app.
      const service = await engine.startService({
        mode: 'none',
        labels: l,
        user: '0',
        env: { PYCOV_HARVEST: '1', PYCOV_HARVEST_RCFILE: '/tmp/backend.rc' },
        command: [
          'bash',
          '-c',
          'mkdir -p /app/backend && cp -r /app/src /app/backend/app && printf "[run]\\nsource = /app/backend\\nbranch = true\\n" > /tmp/backend.rc && cd /app && exec python -m uvicorn backend.app.main:app --host 0.0.0.0 --port 8000',
        ],
      });
      started.push(service);
      expect((await httpGet(service.port, '/items/3')).status).toBe(200);
      const checkout = () =>
        makeWorkspace((ws) => {
          mkdirSync(join(ws, 'backend'), { recursive: true });
          cpSync(appSourceDir, join(ws, 'backend/app'), { recursive: true });
        });
      const odd = markerLine('main.py', 'items-odd');
      const expectBackend = (run: ActionRun) => {
        expect(run.exitCode, explain(run)).toBe(0);
        const lcov = parseLcov(
          readFileSync(join(run.workspace, 'coverage-harvest/coverage.lcov'), 'utf8'),
        );
        // legacy.py is never imported: `source` still reports it, at 0%.
        expect([...lcov.keys()].sort()).toEqual([
          'backend/app/__init__.py',
          'backend/app/calc.py',
          'backend/app/legacy.py',
          'backend/app/main.py',
        ]);
        expect(lcov.get('backend/app/main.py')?.get(odd)).toBeGreaterThan(0);
      };

      // `/app/` occurs twice in /app/backend/app/main.py: only the leading one may be mapped.
      const inferred = await harvest(l, checkout());
      expectBackend(inferred);
      expect(inferred.stdout).toContain('`path-map` not set: mapped /app/ onto the workspace');

      expectBackend(await harvest(l, checkout(), { 'path-map': '/app=.' }));

      // The conversion image holds the same paths (the service image reused, no registry): the
      // mapping is decided against the workspace, never the conversion container's own files.
      const image = `localhost/pycov-harvest/e2e-template-${process.pid}:1`;
      await engine.cli('commit', service.id, image);
      images_.push(image);
      expectBackend(await harvest(l, checkout(), { 'coverage-image': image }));
    });
  });

  describe('data files the action cannot use', () => {
    it('a file with a data-file name that is not SQLite is named with its size and left behind', async () => {
      const l = labels();
      const service = await engine.startService({ mode: 'agent', labels: l });
      started.push(service);
      expect((await httpGet(service.port, '/items/2')).status).toBe(200);
      await engine.cli(
        'exec',
        service.id,
        'python3',
        '-c',
        "open('/coverdata/.coverage.bogus', 'w').write('not a database')",
      );
      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      const run = await harvest(l, place, { 'path-map': '/app=.' });
      expect(run.exitCode, explain(run)).toBe(0);
      expect(annotations(run.stdout, 'warning')).toContainEqual(
        `container ${service.name}: data file ".coverage.bogus" (14 bytes) was not copied: not an SQLite database (no SQLite header)`,
      );
    });
  });

  describe('a failed step still tells the reader why', () => {
    it('the summary has the error, the targets and every method tried', async () => {
      const l = labels();
      const service = await engine.startService({ mode: 'none', labels: l });
      started.push(service);
      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      const run = await harvest(l, place, { methods: 'http,signal,sigterm' });
      expect(run.exitCode).toBe(1);
      expect(run.summary).toContain('Python coverage: the harvest failed');
      expect(run.summary).toContain(`container ${service.name}`);
      expect(run.summary).toMatch(/http not confirmed in [^:]+: no agent registered/);
      expect(run.summary).toMatch(/signal not confirmed/);
      expect(run.summary).toMatch(
        /sigterm not confirmed in [^:]+: nothing in the target would save on SIGTERM/,
      );
      // Nothing could save, so the service was not stopped.
      expect((await httpGet(service.port, '/health')).status).toBe(200);
    });
  });
});
