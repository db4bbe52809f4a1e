// The Go client of `serve` (clients/go) as our first users would run it: a real Ginkgo v2 suite
// (clients/go/example, Ginkgo and Gomega from the Go module proxy) switches the context per spec
// through a `serve` the client starts itself, against a real service container; the harvest then
// shows each spec's lines under its own name, as coverage.py's own report does.
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type ServiceContainer } from '../support/engine.js';
import { harvestAndCompare } from '../support/harness-check.js';
import { repoRoot } from '../support/images.js';

const execFileAsync = promisify(execFile);
const clientDir = join(repoRoot, 'clients/go');
const cache = process.env.PYCOV_HARVEST_CACHE ?? join(homedir(), '.cache/pycov-harvest');
/** Go as .ci/run finds it, with the module cache it fills (Ginkgo and Gomega) kept between runs. */
const goEnv = {
  PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}`,
  GOMODCACHE: process.env.GOMODCACHE ?? join(cache, 'go/mod'),
  // The cache's files writable, so that clearing ~/.cache/pycov-harvest works with plain `rm -rf`.
  GOFLAGS: '-modcacherw',
};
/** A cold module download and build of Ginkgo on 2 shared cores; a warm run takes seconds. */
const GO_TIMEOUT_MS = 600_000;

async function go(dir: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  try {
    const { stdout, stderr } = await execFileAsync('go', args, {
      cwd: dir,
      env: { ...process.env, ...goEnv, ...env },
      timeout: GO_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

// The harness, not the engine, is under test here: the first engine is enough.
const engine = engines[0];

describe.runIf(engine !== undefined)('a Ginkgo suite through the Go client', () => {
  if (engine === undefined) return;
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  it("the client's own tests pass (answers, errors, a bounded start, stop)", async () => {
    const run = await go(clientDir, {}, 'test', '-count=1', './...');
    expect(run.code, run.output).toBe(0);
  });

  it('each spec lands under its own full text; the figures equal coverage.py --show-contexts', async () => {
    const tag = `${process.pid}-go`;
    const service = await engine.startService({
      mode: 'agent',
      labels: { 'pycov-e2e-harness': tag },
      env: { UVICORN_WORKERS: '2' },
    });
    started.push(service);
    const suite = await go(
      join(clientDir, 'example'),
      {
        ...engine.env,
        PYCOV_HARVEST_CLI: join(repoRoot, 'dist/cli.js'),
        PYCOV_HARVEST_SERVE_ARGS: `--target docker --docker-command ${engine.command} --selector pycov-e2e-harness=${tag}`,
        SERVICE_URL: `http://127.0.0.1:${service.port}`,
      },
      'test',
      '-count=1',
      '-v',
      './...',
    );
    expect(suite.code, suite.output).toBe(0);
    expect(suite.output).toContain('Ran 3 of 3 Specs');
    // serve's own lines: every switch confirmed by both uvicorn workers (and their parent).
    expect(suite.output).toMatch(/context "items calls 2 even" in [2-9] process\(es\)/);

    const harvest = await harvestAndCompare(engine, `pycov-e2e-harness=${tag}`);
    expect([...harvest.expected.keys()].sort()).toEqual([
      '',
      'divide refuses a zero divisor',
      'items calls 2 even',
      'items calls 3 odd',
    ]);
    expect(harvest.contextsAt('main.py', 'items-even')).toEqual(['items calls 2 even']);
    expect(harvest.contextsAt('main.py', 'items-odd')).toEqual(['items calls 3 odd']);
    expect(harvest.contextsAt('main.py', 'divide-by-zero')).toEqual([
      'divide refuses a zero divisor',
    ]);
    expect(harvest.contextsAt('calc.py', 'calc-zero')).toEqual(['divide refuses a zero divisor']);
  });
});
