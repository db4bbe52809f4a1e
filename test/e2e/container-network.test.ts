// Containers whose agent listens on the container network (PYCOV_HARVEST_HOST=0.0.0.0 with a
// PYCOV_HARVEST_TOKEN in the container's environment): the runner flushes and reads them over
// HTTP with no exec at all, on podman and on the Docker engine; the token never reaches the log;
// where that route does not work the step falls back to the exec and still confirms.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/images.js';
import { engines, httpGet, type ServiceContainer } from '../support/engine.js';
import {
  explain,
  harvestContainers,
  hits,
  lcovOf,
  selectorOf,
  targetsOf,
} from '../support/harvest-results.js';

const execFileAsync = promisify(execFile);
const TOKEN = `t0ken-${process.pid}-network`;
const onNetwork = { PYCOV_HARVEST_HOST: '0.0.0.0', PYCOV_HARVEST_TOKEN: TOKEN };

describe.each(engines)('agent on the container network, %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));
  let group = 0;
  const labelsOf = () => ({ 'pycov-e2e-network': `${process.pid}-${engine.name}-${++group}` });

  async function start(
    labels: Record<string, string>,
    env: Record<string, string>,
    command?: string[],
  ): Promise<ServiceContainer> {
    const service = await engine.startService({
      mode: 'agent',
      labels,
      env,
      ...(command ? { command } : {}),
    });
    started.push(service);
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    return service;
  }

  const harvest = (labels: Record<string, string>) => harvestContainers(engine, labels);

  /** The container's address on its network, as the engine reports it. */
  async function addressOf(service: ServiceContainer): Promise<string> {
    return engine
      .cli(
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
        service.id,
      )
      .then((out) => out.split(/\s+/)[0] ?? '');
  }

  it('three containers: flushed and read over their addresses, no exec, the token masked', async () => {
    const labels = labelsOf();
    const services = await Promise.all([1, 2, 3].map(() => start(labels, onNetwork)));
    const run = await harvest(labels);
    expect(run.exitCode, explain(run)).toBe(0);

    const outcomes = targetsOf(run);
    expect(outcomes).toHaveLength(3);
    for (const service of services) {
      const address = await addressOf(service);
      expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(run.stdout).toMatch(
        new RegExp(
          `container ${service.name}: http confirmed in \\d+ ms: [1-9]\\d* agent process\\(es\\) acknowledged flush #\\d+ through the container network \\(${address.replace(/\./g, '\\.')}:9797\\)$`,
          'm',
        ),
      );
      expect(run.stdout).toMatch(
        new RegExp(
          `container ${service.name}: copied [1-9]\\d* data file\\(s\\), \\d+ bytes \\(via agent\\)`,
        ),
      );
    }
    expect(outcomes.every((o) => o.method === 'http' && o.files >= 1)).toBe(true);
    // Not one exec: the debug log lists every engine command the step ran.
    const commands = [...run.stdout.matchAll(/^::debug::`(\S+ \S+)/gm)].map((m) => m[1]);
    expect(commands.filter((c) => c === `${engine.command} exec`)).toEqual([]);
    expect(commands).toContain(`${engine.command} inspect`);
    // The token is masked before any use, and nothing else prints it.
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(run.stdout.split(`::add-mask::${TOKEN}`).join('')).not.toContain(TOKEN);
    expect(hits(lcovOf(run), 'main.py', 'items-even')).toBeGreaterThan(0);
  });

  it('a token changed inside the container: the env token gets 401, the one inside is read, confirmed', async () => {
    const labels = labelsOf();
    // The entrypoint's own environment wins over the container's: the listener wants another token.
    const service = await start(labels, onNetwork, [
      'bash',
      '-c',
      'PYCOV_HARVEST_TOKEN=inner-token exec /entrypoint.sh',
    ]);
    const run = await harvest(labels);
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `container ${service.name}: http confirmed in \\d+ ms: .* through the container network`,
      ),
    );
    expect(targetsOf(run)[0]).toMatchObject({ method: 'http' });
    expect(run.stdout).toContain('::add-mask::inner-token');
  });

  it('no listener at the address (the agent is not on): one line, then the exec path confirms', async () => {
    const labels = labelsOf();
    // The environment says 0.0.0.0, but the listener is off: nothing answers on the network.
    const service = await start(labels, { ...onNetwork, PYCOV_HARVEST_PORT: '9898' }, [
      'bash',
      '-c',
      'PYCOV_HARVEST_PORT=off exec /entrypoint.sh',
    ]);
    const run = await harvest(labels);
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `container ${service.name}: the agent's address on the container network, \\d+\\.\\d+\\.\\d+\\.\\d+:9898: connect ECONNREFUSED .*; asking the agent from inside the target$`,
        'm',
      ),
    );
    const [outcome] = targetsOf(run);
    expect(outcome).toMatchObject({ method: 'signal' });
    expect(outcome?.files).toBeGreaterThanOrEqual(1);
  });

  it('a context switch from the runner goes over the same route', async () => {
    const labels = labelsOf();
    const service = await start(labels, onNetwork);
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        join(repoRoot, 'dist/cli.js'),
        'context',
        'checkout',
        '--target',
        'docker',
        '--selector',
        selectorOf(labels),
        '--docker-command',
        engine.command,
      ],
      { timeout: 120_000, env: engine.processEnv },
    );
    expect(stdout).toMatch(
      new RegExp(
        `container ${service.name}: context "checkout" in [1-9]\\d* process\\(es\\), \\d+ ms \\(.* through the container network \\(`,
      ),
    );
    expect(stdout).not.toContain(TOKEN);
  });
});
