// A hostile agent listener behind a target's route: a `GET /data` stream that breaks a rule is
// refused and the in-target packer reads the files again (the target's data is not lost); the
// runner stops reading a refused stream at once; status and flush answers are read only up to
// their bound; the listener's words reach the log quoted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harvestOverRoute } from '../../../src/harvest/agent-route.js';
import { harvestTarget } from '../../../src/harvest/harvest-target.js';
import { MAX_AGENT_ANSWER_BYTES } from '../../../src/harvest/limits.js';
import { TargetSession } from '../../../src/harvest/session.js';
import type { Target } from '../../../src/targets/target.js';
import {
  confirmingAgent,
  coverageDataDir,
  harvestSettings,
  MAKE_DB,
  PYTHON,
  routedPod,
  standInAgent,
  type StandInAnswer,
} from '../../support/agent-stand-ins.js';
import { LocalTarget } from '../../support/local-target.js';
import { tar } from '../../support/tar-craft.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A LocalTarget (the real in-target programs) whose agent answers through a route on `port`. */
function routedLocal(port: number): Target & { local: LocalTarget } {
  const local = new LocalTarget();
  cleanups.push(() => local.stop());
  return {
    local,
    kind: 'docker',
    id: local.id,
    label: local.label,
    exec: (argv, options) => local.exec(argv, options),
    isRunning: () => local.isRunning(),
    routeToAgent: async () => ({
      origin: `http://127.0.0.1:${port}`,
      via: 'the container network',
      close: async () => undefined,
    }),
  };
}

const dest = () => mkdtempSync(join(tmpdir(), 'dest-'));

describe('a GET /data stream that breaks a rule', () => {
  it.each([
    ['a symbolic link', [{ name: '.coverage.a', type: '2', linkname: '/etc/passwd' }]],
    ['an entry named ../../pwn', [{ name: '../../pwn', data: 'x' }]],
    ['an absolute name', [{ name: '/etc/cron.d/pwn', data: 'x' }]],
    ['a device', [{ name: '.coverage.d', type: '3' }]],
  ])(
    'is refused (%s), and the packer inside the target reads the files again',
    async (_what, entries) => {
      const dir = coverageDataDir();
      execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.real'))]);
      const { port } = await standInAgent(undefined, confirmingAgent(tar(entries)));
      const target = routedLocal(port);
      const lines: string[] = [];
      const harvest = await harvestTarget(target, {
        settings: harvestSettings(dir),
        destDir: dest(),
        log: (line) => lines.push(line),
      });
      expect(harvest.outcome.error).toBeUndefined();
      expect(harvest.outcome.method).toBe('http');
      expect(harvest.files.map((f) => f.path.split('/').pop())).toEqual(['.coverage.real']);
      expect(lines.find((l) => l.includes('refused the data stream'))).toMatch(
        /^container local: refused the data stream of GET \/pycov-harvest\/data \(.+\); packing inside the target$/,
      );
    },
  );
});

describe('a GET /data stream cut off on the way', () => {
  it('is left, and the packer inside the target reads the files again', async () => {
    const dir = coverageDataDir();
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.real'))]);
    const server = createServer((req, res) => {
      if (req.url !== '/pycov-harvest/data') {
        const [status, payload] = confirmingAgent(Buffer.alloc(0))(req.url ?? '', '');
        res.writeHead(status).end(JSON.stringify(payload));
        return;
      }
      res.writeHead(200);
      res.write(Buffer.alloc(100), () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => void server.close());
    const lines: string[] = [];
    const harvest = await harvestTarget(routedLocal((server.address() as { port: number }).port), {
      settings: harvestSettings(dir),
      destDir: dest(),
      log: (line) => lines.push(line),
    });
    expect(harvest.outcome.error).toBeUndefined();
    expect(harvest.files.map((f) => f.path.split('/').pop())).toEqual(['.coverage.real']);
    expect(lines.some((l) => l.endsWith('; packing inside the target'))).toBe(true);
  });
});

describe('reading what the listener sends', () => {
  it('stops reading a refused stream at once instead of reading it to its end', async () => {
    let written = 0;
    let closed = false;
    const server = createServer((req, res) => {
      const [status, payload] = confirmingAgent(Buffer.alloc(0))(req.url ?? '', '');
      if (req.url !== '/pycov-harvest/data') {
        res.writeHead(status).end(JSON.stringify(payload));
        return;
      }
      res.writeHead(200);
      res.write(
        tar([{ name: '.coverage.x', type: '2', linkname: '/etc/passwd' }]).subarray(0, 512),
      );
      const timer = setInterval(() => {
        written += 65536;
        res.write(Buffer.alloc(65536));
      }, 5);
      res.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => void server.close());
    const port = (server.address() as { port: number }).port;
    const target = routedPod(port);
    const began = performance.now();
    const result = await harvestOverRoute(
      new TargetSession(target, '/coverdata'),
      harvestSettings('/coverdata'),
      dest(),
    );
    expect(result).toMatchObject({ reached: true });
    expect(result.reached && result.dataProblem).toMatch(/symbolic link ".coverage.x"/);
    expect(performance.now() - began).toBeLessThan(5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(true);
    expect(written).toBeLessThan(64 * 65536);
  });

  it(`reads a status answer only up to ${MAX_AGENT_ANSWER_BYTES} bytes`, async () => {
    const big = Buffer.alloc(MAX_AGENT_ANSWER_BYTES + 1, 0x20);
    const { port } = await standInAgent(undefined, () => [200, big]);
    const result = await harvestOverRoute(
      new TargetSession(routedPod(port), '/coverdata'),
      harvestSettings('/coverdata'),
      dest(),
    );
    expect(result).toEqual({
      reached: false,
      reason: `the agent's status answer is larger than ${MAX_AGENT_ANSWER_BYTES} bytes, the bound of an agent answer, so it was not read`,
    });
  });

  it('reads a flush answer only up to its bound, as an attempt that was not confirmed', async () => {
    const big = Buffer.alloc(MAX_AGENT_ANSWER_BYTES + 1, 0x20);
    const status = confirmingAgent(Buffer.alloc(0));
    const { port } = await standInAgent(undefined, (path, body) =>
      path === '/pycov-harvest/flush' ? [200, big] : status(path, body),
    );
    const result = await harvestOverRoute(
      new TargetSession(routedPod(port), '/coverdata'),
      harvestSettings('/coverdata'),
      dest(),
    );
    expect(result.reached && result.attempt).toMatchObject({
      confirmed: false,
      detail: `the agent's flush answer is larger than ${MAX_AGENT_ANSWER_BYTES} bytes, the bound of an agent answer, so it was not read`,
    });
  });

  it('quotes the reasons of a flush answer and the versions of a status answer', async () => {
    const forged: StandInAnswer = (path) =>
      path === '/pycov-harvest/status'
        ? [
            200,
            {
              processes: [
                { pid: 7, python: '3.11.2\n::error::PWN', coverage: '7.1\n::x', port: 1 },
              ],
            },
          ]
        : [
            504,
            {
              seq: null,
              ok: false,
              acks: [],
              missing: [{ pid: 7, reason: 'x\n::stop-commands::pwn' }],
            },
          ];
    const { port } = await standInAgent(undefined, forged);
    const lines: string[] = [];
    const harvest = await harvestTarget(
      { ...routedPod(port), exec: () => Promise.reject(new Error('no exec in this test')) },
      {
        settings: harvestSettings('/coverdata', { methods: ['http'] }),
        destDir: dest(),
        log: (line) => lines.push(line),
      },
    );
    expect(lines[0]).toBe(
      'pod e2e/api: http not confirmed in ' +
        `${harvest.outcome.attempts[0]?.ms} ms: the agent answered HTTP 504 through a port-forward (pid 7: "x\\n::stop-commands::pwn")`,
    );
    expect(harvest.versions).toEqual({ python: null, coverage: null });
    expect(harvest.warnings).toEqual(
      expect.arrayContaining([
        'pod e2e/api reports Python version "3.11.2\\n::error::PWN", which is not a version; it is ignored for choosing the conversion\'s toolchain',
        'pod e2e/api reports coverage.py version "7.1\\n::x", which is not a version; it is ignored for choosing the conversion\'s toolchain',
      ]),
    );
  });
});
