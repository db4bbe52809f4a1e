// The `sigterm` method when the server cannot be stopped while a connection is open: the program
// signals nothing and names the connections (test/remote-py/test_sigterm.py runs it on real
// uvicorn); here, what the action makes of it. A target that delegates to a LocalTarget (the real
// harvest program in a PID namespace) and answers for the sigterm program as it would on the first
// users' stack.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { noDataMessage, stuckMessage } from '../../../src/harvest/harvest-all.js';
import { harvestTarget } from '../../../src/harvest/harvest-target.js';
import type { TargetOutcome } from '../../../src/harvest/outcome.js';
import { connectionsLine, gracefulWarnings } from '../../../src/harvest/sigterm.js';
import type { ConnectionsEvent, PythonProcess } from '../../../src/remote/contract.js';
import type { ExecOptions, ExecResult, Target } from '../../../src/targets/target.js';
import {
  coverageDataDir,
  harvestSettings,
  MAKE_DB,
  PYTHON,
} from '../../support/agent-stand-ins.js';
import { LocalTarget } from '../../support/local-target.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const REASON =
  "uvicorn 0.30.6 on Python 3.12 (asyncio event loop) cannot be stopped while a connection is open (asyncio's Server.wait_closed() waits for it, and uvicorn's force quit awaits that too: docs/action.md, the force-quit table), and 1 connection is open (10.88.0.1:34434), so the service was left running; add `--timeout-graceful-shutdown 5` to the uvicorn command, use the agent (PYCOV_HARVEST=1), or let the `attach` method save it (list it in `methods` before `sigterm`)";

const seen: ConnectionsEvent = {
  pid: 7,
  python: '3.12',
  uvicorn: '0.30.6',
  loop: 'asyncio',
  graceful: null,
  cannot_force_quit: true,
  listeners: ['0.0.0.0:8080'],
  connections: [{ peer: '10.88.0.1:34434', state: 'ESTABLISHED' }],
  error: undefined,
};

const server: PythonProcess = {
  pid: 7,
  ppid: 1,
  argv: ['python3', '-m', 'coverage', 'run', '-m', 'uvicorn', 'src.main:app'],
  server: 'uvicorn',
  coverage_run: true,
  coverage_startup: false,
  agent_env: false,
  save_signal: null,
  graceful_timeout: null,
  top: true,
  executable: '/usr/local/bin/python3.12',
  starttime: 100,
};

/** The real harvest program in a PID namespace; the sigterm program's answer scripted. */
function stuckTarget(sigtermLines: readonly object[]): Target & { sigtermRuns: number } {
  const local = new LocalTarget('api');
  cleanups.push(() => local.stop());
  const target = {
    kind: 'docker' as const,
    id: 'api',
    label: 'container api',
    sigtermRuns: 0,
    exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
      const args = JSON.parse(argv[argv.length - 1] ?? '{}') as { escalate_after?: unknown };
      if (args.escalate_after === undefined) return local.exec(argv, options);
      target.sigtermRuns++;
      const stdout = sigtermLines.map((line) => JSON.stringify(line)).join('\n') + '\n';
      return Promise.resolve({ exitCode: 0, stdout: Buffer.from(stdout), stderr: '' });
    },
    isRunning: () => local.isRunning(),
  };
  return target;
}

describe('a service that no signal can stop while a connection is open', () => {
  const lines = [
    { event: 'connections', ...seen },
    {
      event: 'result',
      confirmed: false,
      sent: false,
      exited: false,
      files: [],
      stuck: true,
      held: seen.connections,
      reason: REASON,
    },
  ];

  it('is not stopped: the attempt carries the sentence and the peers, the data already there is copied', async () => {
    const dir = coverageDataDir();
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage'))]);
    const target = stuckTarget(lines);
    const logged: string[] = [];
    const harvest = await harvestTarget(target, {
      settings: harvestSettings(dir),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: (line) => logged.push(line),
    });
    expect(target.sigtermRuns).toBe(1);
    expect(harvest.outcome.method).toBeNull();
    expect(harvest.outcome.attempts.at(-1)).toMatchObject({
      method: 'sigterm',
      confirmed: false,
      stuck: true,
      held: ['10.88.0.1:34434'],
      detail: REASON,
    });
    expect(harvest.files).toHaveLength(1);
    // The failure says it once: no "no flush method confirmed" warning repeating the sentence.
    expect(harvest.warnings).toEqual([]);
    expect(logged).toContain(
      'container api: uvicorn 0.30.6 on Python 3.12 (pid 7, event loop asyncio, graceful timeout none): 1 open connection(s) that may hold its shutdown (10.88.0.1:34434 ESTABLISHED); no signal ends its shutdown while one is open (the force-quit table)',
    );
    expect(stuckMessage([harvest.outcome])).toBe(`container api: ${REASON}`);
  });

  it('leads the step failure, with or without data, in one sentence', () => {
    const outcome: TargetOutcome = {
      label: 'container api',
      method: null,
      ms: 6100,
      files: 0,
      bytes: 0,
      attempts: [
        { method: 'http', confirmed: false, ms: 10, detail: 'no agent registered' },
        { method: 'sigterm', confirmed: false, ms: 6000, detail: REASON, stuck: true },
      ],
    };
    const harvest = { outcome, files: [], versions: null, warnings: [] };
    expect(noDataMessage([harvest], '/coverdata')).toBe(`container api: ${REASON}`);
    expect(stuckMessage([{ ...outcome, attempts: outcome.attempts.slice(0, 1) }])).toBeUndefined();
  });

  it('gets no "had to force it to quit" warning, which the failure replaces', () => {
    expect(gracefulWarnings([server], 'container api', [7])).toEqual([]);
    expect(gracefulWarnings([server], 'container api')).toHaveLength(1);
  });
});

describe('the connections log line', () => {
  it("quotes what the target made that is not in the program's formats", () => {
    const odd: ConnectionsEvent = {
      ...seen,
      uvicorn: '0.30.6\n::error::x',
      loop: 'my.loop:Loop',
      cannot_force_quit: false,
      graceful: 5,
      connections: [{ peer: '<b>x</b>', state: 'ESTABLISHED' }],
    };
    expect(connectionsLine('container api', odd)).toBe(
      'container api: uvicorn "0.30.6\\n::error::x" on Python 3.12 (pid 7, event loop "my.loop:Loop", graceful timeout 5 s): 1 open connection(s) that may hold its shutdown ("<b>x</b>" ESTABLISHED)',
    );
  });

  it('says when the program could not read the open files', () => {
    expect(
      connectionsLine('container api', {
        ...seen,
        connections: [],
        error: 'cannot read its open files (Permission denied)',
      }),
    ).toBe(
      'container api: uvicorn 0.30.6 on Python 3.12 (pid 7, event loop asyncio, graceful timeout none): "cannot read its open files (Permission denied)"',
    );
  });
});
