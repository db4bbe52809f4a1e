// The bundled action against real containers of the service image (uvicorn 0.30.6, bash PID 1,
// user 1001), on podman and on the Docker engine: the proofs 1-4.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images } from '../support/images.js';
import { engines, httpGet, openStream, type ServiceContainer } from '../support/engine.js';
import { explain, harvestContainers, hits, lcovOf, targetsOf } from '../support/harvest-results.js';
import { annotations } from '../support/run-action.js';

let labelCounter = 0;

function label(): Record<string, string> {
  return { 'pycov-e2e': `${process.pid}-${++labelCounter}` };
}

describe.each(engines)('docker target on %s, bundled action', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  const harvest = (labels: Record<string, string>, extra: Record<string, string> = {}) =>
    harvestContainers(engine, labels, extra);

  it('1: agent + an open SSE stream: http confirmed, executed lines in lcov, summary written', async () => {
    const labels = label();
    // PYCOV_HARVEST=1 in the container's environment, as docs/action.md shows: `docker exec`
    // programs inherit it too.
    const service = await engine.startService({
      mode: 'agent',
      labels,
      env: { PYCOV_HARVEST: '1' },
    });
    started.push(service);
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    expect((await httpGet(service.port, '/divide?a=1&b=4')).body).toBe('{"result":0.25}');
    const stream = await openStream(service.port);

    const run = await harvest(labels, { summary: 'true' });
    expect(run.exitCode, explain(run)).toBe(0);

    const [outcome] = targetsOf(run);
    expect(targetsOf(run)).toHaveLength(1);
    expect(outcome).toMatchObject({ target: `container ${service.name}`, method: 'http' });
    expect(run.stdout).toMatch(
      /: http confirmed in \d+ ms: [1-9]\d* agent process\(es\) acknowledged flush #\d+ through the listener on 127\.0\.0\.1:9797$/m,
    );
    // One exec does the probe, the flush and the copy.
    expect(run.stdout).toMatch(/copied [1-9]\d* data file\(s\), \d+ bytes \(via pack\)/);
    expect(outcome?.files).toBeGreaterThanOrEqual(1);
    expect(outcome?.bytes).toBeGreaterThan(0);

    const lcov = lcovOf(run);
    expect([...lcov.keys()].every((file) => !file.startsWith('/'))).toBe(true);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-return')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'divide-call')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'stream-tick')).toBeGreaterThan(0);
    expect(hits(lcov, 'calc.py', 'calc-divide')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
    expect(hits(lcov, 'main.py', 'never')).toBe(0);
    expect(hits(lcov, 'main.py', 'divide-by-zero')).toBe(0);
    expect(hits(lcov, 'calc.py', 'calc-unused')).toBe(0);

    // The service kept running and kept streaming: the flush did not stop it.
    const ticksAfter = stream.ticks();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(stream.ticks()).toBeGreaterThan(ticksAfter);
    stream.close();
    expect((await httpGet(service.port, '/health')).status).toBe(200);

    const xml = readFileSync(join(run.workspace, run.outputs['xml-file'] ?? ''), 'utf8');
    expect(xml).toContain('filename="src/main.py"');
    const json = JSON.parse(
      readFileSync(join(run.workspace, 'coverage-harvest/coverage.json'), 'utf8'),
    );
    const percent = (100 * json.totals.covered_lines) / json.totals.num_statements;
    expect(Number(run.outputs.percent)).toBeCloseTo(percent, 2);

    // The action's own helper programs (they inherit PYCOV_HARVEST=1) left no data files.
    const { pid } = JSON.parse((await httpGet(service.port, '/info')).body) as { pid: number };
    const left = (
      await engine.cli(
        'exec',
        service.id,
        'python3',
        '-c',
        'import os; print(" ".join(os.listdir("/coverdata")))',
      )
    )
      .split(' ')
      .filter((name) => name.startsWith('.coverage'));
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((name) => !name.includes(`.pid${pid}.`))).toEqual([]);

    expect(run.summary).toContain('<h3>Targets</h3>');
    expect(run.summary).toContain(`container ${service.name}`);
    expect(run.summary).toContain('<td>http</td>');
    expect(run.summary).toContain('src/main.py');
  });

  it('2: `coverage run --save-signal=USR1` without the agent: signal confirmed', async () => {
    const labels = label();
    const service = await engine.startService({ mode: 'save-signal', labels });
    started.push(service);
    expect((await httpGet(service.port, '/items/7')).status).toBe(200);

    // No `path-map`: the action infers /app from the measured files and the checkout.
    const run = await harvest(labels, { 'path-map': '' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)[0]?.method).toBe('signal');
    expect(run.stdout).toContain('`path-map` not set: mapped /app/ onto the workspace');
    expect(run.stdout).toContain('http not confirmed');
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-odd')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-even')).toBe(0);
    expect(await engine.cli('inspect', '--format', '{{.State.Running}}', service.id)).toBe('true');
  });

  it('3: plain `coverage run` with sigterm = true and --timeout-graceful-shutdown 2, an SSE stream open: sigterm confirmed', async () => {
    const labels = label();
    const service = await engine.startService({
      mode: 'sigterm',
      labels,
      env: { GRACEFUL_TIMEOUT: '2' },
    });
    started.push(service);
    expect((await httpGet(service.port, '/items/4')).status).toBe(200);
    const stream = await openStream(service.port);

    // `sigterm` itself: without `attach`, which would save this `coverage run` process first.
    const run = await harvest(labels, { 'graceful-timeout': '30', methods: 'http,signal,sigterm' });
    stream.close();
    expect(run.exitCode, explain(run)).toBe(0);
    const [outcome] = targetsOf(run);
    expect(outcome?.method).toBe('sigterm');
    expect(outcome?.files).toBeGreaterThanOrEqual(1);
    // The server has a graceful-shutdown timeout: no warning about it.
    expect(annotations(run.stdout, 'warning').filter((w) => w.includes('graceful'))).toEqual([]);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'startup')).toBeGreaterThan(0);
  });

  it("3b: the first users' own entrypoint, unchanged (no graceful timeout, trap and double wait, an SSE stream open): sigterm forces the hanging shutdown to quit and the data arrives within `graceful-timeout` 10", async () => {
    const labels = label();
    const service = await engine.startService({
      mode: 'none',
      labels,
      command: ['/first-users-entrypoint.sh'],
      containerPort: 8080,
    });
    started.push(service);
    expect(JSON.parse((await httpGet(service.port, '/info')).body)).toMatchObject({ uid: 1001 });
    expect((await httpGet(service.port, '/items/4')).status).toBe(200);
    const stream = await openStream(service.port);

    const run = await harvest(labels, { 'graceful-timeout': '10', methods: 'http,signal,sigterm' });
    stream.close();
    expect(run.exitCode, explain(run)).toBe(0);
    const [outcome] = targetsOf(run);
    expect(outcome?.method).toBe('sigterm');
    // http and signal found nothing to ask; SIGTERM alone hangs; SIGINT forces the quit.
    expect(run.stdout).toMatch(/http not confirmed in \d+ ms: no agent registered/);
    expect(run.stdout).toMatch(
      /signal not confirmed in \d+ ms: no agent process and no `coverage run --save-signal` process/,
    );
    expect(run.stdout).toMatch(
      /sigterm confirmed in (\d+) ms: the target stopped after SIGTERM and SIGINT \(force quit\), leaving 1 fresh data file\(s\)/,
    );
    const sigtermMs = Number(/sigterm confirmed in (\d+) ms/.exec(run.stdout)?.[1]);
    console.log(`first users' entrypoint: data ${sigtermMs} ms after the first signal`);
    expect(
      annotations(run.stdout, 'warning').some((w) =>
        w.includes('has no graceful-shutdown timeout'),
      ),
    ).toBe(true);
    const logs = await engine.cli('logs', service.id);
    expect(logs).toContain('Coverage file written: /coverdata/.coverage');
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
  });

  it('4: two containers at once (by name): one combined report with both', async () => {
    const labels = label();
    const [a, b] = await Promise.all([
      engine.startService({ mode: 'agent', labels }),
      engine.startService({ mode: 'agent', labels }),
    ]);
    if (a === undefined || b === undefined) throw new Error('containers did not start');
    started.push(a, b);
    expect((await httpGet(a.port, '/items/2')).status).toBe(200);
    expect((await httpGet(b.port, '/items/3')).status).toBe(200);
    expect((await httpGet(b.port, '/divide?a=1&b=0')).status).toBe(400);

    // By container names this time, with the HTML report too.
    const run = await harvest(labels, {
      selector: `${a.name}, ${b.name}`,
      formats: 'lcov,xml,json,html',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(existsSync(join(run.workspace, 'coverage-harvest/htmlcov/index.html'))).toBe(true);
    const outcomes = targetsOf(run);
    expect(outcomes.map((o) => o.target).sort()).toEqual(
      [`container ${a.name}`, `container ${b.name}`].sort(),
    );
    expect(outcomes.every((o) => o.method === 'http' && o.files >= 1)).toBe(true);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-odd')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'divide-by-zero')).toBeGreaterThan(0);
    expect(hits(lcov, 'calc.py', 'calc-zero')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'never')).toBe(0);
  });

  it('5: a container already stopped (sigterm mode, `stop`): the data it left is harvested with `cp`', async () => {
    const labels = label();
    const service = await engine.startService({ mode: 'sigterm', labels });
    started.push(service);
    expect((await httpGet(service.port, '/items/6')).status).toBe(200);
    await engine.cli('stop', '-t', '30', service.id);

    const run = await harvest(labels, { selector: service.name });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)[0]).toMatchObject({ method: null });
    expect(targetsOf(run)[0]?.files).toBeGreaterThanOrEqual(1);
    expect(annotations(run.stdout, 'warning')).toContain(
      `container ${service.name} is not running, so nothing was flushed; copying the data files it left behind`,
    );
    expect(run.stdout).toContain('(via copy)');
    expect(hits(lcovOf(run), 'main.py', 'items-even')).toBeGreaterThan(0);
  });

  it('6: agent with `--workers 2`: every process acknowledges, all data files combined', async () => {
    const labels = label();
    const service = await engine.startService({
      mode: 'agent',
      labels,
      env: { UVICORN_WORKERS: '2' },
    });
    started.push(service);
    for (let n = 1; n <= 6; n++)
      expect((await httpGet(service.port, `/items/${n}`)).status).toBe(200);

    const run = await harvest(labels);
    expect(run.exitCode, explain(run)).toBe(0);
    const [outcome] = targetsOf(run);
    expect(outcome?.method).toBe('http');
    // The supervisor and both workers (at least) each wrote their own data file.
    expect(outcome?.files).toBeGreaterThanOrEqual(3);
    expect(run.stdout).toMatch(/http confirmed in \d+ ms: (\d+) agent process\(es\) acknowledged/);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-odd')).toBeGreaterThan(0);
  });

  it.each(['agent', 'sigterm'] as const)(
    '7: the newest uvicorn (%s mode) harvests the same way',
    async (mode) => {
      const labels = label();
      const service = await engine.startService({ mode, labels, image: images.serviceLatest });
      started.push(service);
      const info = JSON.parse((await httpGet(service.port, '/info')).body) as { uvicorn: string };
      expect(info.uvicorn).toBe(images.uvicornLatest);
      expect((await httpGet(service.port, '/items/8')).status).toBe(200);
      const stream = await openStream(service.port);

      const run = await harvest(labels, { methods: 'http,signal,sigterm' });
      stream.close();
      expect(run.exitCode, explain(run)).toBe(0);
      expect(targetsOf(run)[0]?.method).toBe(mode === 'agent' ? 'http' : 'sigterm');
      const lcov = lcovOf(run);
      expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'info')).toBeGreaterThan(0);
    },
  );

  it('8: the agent through the other methods: signal confirmed by acks; sigterm confirmed by acks while shutdown hangs', async () => {
    const labels = label();
    const service = await engine.startService({ mode: 'agent', labels });
    started.push(service);
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    const viaSignal = await harvest(labels, { methods: 'signal' });
    expect(viaSignal.exitCode, explain(viaSignal)).toBe(0);
    expect(targetsOf(viaSignal)[0]?.method).toBe('signal');
    expect(viaSignal.stdout).toMatch(/signal confirmed in \d+ ms: [1-9]\d* agent ack\(s\)/);

    // No graceful timeout in this mode and a stream open: uvicorn's shutdown hangs, but the agent
    // saved before it, so the method is confirmed well before `graceful-timeout`.
    const stream = await openStream(service.port);
    const viaSigterm = await harvest(labels, { methods: 'sigterm', 'graceful-timeout': '60' });
    stream.close();
    expect(viaSigterm.exitCode, explain(viaSigterm)).toBe(0);
    const [outcome] = targetsOf(viaSigterm);
    expect(outcome?.method).toBe('sigterm');
    expect(outcome?.ms).toBeLessThan(60_000);
    // The agent saved before the shutdown began: no force-quit, and no advice to add a timeout.
    expect(viaSigterm.stdout).not.toContain('SIGINT');
    expect(
      annotations(viaSigterm.stdout, 'warning').some((w) =>
        w.includes('no graceful-shutdown timeout'),
      ),
    ).toBe(false);
    expect(hits(lcovOf(viaSigterm), 'main.py', 'items-even')).toBeGreaterThan(0);
  });

  it("9: agent listener with a token: the exec'd client authenticates with the service's own token", async () => {
    const labels = label();
    const service = await engine.startService({
      mode: 'agent',
      labels,
      env: { PYCOV_HARVEST_TOKEN: 's3cret' },
    });
    started.push(service);
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    // Without the token the listener refuses.
    const refused = await engine.cli(
      'exec',
      service.id,
      'python3',
      '-c',
      "import urllib.request, urllib.error\ntry:\n    urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:9797/pycov-harvest/status'))\nexcept urllib.error.HTTPError as e:\n    print(e.code)",
    );
    expect(refused).toBe('401');
    const run = await harvest(labels, { methods: 'http' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)[0]?.method).toBe('http');
    expect(run.stdout).toMatch(/http confirmed in \d+ ms: 1 agent process\(es\) acknowledged/);
  });
});
