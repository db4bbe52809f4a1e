// The first users' exact stack (../shared/user-request.md): uvicorn 0.30.6 on CPython 3.12 and on
// 3.13, the newest coverage, bash PID 1, user 1001, one SSE stream open, on podman and on the
// Docker engine.
// - Their entrypoint unchanged (`coverage run` with `[run] sigterm = true`, `--loop asyncio`, no
//   graceful timeout): no signal can stop such a server while the stream is open (the force-quit
//   table in docs/action.md), so the step fails at once with the sentence naming the stream's
//   peer and the fixes, and the service keeps running and streaming.
// - The same with `--timeout-graceful-shutdown 5`: sigterm is confirmed, the data arrives.
// - The agent: http is confirmed, the data arrives, the service keeps running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images } from '../support/images.js';
import { engines, httpGet, openStream, type ServiceContainer } from '../support/engine.js';
import { explain, harvestContainers, hits, lcovOf, targetsOf } from '../support/harvest-results.js';
import { annotations } from '../support/run-action.js';

const stacks = [
  { minor: '3.12', service: images.servicePy312, coverage: images.coveragePy312 },
  { minor: '3.13', service: images.servicePy313, coverage: images.coveragePy313 },
];

/** A peer as the container sees the runner: `address:port`. */
const PEER = '\\d{1,3}(?:\\.\\d{1,3}){3}:\\d{1,5}';

let counter = 0;

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  const labels = (what: string) => ({
    'pycov-e2e': `${process.pid}-first-users-${what}-${++counter}-${engine.name}`,
  });

  /** The service up, the stack checked from inside, one request and a stream open. */
  async function serve(
    minor: string,
    image: string,
    options: Omit<Parameters<typeof engine.startService>[0], 'image' | 'labels'>,
    what: string,
  ) {
    const label = labels(what);
    const service = await engine.startService({ ...options, labels: label, image });
    started.push(service);
    const info = JSON.parse((await httpGet(service.port, '/info')).body) as {
      pid: number;
      python: string;
      uvicorn: string;
      uid: number;
    };
    expect(info.python.startsWith(`${minor}.`), info.python).toBe(true);
    expect(info).toMatchObject({ uvicorn: images.uvicornVersion, uid: 1001 });
    expect((await httpGet(service.port, '/items/4')).status).toBe(200);
    const stream = await openStream(service.port);
    return { service, label, info, stream };
  }

  it.each(stacks)(
    "Python $minor, the first users' entrypoint unchanged: the step fails at once naming the open stream, and the service keeps running",
    async ({ minor, service: image, coverage }) => {
      const { service, label, info, stream } = await serve(
        minor,
        image,
        { mode: 'none', command: ['/first-users-entrypoint.sh'], containerPort: 8080 },
        'unchanged',
      );
      const began = Date.now();
      // `sigterm` itself: `attach` (the default chain) saves this service without a stop
      // (test/e2e/attach.test.ts).
      const run = await harvestContainers(engine, label, {
        'coverage-image': coverage,
        'graceful-timeout': '30',
        summary: 'true',
        methods: 'http,signal,sigterm',
      });
      const took = Date.now() - began;
      const ticks = stream.ticks();
      expect(run.exitCode, explain(run)).not.toBe(0);
      const sentence = new RegExp(
        `^container ${service.name}: uvicorn ${images.uvicornVersion.replace(/\./g, '\\.')} on Python ${minor}(?:\\.\\d+)? \\(asyncio event loop\\) cannot be stopped while a connection is open \\(asyncio's Server\\.wait_closed\\(\\) waits for it, and uvicorn's force quit awaits that too: docs/action\\.md, the force-quit table\\), and 1 connection is open \\((${PEER})\\), so the service was left running; add \`--timeout-graceful-shutdown 5\` to the uvicorn command, use the agent \\(PYCOV_HARVEST=1\\), or let the \`attach\` method save it \\(list it in \`methods\` before \`sigterm\`\\)$`,
      );
      const [error, ...more] = annotations(run.stdout, 'error');
      expect(more, explain(run)).toEqual([]);
      expect(error, explain(run)).toMatch(sentence);
      // The peer is the runner's end of the stream, as the container's network sees it.
      expect(run.stdout).toMatch(
        new RegExp(
          `uvicorn ${images.uvicornVersion.replace(/\./g, '\\.')} on Python ${minor}(?:\\.\\d+)? \\(pid \\d+, event loop asyncio, graceful timeout none\\): 1 open connection\\(s\\) that may hold its shutdown \\(${PEER} ESTABLISHED\\); no signal ends its shutdown while one is open`,
        ),
      );
      // The summary says the same.
      expect(run.summary).toContain('cannot be stopped while a connection is open');
      expect(run.summary).toMatch(new RegExp(`1 connection is open \\(${PEER}\\)`));
      // Not stopped: no "had to force it to quit" warning, the server still serves and streams.
      expect(annotations(run.stdout, 'warning').filter((w) => w.includes('force it'))).toEqual([]);
      // Said once, as the failure: no warning repeats it.
      expect(
        annotations(run.stdout, 'warning').filter((w) => w.includes('cannot be stopped')),
      ).toEqual([]);
      expect(await engine.cli('inspect', '--format', '{{.State.Running}}', service.id)).toBe(
        'true',
      );
      expect(JSON.parse((await httpGet(service.port, '/info')).body)).toMatchObject({
        pid: info.pid,
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(stream.ticks()).toBeGreaterThan(ticks);
      stream.close();
      console.log(
        `first users' entrypoint, Python ${minor}, ${engine.name}: step failed after ${took} ms (flush attempts ${targetsOf(run)[0]?.ms} ms), service up`,
      );
      // Well within `graceful-timeout` (30 s): the keep-alive wait (5 s + 1 s) and the execs.
      expect(took).toBeLessThan(30_000);
    },
  );

  it.each(stacks)(
    'Python $minor, the same entrypoint with `--timeout-graceful-shutdown 5`: sigterm confirmed, the data arrives',
    async ({ minor, service: image, coverage }) => {
      const { label, stream } = await serve(
        minor,
        image,
        { mode: 'sigterm', env: { GRACEFUL_TIMEOUT: '5', UVICORN_ARGS: '--loop asyncio' } },
        'graceful',
      );
      const began = Date.now();
      const run = await harvestContainers(engine, label, {
        'coverage-image': coverage,
        'graceful-timeout': '30',
        methods: 'http,signal,sigterm',
      });
      const took = Date.now() - began;
      stream.close();
      expect(run.exitCode, explain(run)).toBe(0);
      const [outcome] = targetsOf(run);
      expect(outcome?.method).toBe('sigterm');
      expect(run.stdout).toMatch(/graceful timeout 5 s\): 1 open connection\(s\)/);
      const lcov = lcovOf(run);
      expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'stream-tick')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
      console.log(
        `--timeout-graceful-shutdown 5, Python ${minor}, ${engine.name}: sigterm ${outcome?.ms} ms, step ${took} ms`,
      );
    },
  );

  it("Python 3.12, a graceful timeout longer than the step's: SIGTERM is sent, the shutdown hangs, and the step names the stream that holds it", async () => {
    const [stack] = stacks;
    if (stack === undefined) throw new Error('no stack');
    const { service, label, stream } = await serve(
      stack.minor,
      stack.service,
      { mode: 'sigterm', env: { GRACEFUL_TIMEOUT: '120', UVICORN_ARGS: '--loop asyncio' } },
      'hangs',
    );
    const run = await harvestContainers(engine, label, {
      'coverage-image': stack.coverage,
      'graceful-timeout': '8',
      summary: 'true',
      methods: 'http,signal,sigterm',
    });
    stream.close();
    expect(run.exitCode, explain(run)).not.toBe(0);
    const held = new RegExp(
      `no data file within 8s of SIGTERM and SIGINT and the server is still running: its shutdown hangs, held by 1 open connection \\(${PEER}\\); use the agent`,
    );
    expect(annotations(run.stdout, 'error').join('\n'), explain(run)).toMatch(held);
    expect(run.summary).toMatch(held);
    console.log(`a hanging shutdown, ${engine.name}: ${service.name} named its stream`);
  });

  it.each(stacks)(
    'Python $minor, the agent: http confirmed with the stream open, the data arrives, the service keeps running',
    async ({ minor, service: image, coverage }) => {
      const { service, label, stream } = await serve(minor, image, { mode: 'agent' }, 'agent');
      const began = Date.now();
      const run = await harvestContainers(engine, label, { 'coverage-image': coverage });
      const took = Date.now() - began;
      stream.close();
      expect(run.exitCode, explain(run)).toBe(0);
      const [outcome] = targetsOf(run);
      expect(outcome?.method).toBe('http');
      expect(run.stdout).toContain(
        `conversion image ${coverage}, coverage ${images.newestCoverageVersion}`,
      );
      const lcov = lcovOf(run);
      expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'stream-tick')).toBeGreaterThan(0);
      expect((await httpGet(service.port, '/health')).status).toBe(200);
      console.log(
        `agent, Python ${minor}, ${engine.name}: http ${outcome?.ms} ms, step ${took} ms`,
      );
    },
  );
});
