// Failures of the bundled action against real podman: each one sentence with cause and fix.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images } from '../support/images.js';
import {
  httpGet,
  openStream,
  removeContainers,
  requirePodman,
  startPlain,
  startService,
  type ServiceContainer,
} from '../support/podman.js';
import { annotations, makeWorkspace, runAction } from '../support/run-action.js';

const SMOKE_IMAGE = 'localhost/pycov-harvest/smoke:busybox';
const started: ServiceContainer[] = [];

function base(selector: string): Record<string, string> {
  return {
    target: 'docker',
    selector,
    'docker-command': 'podman',
    'coverage-image': images.coverage,
    upload: 'false',
    summary: 'false',
  };
}

function place() {
  return makeWorkspace((workspace) =>
    cpSync(appSourceDir, join(workspace, 'src'), { recursive: true }),
  );
}

beforeAll(requirePodman);
afterAll(() => removeContainers(started));

describe('docker target failures', () => {
  it('no containers match: the step fails naming the selector', async () => {
    const run = await runAction(base(`pycov-e2e-none=${process.pid}`), place());
    expect(run.exitCode).toBe(1);
    expect(annotations(run.stdout, 'error')).toEqual([
      `no running containers with label pycov-e2e-none=${process.pid} (\`podman ps\`) found; check \`selector\` and that the services run on this runner`,
    ]);
  });

  it('no containers match with if-no-targets: warn: a warning and success', async () => {
    const run = await runAction(
      { ...base(`pycov-e2e-none=${process.pid}`), 'if-no-targets': 'warn' },
      place(),
    );
    expect(run.exitCode).toBe(0);
    expect(annotations(run.stdout, 'warning')[0]).toContain('no running containers with label');
    expect(run.outputs.targets).toBe('[]');
  });

  it('a container without Python: the step fails saying so', async () => {
    const labels = { 'pycov-e2e-nopython': String(process.pid) };
    started.push(await startPlain(SMOKE_IMAGE, ['sleep', '600'], labels));
    const run = await runAction(base(`pycov-e2e-nopython=${process.pid}`), place());
    expect(run.exitCode).toBe(1);
    const [error] = annotations(run.stdout, 'error');
    expect(error).toMatch(
      /^container pycov-e2e-\S+ has no Python interpreter on PATH and no agent registration names one \(python3: not found, python: not found\); .*put python3 on the image's PATH$/,
    );
  });

  it('a service without coverage: no data found', async () => {
    const labels = { 'pycov-e2e-nocov': String(process.pid) };
    const service = await startService({ mode: 'none', labels });
    started.push(service);
    const run = await runAction(
      { ...base(`pycov-e2e-nocov=${process.pid}`), methods: 'http,signal' },
      place(),
    );
    expect(run.exitCode).toBe(1);
    expect(annotations(run.stdout, 'error')).toEqual([
      'no coverage data found in /coverdata of 1 target(s) (last flush attempt: signal: no agent process with a save signal and no `coverage run --save-signal` process); check `data-dir` and that the services run with the agent (PYCOV_HARVEST=1) or under `coverage run`',
    ]);
    expect((await httpGet(service.port, '/health')).status).toBe(200);
  });

  it('sigterm against uvicorn without a graceful-shutdown timeout and an open stream: warning, reason, no data', async () => {
    const labels = { 'pycov-e2e-hang': String(process.pid) };
    // The first users' setup: plain `coverage run` with sigterm = true, no graceful timeout.
    const service = await startService({
      mode: 'none',
      labels,
      command: [
        'python',
        '-m',
        'coverage',
        'run',
        '--rcfile=/app/.coveragerc-sigterm',
        '-m',
        'uvicorn',
        'src.main:app',
        '--host',
        '0.0.0.0',
        '--port',
        '8000',
      ],
    });
    started.push(service);
    await httpGet(service.port, '/items/2');
    const stream = await openStream(service.port);
    const run = await runAction(
      { ...base(`pycov-e2e-hang=${process.pid}`), 'graceful-timeout': '3' },
      place(),
    );
    stream.close();
    expect(run.exitCode).toBe(1);
    expect(annotations(run.stdout, 'warning')).toContainEqual(
      expect.stringMatching(
        /^container \S+: uvicorn \(pid \d+\) has no graceful-shutdown timeout, so SIGTERM waits for open connections forever; add `--timeout-graceful-shutdown 5` to the server command or use the agent \(PYCOV_HARVEST=1\)$/,
      ),
    );
    expect(run.stdout).toContain('sigterm not confirmed');
    expect(annotations(run.stdout, 'error')[0]).toContain(
      'no coverage data found in /coverdata of 1 target(s) (last flush attempt: sigterm: no data file within 3s of SIGTERM and the process is still running (graceful shutdown hangs))',
    );
  });

  it('sigterm on a `--rm` container without a volume: the data left with the container, and the message says so', async () => {
    const labels = { 'pycov-e2e-rm': String(process.pid) };
    const service = await startService({ mode: 'sigterm', labels, removeOnStop: true });
    started.push(service);
    await httpGet(service.port, '/items/2');
    const run = await runAction(
      { ...base(`pycov-e2e-rm=${process.pid}`), methods: 'sigterm' },
      place(),
    );
    expect(run.exitCode).toBe(1);
    expect(annotations(run.stdout, 'error')[0]).toMatch(
      /^container \S+ no longer exists \(removed once it stopped, e\.g\. `--rm`\), so the files it left are gone; mount `data-dir` on a volume, or use the agent so that nothing depends on the shutdown$/,
    );
  });

  it('fail-under not met, a coverage version the image lacks, a missing conversion image', async () => {
    const labels = { 'pycov-e2e-fail': String(process.pid) };
    const service = await startService({ mode: 'agent', labels });
    started.push(service);
    await httpGet(service.port, '/items/1');
    const selector = `pycov-e2e-fail=${process.pid}`;
    const low = await runAction(
      { ...base(selector), 'path-map': '/app=.', 'fail-under': '99' },
      place(),
    );
    expect(low.exitCode).toBe(1);
    expect(annotations(low.stdout, 'error')[0]).toMatch(
      /^total line coverage \d+\.\d\d% is below `fail-under` 99%; add tests that exercise more code or lower `fail-under`$/,
    );
    expect(Number(low.outputs.percent)).toBeLessThan(99);

    // The conversion image has another coverage.py and no pip (and no network here).
    const mismatch = await runAction(
      { ...base(selector), 'path-map': '/app=.', 'coverage-version': '7.6.1' },
      place(),
    );
    expect(mismatch.exitCode).toBe(1);
    expect(annotations(mismatch.stdout, 'error')[0]).toMatch(
      /^the conversion image `localhost\/pycov-harvest\/coverage:py3\.11` has coverage \d+\.\d+\.\d+, not 7\.6\.1, and `pip install coverage==7\.6\.1` failed in it \(.+\); set `coverage-image` to an image with coverage 7\.6\.1 installed, or give the conversion container network access$/,
    );

    const missing = await runAction(
      { ...base(selector), 'coverage-image': 'localhost/pycov-harvest/no-such-image:1' },
      place(),
    );
    expect(missing.exitCode).toBe(1);
    expect(annotations(missing.stdout, 'error')[0]).toMatch(
      /^the conversion image `localhost\/pycov-harvest\/no-such-image:1` is not available locally and cannot be pulled \(.*\); set `coverage-image` to an image with Python and coverage 7\.\d+\.\d+ installed$/,
    );
  });
});
