// Failures of the bundled action against real podman and the real Docker engine: each one sentence with cause and fix.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images } from '../support/images.js';
import { ContainerCli } from '../../src/targets/container-cli.js';
import { findContainers } from '../../src/targets/docker-discover.js';
import { engines, httpGet, type ServiceContainer } from '../support/engine.js';
import { annotations, makeWorkspace, runAction } from '../support/run-action.js';

const SMOKE_IMAGE = 'localhost/pycov-harvest/smoke:busybox';

function place() {
  return makeWorkspace((workspace) =>
    cpSync(appSourceDir, join(workspace, 'src'), { recursive: true }),
  );
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];

  function base(selector: string): Record<string, string> {
    return {
      target: 'docker',
      selector,
      ...engine.inputs,
      'coverage-image': images.coverage,
      upload: 'false',
      summary: 'false',
    };
  }

  beforeAll(() => engine.require());

  async function waitGone(id: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await engine.cli('ps', '-a', '-q', '--filter', `id=${id}`)) === '') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`container ${id} was not removed`);
  }
  afterAll(() => engine.removeContainers(started));

  describe('docker target failures', () => {
    it('no containers match: the step fails naming the selector', async () => {
      const run = await runAction(base(`pycov-e2e-none=${process.pid}`), place(), engine.env);
      expect(run.exitCode).toBe(1);
      expect(annotations(run.stdout, 'error')).toEqual([
        `no running containers with label pycov-e2e-none=${process.pid} (\`${engine.command} ps\`) found; check \`selector\` and that the services run on this runner`,
      ]);
    });

    it("an engine that does not answer: the step fails with the engine's reason, for labels and for names", async () => {
      // The CLI is fine, its engine is not there: a socket nothing listens on.
      const dead = 'unix:///run/pycov-harvest-nothing.sock';
      const env = engine.name === 'docker' ? { DOCKER_HOST: dead } : { CONTAINER_HOST: dead };
      for (const selector of ['app=api', 'api']) {
        const run = await runAction(base(selector), place(), env);
        expect(run.exitCode).toBe(1);
        const errors = annotations(run.stdout, 'error');
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(
          new RegExp(
            `^\`${engine.command}\` cannot reach its container engine \\(.*(Cannot connect to the Docker daemon at unix:///run/pycov-harvest-nothing\\.sock|unable to connect to Podman socket).*\\); start the engine on the runner, or point the CLI at it \\(\`DOCKER_HOST\` or a docker context for docker, \`CONTAINER_HOST\` for podman\\) in the step's environment$`,
          ),
        );
      }
    });

    it('no containers match with if-no-targets: warn: a warning and success', async () => {
      const run = await runAction(
        { ...base(`pycov-e2e-none=${process.pid}`), 'if-no-targets': 'warn' },
        place(),
        engine.env,
      );
      expect(run.exitCode).toBe(0);
      expect(annotations(run.stdout, 'warning')[0]).toContain('no running containers with label');
      expect(run.outputs.targets).toBe('[]');
    });

    it('a container without Python: the step fails saying so', async () => {
      const labels = { 'pycov-e2e-nopython': String(process.pid) };
      started.push(await engine.startPlain(SMOKE_IMAGE, ['sleep', '600'], labels));
      const run = await runAction(base(`pycov-e2e-nopython=${process.pid}`), place(), engine.env);
      expect(run.exitCode).toBe(1);
      const [error] = annotations(run.stdout, 'error');
      expect(error).toMatch(
        /^container pycov-e2e-\S+ has no Python interpreter \(tried python3, python, \/app\/\.venv\/bin\/python, \/opt\/venv\/bin\/python, \/venv\/bin\/python\); pycov-harvest runs the target's own Python, so put python3 on the image's PATH$/,
      );
    });

    it('a service without coverage: no data found', async () => {
      const labels = { 'pycov-e2e-nocov': String(process.pid) };
      const service = await engine.startService({ mode: 'none', labels });
      started.push(service);
      const run = await runAction(
        { ...base(`pycov-e2e-nocov=${process.pid}`), methods: 'http,signal' },
        place(),
        engine.env,
      );
      expect(run.exitCode).toBe(1);
      expect(annotations(run.stdout, 'error')).toEqual([
        'no coverage data found in /coverdata of 1 target(s) (last flush attempt: signal: no agent process and no `coverage run --save-signal` process to send SIGUSR1 to); check `data-dir` and that the services run with the agent (PYCOV_HARVEST=1) or under `coverage run`',
      ]);
      expect((await httpGet(service.port, '/health')).status).toBe(200);
    });

    it('sigterm against a server that ignores SIGTERM and SIGINT: `graceful-timeout` bounds the wait, the reason says so, no data', async () => {
      const labels = { 'pycov-e2e-hang': String(process.pid) };
      // Under `coverage run` with sigterm = true, but deaf to both signals: nothing can save it.
      const script = [
        'import signal, time',
        'signal.signal(signal.SIGTERM, signal.SIG_IGN)',
        'signal.signal(signal.SIGINT, signal.SIG_IGN)',
        'time.sleep(600)',
      ].join('\n');
      started.push(
        await engine.startPlain(
          images.service,
          [
            'bash',
            '-c',
            `printf '%s\\n' "$0" > /tmp/deaf.py && exec python -m coverage run --rcfile=/app/.coveragerc-sigterm /tmp/deaf.py`,
            script,
          ],
          labels,
        ),
      );
      const run = await runAction(
        { ...base(`pycov-e2e-hang=${process.pid}`), 'graceful-timeout': '4' },
        place(),
        engine.env,
      );
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(
        /sigterm not confirmed in \d+ ms: no data file within 4s of SIGTERM and SIGINT and the server is still running: its shutdown hangs; use the agent \(PYCOV_HARVEST=1\)/,
      );
      expect(annotations(run.stdout, 'error')[0]).toContain(
        'no coverage data found in /coverdata of 1 target(s) (last flush attempt: sigterm: no data file within 4s of SIGTERM and SIGINT',
      );
    });

    it('a container removed once it stopped (`--rm`): reading its files says the data left with it', async () => {
      const labels = { 'pycov-e2e-rm': String(process.pid) };
      const service = await engine.startService({ mode: 'sigterm', labels, removeOnStop: true });
      // The CLI runs in this process here: it needs the engine's DOCKER_HOST in process.env.
      const savedHost = process.env.DOCKER_HOST;
      Object.assign(process.env, engine.env);
      try {
        const [target] = await findContainers(
          new ContainerCli(engine.command),
          `pycov-e2e-rm=${process.pid}`,
        );
        if (target === undefined) throw new Error('the container was not found');
        await engine.cli('stop', '-t', '30', service.id);
        await waitGone(service.id);
        await expect(
          target.copyFromOutside('/coverdata', 1 << 20, () => undefined),
        ).rejects.toThrow(
          new RegExp(
            `^container ${service.name} no longer exists \\(removed once it stopped, e\\.g\\. \`--rm\`\\), so the files it left are gone; mount \`data-dir\` on a volume, or use the agent so that nothing depends on the shutdown$`,
          ),
        );
      } finally {
        if (savedHost === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = savedHost;
      }
    });

    it('fail-under not met, a coverage version the image lacks, a missing conversion image', async () => {
      const labels = { 'pycov-e2e-fail': String(process.pid) };
      const service = await engine.startService({ mode: 'agent', labels });
      started.push(service);
      await httpGet(service.port, '/items/1');
      const selector = `pycov-e2e-fail=${process.pid}`;
      const low = await runAction(
        { ...base(selector), 'path-map': '/app=.', 'fail-under': '99' },
        place(),
        engine.env,
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
        engine.env,
      );
      expect(mismatch.exitCode).toBe(1);
      expect(annotations(mismatch.stdout, 'error')[0]).toMatch(
        /^the conversion image `localhost\/pycov-harvest\/coverage:py3\.11[^`]*` has coverage \d+\.\d+\.\d+, not 7\.6\.1, and `pip install coverage==7\.6\.1` failed in it \(.+\); set `coverage-image` to an image with coverage 7\.6\.1 installed, or give the conversion container network access$/,
      );

      const missing = await runAction(
        { ...base(selector), 'coverage-image': 'localhost/pycov-harvest/no-such-image:1' },
        place(),
        engine.env,
      );
      expect(missing.exitCode).toBe(1);
      expect(annotations(missing.stdout, 'error')[0]).toMatch(
        /^the conversion image `localhost\/pycov-harvest\/no-such-image:1` is not available locally and cannot be pulled \(.*\); set `coverage-image` to an image with Python and coverage 7\.\d+\.\d+ installed$/,
      );
    });
  });
});
