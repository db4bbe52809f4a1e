// One-off containers (issue 18, §4): the template runs its migrations and initial data
// (`bash scripts/prestart.sh`) in a container of the same image that exits (a `prestart` compose
// service, or `docker compose run --rm backend ...`). With the agent on, their processes save at
// exit into the data directory; when that is a named volume the harvested service mounts too,
// their data files are harvested with the service's (docs/action.md, "One-off containers").
// A real compose project on the Docker engine: `prestart` runs calc.divide(6, 3) and exits, a
// `compose run --rm api` one-off runs legacy.old_report() and is removed, `api` serves; only `api`
// is harvested, and the report has all three.
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
const project = `pycovoneoff${process.pid}`;
let dir = '';
let apiPort = 0;

function compose(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(composeCommand, ['-p', project, '-f', 'compose.yml', ...args], {
    cwd: dir,
    env: docker?.processEnv,
    timeout: 300_000,
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = await check().catch(() => undefined);
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  const { stdout } = await compose('logs').catch(() => ({ stdout: '' }));
  throw new Error(`${what} within 60 s did not happen:\n${stdout}`);
}

// Only on the Docker engine: compose drives dockerd's API.
describe.skipIf(docker === undefined)('one-off containers sharing the data volume', () => {
  beforeAll(async () => {
    await docker?.require();
    dir = mkdtempSync(join(tmpdir(), 'pycov-oneoff-'));
    apiPort = await freePort();
    const agent = ["      PYCOV_HARVEST: '1'", '    volumes:', '      - coverdata:/coverdata'];
    writeFileSync(
      join(dir, 'compose.yml'),
      [
        "version: '3.8'",
        'services:',
        '  prestart:',
        `    image: ${images.service}`,
        '    command: ["python", "-c", "from src import calc; calc.divide(6, 3)"]',
        '    environment:',
        ...agent,
        '  api:',
        `    image: ${images.service}`,
        '    depends_on:',
        '      prestart:',
        '        condition: service_completed_successfully',
        '    environment:',
        '      COVERAGE_MODE: agent',
        ...agent,
        '    ports:',
        `      - '127.0.0.1:${apiPort}:${images.servicePort}'`,
        'volumes:',
        '  coverdata: {}',
        '',
      ].join('\n'),
    );
    await compose('up', '-d');
    await waitFor('api answering /health', async () =>
      (await httpGet(apiPort, '/health')).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    if (dir !== '') await compose('down', '-v', '-t', '0').catch(() => undefined);
  });

  it('the data of a prestart service and of a `compose run --rm` one-off reach the report with the service harvested', async () => {
    const { stdout: prestart } = await compose('ps', '-a', 'prestart');
    expect(prestart).toMatch(/Exit 0/);
    // A one-off from the service's own definition: same image, environment and volumes.
    await compose(
      'run',
      '--rm',
      '--no-deps',
      'api',
      'python',
      '-c',
      'from src import legacy; legacy.old_report([1, 2])',
    );
    expect((await httpGet(apiPort, '/items/2')).status).toBe(200);

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
    // Only the running `api` container is a target; the one-offs are gone or exited.
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.method).toBe('http');
    // api's own process, the prestart process and the one-off's: a data file each.
    expect(outcomes[0]?.files).toBeGreaterThanOrEqual(3);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'calc.py', 'calc-divide')).toBeGreaterThan(0); // prestart
    expect(hits(lcov, 'legacy.py', 'legacy')).toBeGreaterThan(0); // compose run --rm
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0); // api
    expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
  });
});
