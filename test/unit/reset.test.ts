// The `reset` input on one target's harvest: the http flush asks the agent for a reset (through a
// port-forward and from inside the target alike), and a save by another method says that no fresh
// window started.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harvestTarget } from '../../src/harvest/harvest-target.js';
import type { HarvestSettings } from '../../src/harvest/settings.js';
import type { AgentRoute, Target } from '../../src/targets/target.js';
import { repoRoot } from '../support/images.js';
import { LocalTarget } from '../support/local-target.js';

const PYTHON = 'python3';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const settings = (dataDir: string, overrides: Partial<HarvestSettings> = {}): HarvestSettings => ({
  dataDir,
  agentPort: 9797,
  flushTimeoutMs: 3000,
  gracefulTimeoutMs: 6000,
  signal: 'SIGUSR1',
  methods: ['http', 'signal', 'sigterm'],
  maxBytes: 1 << 24,
  reset: true,
  ...overrides,
});

const MAKE_DB = (path: string) =>
  `import sqlite3\ndb = sqlite3.connect(${JSON.stringify(path)})\ndb.execute("create table t(x)")\ndb.commit()\ndb.close()\n`;

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reset-'));
  mkdirSync(join(dir, '.pycov-harvest'));
  return dir;
}

describe('reset', () => {
  it('the flush through a port-forward asks the agent for a reset', async () => {
    const dir = dataDir();
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.api.pid7.Xa'))]);
    const stream = execFileSync(
      PYTHON,
      [
        '-c',
        'import sys\nfrom pycov_harvest import tarstream\ntarstream.write(sys.argv[1], sys.stdout.buffer)',
        dir,
      ],
      { env: { ...process.env, PYTHONPATH: join(repoRoot, 'agent') } },
    );
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/pycov-harvest/status') {
          res.end(
            JSON.stringify({
              processes: [{ pid: 7, python: '3.11.2', coverage: '7.17.4', port: 9797 }],
            }),
          );
        } else if (req.url === '/pycov-harvest/flush') {
          bodies.push(body);
          res.end(JSON.stringify({ seq: 3, ok: true, acks: [{ pid: 7 }], missing: [] }));
        } else {
          res.end(stream);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const target: Target = {
      kind: 'kubernetes',
      id: 'pod',
      label: 'pod e2e/api',
      exec: () => Promise.reject(new Error('no exec expected')),
      isRunning: async () => true,
      routeToAgent: async (): Promise<AgentRoute> => ({
        origin: `http://127.0.0.1:${port}`,
        via: 'a port-forward',
        close: async () => undefined,
      }),
    };
    const harvest = await harvestTarget(target, {
      settings: settings(dir),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome).toMatchObject({ method: 'http', files: 1 });
    expect(bodies.map((b) => JSON.parse(b) as unknown)).toEqual([{ timeout: 3, reset: true }]);
    expect(harvest.outcome.attempts[0]?.detail).toContain('acknowledged flush #3 (reset)');
    expect(harvest.warnings).toEqual([]);
  });

  it('a save by the save signal warns that no fresh window started', async () => {
    const dir = dataDir();
    const target = new LocalTarget();
    cleanups.push(() => target.stop());
    const script = join(dir, 'coverage');
    writeFileSync(
      script,
      `import signal, time\ndef save(*_):\n${MAKE_DB(join(dir, '.coverage.saved')).replace(/^/gm, '    ')}\nsignal.signal(signal.SIGUSR1, save)\nopen(${JSON.stringify(join(dir, 'ready'))}, 'w').close()\ntime.sleep(60)`,
    );
    await target.start([PYTHON, script, 'run', '--save-signal=USR1', '-m', 'uvicorn']);
    for (let i = 0; i < 200 && !readdirSync(dir).includes('ready'); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const harvest = await harvestTarget(target, {
      settings: settings(dir),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome.method).toBe('signal');
    expect(harvest.warnings).toEqual([
      `${target.label}: \`reset\` needs the \`http\` method, but signal saved the data, so no fresh window started there and its next harvest holds this one's data too; keep the agent's listener on (PYCOV_HARVEST_PORT)`,
    ]);
  });
});
