// One target's harvest without a container engine: a LocalTarget (a private PID namespace on this
// machine) runs the real in-target programs; a stand-in listener plays the agent behind a
// port-forward; a scripted target plays a container that stops under SIGTERM.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harvestTarget } from '../../../src/harvest/harvest-target.js';
import type { ExecResult, Target } from '../../../src/targets/target.js';
import {
  agentStream,
  confirmingAgent,
  coverageDataDir,
  harvestSettings,
  MAKE_DB,
  PYTHON,
  routedPod,
  saveSignalServer,
  standInAgent,
} from '../../support/agent-stand-ins.js';
import { LocalTarget } from '../../support/local-target.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const settings = harvestSettings;
const dataDir = () => coverageDataDir();

function localTarget(): LocalTarget {
  const target = new LocalTarget();
  cleanups.push(() => target.stop());
  return target;
}

function logLines(): { log: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe('harvestTarget on real programs', () => {
  it('one exec does the probe, the chain and the copy; the outcome is built once', async () => {
    const dir = dataDir();
    const target = localTarget();
    await saveSignalServer(target, dir);
    const dest = mkdtempSync(join(tmpdir(), 'dest-'));
    const { log, lines } = logLines();
    const harvest = await harvestTarget(target, { settings: settings(dir), destDir: dest, log });
    expect(harvest.outcome).toMatchObject({ method: 'signal', files: 1 });
    expect(harvest.outcome.attempts.map((a) => [a.method, a.confirmed])).toEqual([
      ['http', false],
      ['signal', true],
    ]);
    expect(harvest.files.map((f) => f.path)).toEqual([join(dest, '.coverage.saved')]);
    expect(target.execs).toBe(1);
    expect(lines).toContain(`${target.label}: copied 1 data file(s), 8192 bytes (via pack)`);
  });

  it('falls back from a port-forward that cannot open to the agent from inside the target', async () => {
    const dir = dataDir();
    const local = localTarget();
    await saveSignalServer(local, dir);
    const target: Target = {
      kind: 'kubernetes',
      id: local.id,
      label: local.label,
      exec: (argv, options) => local.exec(argv, options),
      isRunning: () => local.isRunning(),
      routeToAgent: () =>
        Promise.reject(new Error('the port-forward failed: pods "svc" is forbidden')),
    };
    const { log, lines } = logLines();
    const harvest = await harvestTarget(target, {
      settings: settings(dir),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log,
    });
    expect(lines).toContain(
      `${local.label}: the port-forward failed: pods "svc" is forbidden; asking the agent from inside the target`,
    );
    expect(harvest.outcome.method).toBe('signal');
  });
});

describe('http through a port-forward', () => {
  it('reads the token in the target only after a 401, then status, flush and data, with no other exec', async () => {
    const dir = dataDir();
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.api.pid7.Xa'))]);
    const { port, seen } = await standInAgent('s3cret', confirmingAgent(agentStream(dir)));
    const target = routedPod(port, { token: 's3cret' });
    const dest = mkdtempSync(join(tmpdir(), 'dest-'));
    const { log, lines } = logLines();
    const harvest = await harvestTarget(target, { settings: settings(dir), destDir: dest, log });
    expect(harvest.outcome.error).toBeUndefined();
    expect(harvest.outcome).toMatchObject({ method: 'http', files: 1 });
    expect(harvest.outcome.error).toBeUndefined();
    expect(harvest.versions).toEqual({ python: '3.11.2', coverage: '7.17.4' });
    expect(target.execs).toEqual(['9797']);
    expect(seen).toEqual([
      'GET /pycov-harvest/status -',
      'GET /pycov-harvest/status Bearer s3cret',
      'POST /pycov-harvest/flush Bearer s3cret {"timeout":3}',
      'GET /pycov-harvest/data Bearer s3cret',
    ]);
    expect(lines.some((l) => l.includes('s3cret'))).toBe(false);
    expect(lines).toContain('pod e2e/api: copied 1 data file(s), 8192 bytes (via agent)');
  });
});

describe('sigterm when the target stops under it', () => {
  /** A container whose sigterm program is cut off after `sent` (it stopped with the server). */
  function stoppingTarget(dir: string, t0: number): Target {
    return {
      kind: 'docker',
      id: 'c1',
      label: 'container api',
      async exec(argv: readonly string[]): Promise<ExecResult> {
        const args = JSON.parse(argv[argv.length - 1] ?? '{}') as { methods?: unknown };
        if (args.methods !== undefined) {
          // The harvest program: nothing saved in the target, sigterm comes next.
          const probe = {
            event: 'probe',
            time: t0,
            python: '3.11.2',
            executable: '/usr/bin/python3',
            data_dir_exists: true,
            agents: [],
            malformed: [],
            processes: [],
            data_files: [],
            skipped_files: [],
            versions: null,
          };
          return { exitCode: 0, stdout: Buffer.from(`${JSON.stringify(probe)}\n`), stderr: '' };
        }
        const sent = { event: 'sent', t0, pids: [7], signal: 'SIGTERM', errors: [] };
        return {
          exitCode: -1,
          stdout: Buffer.from(`${JSON.stringify(sent)}\n`),
          stderr: 'the exec session ended',
        };
      },
      isRunning: async () => true,
      copyFromOutside: async (path: string, _max: number, onChunk: (chunk: Buffer) => void) => {
        onChunk(execFileSync('tar', ['-C', path, '-cf', '-', '.']));
      },
    };
  }

  it('confirms by a data file written at or after the signal, read from outside', async () => {
    const dir = dataDir();
    const t0 = Math.floor(Date.now() / 1000) - 5;
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage'))]);
    const harvest = await harvestTarget(stoppingTarget(dir, t0), {
      settings: settings(dir, { methods: ['signal', 'sigterm'] }),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome.method).toBe('sigterm');
    expect(harvest.outcome.attempts.at(-1)?.detail).toBe(
      'the target stopped after SIGTERM, leaving 1 fresh data file(s)',
    );
    expect(harvest.files).toHaveLength(1);
  });

  it('does not confirm by a data file older than the signal', async () => {
    const dir = dataDir();
    const t0 = Math.floor(Date.now() / 1000);
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage'))]);
    utimesSync(join(dir, '.coverage'), t0 - 600, t0 - 600);
    const harvest = await harvestTarget(stoppingTarget(dir, t0), {
      settings: settings(dir, { methods: ['signal', 'sigterm'] }),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome.method).toBeNull();
    expect(harvest.outcome.attempts.at(-1)?.detail).toMatch(
      /^the target stopped after SIGTERM without writing a data file/,
    );
    expect(harvest.warnings.some((w) => w.includes('no flush method confirmed a save'))).toBe(true);
  });
});
