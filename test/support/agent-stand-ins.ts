// Stand-ins for the unit tests of one target's harvest and switch: a data directory with real
// coverage-style SQLite files, the agent's own data stream for it, a `coverage run --save-signal`
// server in a LocalTarget, a stand-in agent listener, and a pod reached through a route to it.
// Everything registered here is cleaned up when the current test finishes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import type { HarvestSettings } from '../../src/harvest/settings.js';
import type { AgentRoute, ExecOptions, ExecResult, Target } from '../../src/targets/target.js';
import { repoRoot } from './images.js';
import type { LocalTarget } from './local-target.js';

export const PYTHON = 'python3';

/** A Python snippet that writes an SQLite database at `path`. */
export const MAKE_DB = (path: string): string =>
  `import sqlite3\ndb = sqlite3.connect(${JSON.stringify(path)})\ndb.execute("create table t(x)")\ndb.commit()\ndb.close()\n`;

/** An empty data directory with the agent's registry folder. */
export function coverageDataDir(prefix = 'harvest-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, '.pycov-harvest'));
  return dir;
}

export function harvestSettings(
  dataDir: string,
  overrides: Partial<HarvestSettings> = {},
): HarvestSettings {
  return {
    dataDir,
    agentPort: 9797,
    flushTimeoutMs: 3000,
    gracefulTimeoutMs: 6000,
    signal: 'SIGUSR1',
    methods: ['http', 'signal', 'sigterm'],
    maxBytes: 1 << 24,
    ...overrides,
  };
}

/** The agent's data stream for a directory, written by the agent's own packer. */
export function agentStream(dir: string): Buffer {
  return execFileSync(
    PYTHON,
    [
      '-c',
      'import sys\nfrom pycov_harvest import tarstream\ntarstream.write(sys.argv[1], sys.stdout.buffer)',
      dir,
    ],
    { env: { ...process.env, PYTHONPATH: join(repoRoot, 'agent') } },
  );
}

/** A `coverage run --save-signal=USR1` stand-in in `target` that writes a database on the signal. */
export async function saveSignalServer(target: LocalTarget, dir: string): Promise<void> {
  const script = join(dir, 'coverage');
  writeFileSync(
    script,
    `import signal, time\ndef save(*_):\n${MAKE_DB(join(dir, '.coverage.saved')).replace(/^/gm, '    ')}\nsignal.signal(signal.SIGUSR1, save)\nopen(${JSON.stringify(join(dir, 'ready'))}, 'w').close()\ntime.sleep(60)`,
  );
  await target.start([PYTHON, script, 'run', '--save-signal=USR1', '-m', 'uvicorn']);
  for (let i = 0; i < 200 && !readdirSync(dir).includes('ready'); i++)
    await new Promise((resolve) => setTimeout(resolve, 25));
}

/** What a stand-in listener answers: a status code and a JSON payload or raw bytes. */
export type StandInAnswer = (path: string, body: string) => [number, object | Buffer];

export interface StandInAgent {
  readonly port: number;
  /** Every request as `METHOD URL AUTHORIZATION[ BODY]` (`-` for no authorization). */
  readonly seen: string[];
}

/**
 * A stand-in agent listener on loopback: without `Bearer <token>` (when one is given) it answers
 * 401 as the agent does, otherwise what `answer` says for the path.
 */
export async function standInAgent(
  token: string | undefined,
  answer: StandInAnswer,
): Promise<StandInAgent> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push(
        `${req.method} ${req.url} ${req.headers.authorization ?? '-'}${body ? ` ${body}` : ''}`,
      );
      if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end('{"error": "missing or wrong token"}');
        return;
      }
      const [status, payload] = answer(req.url ?? '', body);
      res.writeHead(status).end(Buffer.isBuffer(payload) ? payload : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => void server.close());
  return { port: (server.address() as { port: number }).port, seen };
}

/** The agent's answers to a status and a confirmed flush, then `data` for everything else. */
export function confirmingAgent(data: Buffer): StandInAnswer {
  return (path) =>
    path === '/pycov-harvest/status'
      ? [200, { processes: [{ pid: 7, python: '3.11.2', coverage: '7.17.4', port: 9797 }] }]
      : path === '/pycov-harvest/flush'
        ? [200, { seq: 3, ok: true, acks: [{ pid: 7 }], missing: [] }]
        : [200, data];
}

/**
 * A pod reached through a port-forward to a runner port. Its only exec is the token program,
 * answered with `token` as the pod would (the ports it was asked for land in `execs`); without a
 * token, any exec fails the test.
 */
export function routedPod(
  port: number,
  options: { label?: string; token?: string } = {},
): Target & { execs: string[] } {
  const execs: string[] = [];
  const label = options.label ?? 'pod e2e/api';
  return {
    execs,
    kind: 'kubernetes',
    id: label,
    label,
    async exec(argv: readonly string[], execOptions?: ExecOptions): Promise<ExecResult> {
      if (options.token === undefined) throw new Error('no exec expected');
      execs.push(String(JSON.parse(argv[argv.length - 1] ?? '{}').port));
      expect(execOptions?.stdin?.length).toBeGreaterThan(0);
      return {
        exitCode: 0,
        stdout: Buffer.from(`{"event": "token", "token": ${JSON.stringify(options.token)}}\n`),
        stderr: '',
      };
    },
    isRunning: async () => true,
    routeToAgent: async (): Promise<AgentRoute> => ({
      origin: `http://127.0.0.1:${port}`,
      via: 'a port-forward',
      close: async () => undefined,
    }),
  };
}
