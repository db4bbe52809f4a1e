// docker compose on the Docker engine: a real compose project (the service image as `api`, a
// second service beside it) is harvested by compose's own labels,
// `com.docker.compose.project=NAME,com.docker.compose.service=api`, as docs/action.md shows.
// Compose is Debian's docker-compose 1.29 (setup-docker.sh installs it); PYCOV_HARVEST_COMPOSE names
// another one, e.g. a compose v2 binary, which sets the same labels.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freePort, httpGet } from '../support/engine.js';
import { checkout, explain, hits, lcovOf, targetsOf } from '../support/harvest-results.js';
import { images } from '../support/images.js';
import { runAction } from '../support/run-action.js';

const composeCommand = process.env.PYCOV_HARVEST_COMPOSE ?? 'docker-compose';
const docker = engines.find((engine) => engine.name === 'docker');
const project = `pycovh${process.pid}`;
let dir = '';
let apiPort = 0;
let workerPort = 0;

function compose(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(composeCommand, ['-p', project, '-f', 'compose.yml', ...args], {
    cwd: dir,
    env: docker?.processEnv,
    timeout: 300_000,
  });
}

async function waitHealthy(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await httpGet(port, '/health').then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const { stdout } = await compose('logs').catch(() => ({ stdout: '' }));
  throw new Error(`compose project ${project} did not become healthy within 60 s:\n${stdout}`);
}

// Only on the Docker engine: compose drives dockerd's API.
describe.skipIf(docker === undefined)('docker compose, selected by its own labels', () => {
  beforeAll(async () => {
    await docker?.require();
    dir = mkdtempSync(join(tmpdir(), 'pycov-compose-'));
    apiPort = await freePort();
    workerPort = await freePort();
    // Two services of one project; only `api` is to be harvested.
    writeFileSync(
      join(dir, 'compose.yml'),
      [
        "version: '3.8'",
        'services:',
        '  api:',
        `    image: ${images.service}`,
        '    environment:',
        '      COVERAGE_MODE: agent',
        "      PYCOV_HARVEST: '1'",
        '    ports:',
        `      - '127.0.0.1:${apiPort}:${images.servicePort}'`,
        '  worker:',
        `    image: ${images.service}`,
        '    environment:',
        '      COVERAGE_MODE: agent',
        "      PYCOV_HARVEST: '1'",
        '    ports:',
        `      - '127.0.0.1:${workerPort}:${images.servicePort}'`,
        '',
      ].join('\n'),
    );
    await compose('up', '-d');
    await Promise.all([waitHealthy(apiPort), waitHealthy(workerPort)]);
  });

  afterAll(async () => {
    if (dir !== '') await compose('down', '-v', '-t', '0').catch(() => undefined);
  });

  it('harvests the `api` service only, through the agent', async () => {
    expect((await httpGet(apiPort, '/items/2')).status).toBe(200);
    expect((await httpGet(workerPort, '/items/3')).status).toBe(200);
    const { stdout: apiId } = await compose('ps', '-q', 'api');

    const run = await runAction(
      {
        target: 'docker',
        selector: `com.docker.compose.project=${project},com.docker.compose.service=api`,
        'path-map': '/app=.',
        'coverage-image': images.coverage,
        upload: 'false',
      },
      checkout(),
      docker?.env,
    );
    expect(run.exitCode, explain(run)).toBe(0);
    const outcomes = targetsOf(run);
    expect(outcomes).toHaveLength(1);
    // Compose names the container after project and service (v1 `_`, v2 `-`).
    expect(outcomes[0]?.target).toMatch(new RegExp(`^container ${project}[-_]api[-_]1$`));
    expect(outcomes[0]?.method).toBe('http');
    expect(run.stdout).toContain(`container ${project}`);
    expect(apiId.trim()).not.toBe('');
    const lcov = lcovOf(run);
    // Only api's request: the worker's odd item is not in the report.
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
  });
});
