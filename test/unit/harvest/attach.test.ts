// `attach`'s choices on the runner side: which processes it asks, which refusals send it to the
// injector container, and the one line the log and the summary get. The attach program itself is
// proven against real services in test/attach/ and test/e2e/attach.test.ts; here a scripted
// target answers with the program's own event lines.
import { describe, expect, it } from 'vitest';
import { attachCandidates, attachMethod } from '../../../src/harvest/attach.js';
import { TargetSession } from '../../../src/harvest/session.js';
import type { ProbeReport, PythonProcess } from '../../../src/remote/contract.js';
import type { BesideOptions, ExecResult, Target } from '../../../src/targets/target.js';
import { LOADER } from '../../../src/remote/programs.js';
import { harvestSettings } from '../../support/agent-stand-ins.js';

function proc(pid: number, ppid: number, fields: Partial<PythonProcess> = {}): PythonProcess {
  return {
    pid,
    ppid,
    argv: ['python3', '-m', 'uvicorn', 'app:app'],
    server: 'uvicorn',
    coverage_run: false,
    coverage_startup: false,
    agent_env: false,
    save_signal: null,
    graceful_timeout: null,
    top: false,
    executable: '/usr/local/bin/python3.12',
    starttime: 1000 + pid,
    ...fields,
  };
}

describe('attachCandidates', () => {
  it('asks coverage run processes and every Python process below them, never multiprocessing helpers', () => {
    const processes = [
      proc(7, 1, { coverage_run: true, top: true }),
      proc(9, 7, {
        argv: ['python3', '-c', 'from multiprocessing.resource_tracker import main;main(5)'],
      }),
      proc(10, 7, { argv: ['python3', '-c', 'from multiprocessing.spawn import spawn_main'] }),
      proc(11, 10),
      proc(20, 1, { top: true }),
      proc(30, 1, { coverage_startup: true, top: true }),
    ];
    expect(attachCandidates(processes).map((p) => p.pid)).toEqual([7, 10, 11, 30]);
  });

  it('asks nothing when no process runs coverage', () => {
    expect(attachCandidates([proc(20, 1, { top: true }), proc(21, 20)])).toEqual([]);
  });
});

type Line = Record<string, unknown>;

/** A target whose attach program prints `inside(pids)`, and whose injector prints `beside(pids)`. */
function scripted(
  inside: (pids: number[]) => Line[],
  beside?: (pids: number[]) => Line[],
): { target: Target; besides: { argv: readonly string[]; options: BesideOptions }[] } {
  const answer = (argv: readonly string[], lines: (pids: number[]) => Line[]): ExecResult => {
    const args = JSON.parse(argv[argv.length - 1] ?? '{}') as { pids: number[] };
    const text = lines(args.pids)
      .map((line) => JSON.stringify(line))
      .join('\n');
    return { exitCode: 0, stdout: Buffer.from(`${text}\n`), stderr: '' };
  };
  const besides: { argv: readonly string[]; options: BesideOptions }[] = [];
  const target: Target = {
    kind: 'docker',
    id: 'c1',
    label: 'container api',
    exec: (argv) => Promise.resolve(answer(argv, inside)),
    isRunning: () => Promise.resolve(true),
    ...(beside === undefined
      ? {}
      : {
          runBeside: (argv: readonly string[], options: BesideOptions) => {
            besides.push({ argv, options });
            return Promise.resolve(answer(argv, beside));
          },
        }),
  };
  return { target, besides };
}

const saved = (pid: number): Line => ({
  event: 'attached',
  pid,
  data_file: `/coverdata/.coverage.h.${pid}.x`,
  bytes: 53248,
  coverage: '7.18.0',
  core: 'CTracer',
  python: '3.12.1',
  route: 'ptrace',
  syscall: 'epoll_wait',
});
const DENIED =
  'the kernel refused to let this process trace pid 7 (PTRACE_SEIZE: Operation not permitted): run attach with CAP_SYS_PTRACE (...), or use the agent';
const denied = (pid: number): Line => ({ event: 'refused', pid, reason: DENIED, cause: 'denied' });

function report(processes: PythonProcess[]): ProbeReport {
  return {
    time: 0,
    python: '3.12.1',
    executable: '/usr/local/bin/python3.12',
    data_dir_exists: true,
    agents: [],
    malformed: [],
    processes,
    data_files: [],
    skipped_files: [],
    versions: null,
  };
}

const twoWorkers = [
  proc(7, 1, { coverage_run: true, top: true }),
  proc(8, 7, { executable: '/opt/other/python3.12' }),
];

async function attach(target: Target, processes = twoWorkers, image = '', attachStart = false) {
  const session = new TargetSession(target, '/coverdata');
  const settings = harvestSettings('/coverdata', { attachImage: image, attachStart });
  return attachMethod(session, settings, report(processes));
}

describe('attachMethod', () => {
  it('is confirmed from inside the target when every process saved; no injector container', async () => {
    const { target, besides } = scripted(
      (pids) => pids.map(saved),
      () => [],
    );
    const { attempt, warnings } = await attach(target);
    expect(attempt).toMatchObject({
      method: 'attach',
      confirmed: true,
      detail:
        '2 process(es) saved their coverage from inside the target (ptrace pending call, thread caught in epoll_wait)',
    });
    expect(besides).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('asks the injector container for exactly the processes the kernel refused, with each one its own interpreter', async () => {
    const { target, besides } = scripted(
      (pids) => pids.map((pid) => (pid === 8 ? denied(pid) : saved(pid))),
      (pids) => pids.map(saved),
    );
    const { attempt } = await attach(target);
    expect(besides.map((b) => [b.argv[0], JSON.parse(b.argv[b.argv.length - 1] ?? '')])).toEqual([
      ['/opt/other/python3.12', expect.objectContaining({ pids: [8], starts: { '8': 1008 } })],
    ]);
    expect(besides[0]?.options.image).toBeUndefined();
    expect(attempt.confirmed).toBe(true);
    expect(attempt.detail).toBe(
      `1 process(es) saved their coverage from inside the target (ptrace pending call, thread caught in epoll_wait); 1 process(es) saved their coverage from an injector container (the target's own image) (ptrace pending call, thread caught in epoll_wait); from inside the target: ${DENIED}`,
    );
  });

  it('runs `attach-image` with its own python3', async () => {
    const { target, besides } = scripted(
      (pids) => pids.map(denied),
      (pids) => pids.map(saved),
    );
    await attach(target, twoWorkers, 'python:3.12-slim');
    expect(besides.map((b) => [b.argv[0], b.options.image])).toEqual([
      ['python3', 'python:3.12-slim'],
    ]);
  });

  it('respects remote debugging turned off: no injector container, not confirmed', async () => {
    const off =
      'pid 7 has remote debugging turned off (PYTHON_DISABLE_REMOTE_DEBUG, ...): remove that setting, or use the agent';
    const { target, besides } = scripted(
      (pids) => pids.map((pid) => ({ event: 'refused', pid, reason: off, cause: 'disabled' })),
      (pids) => pids.map(saved),
    );
    const { attempt } = await attach(target, [proc(7, 1, { coverage_run: true, top: true })]);
    expect(besides).toEqual([]);
    expect(attempt).toMatchObject({ confirmed: false, detail: off });
  });

  it('does not count a process that runs no coverage, but says so', async () => {
    const none =
      'pid 8 runs no coverage (no coverage.Coverage.current()); start it with `coverage run` or the agent';
    const { target } = scripted((pids) =>
      pids.map((pid) =>
        pid === 8 ? { event: 'refused', pid, reason: none, cause: 'no-coverage' } : saved(pid),
      ),
    );
    const { attempt } = await attach(target);
    expect(attempt.confirmed).toBe(true);
    expect(attempt.detail).toContain(`; ${none}`);
  });

  it('without an injector container for the target kind, the refusal stands and says so', async () => {
    const { target } = scripted((pids) => pids.map(denied));
    const { attempt } = await attach(target, [proc(7, 1, { coverage_run: true, top: true })]);
    expect(attempt).toMatchObject({
      confirmed: false,
      detail: `${DENIED}; docker targets have no injector container`,
    });
  });

  it('shows two refusals of a route and counts the rest', async () => {
    const { target } = scripted((pids) => pids.map(denied));
    const four = [7, 8, 9, 10].map((pid) =>
      proc(pid, pid === 7 ? 1 : 7, { coverage_run: pid === 7 }),
    );
    const { attempt } = await attach(target, four);
    expect(attempt.detail).toBe(
      `${DENIED}; ${DENIED}; 2 more process(es) refused likewise; docker targets have no injector container`,
    );
  });

  it('warns when a process saved outside `data-dir`', async () => {
    const { target } = scripted((pids) =>
      pids.map((pid) => ({ ...saved(pid), data_file: '/app/.coverage' })),
    );
    const { attempt, warnings } = await attach(target, [
      proc(7, 1, { coverage_run: true, top: true }),
    ]);
    expect(attempt.confirmed).toBe(true);
    expect(warnings).toEqual([
      'container api: pid 7 saved its coverage to "/app/.coverage", outside `data-dir` (/coverdata), so it is not copied; set `data-dir` to "/app", or point the service\'s `[run] data_file` into /coverdata',
    ]);
  });

  it('`attach-start`: starts coverage in every Python process when none runs it, and says lines before are not measured', async () => {
    const asked: unknown[] = [];
    const { target } = scripted((pids) =>
      pids.map((pid) =>
        pid === 20
          ? { ...saved(pid), started: 1_700_000_000 }
          : {
              event: 'started',
              pid,
              data_file: '/coverdata/.coverage.h.21.x',
              coverage: '7.18.0',
              core: 'SysMonitor',
            },
      ),
    );
    const exec = target.exec.bind(target);
    target.exec = (argv, options) => {
      asked.push(JSON.parse(argv[argv.length - 1] ?? '{}'));
      return exec(argv, options);
    };
    const noCoverage = [
      proc(20, 1, { top: true }),
      proc(21, 20),
      proc(22, 20, {
        argv: ['python3', '-c', 'from multiprocessing.resource_tracker import main'],
      }),
      proc(23, 1, { argv: ['python3', '-S', '-c', LOADER, 'line', '{}'] }),
    ];
    const result = await attach(target, noCoverage, '', true);
    expect(asked).toEqual([
      expect.objectContaining({ pids: [20, 21], start: '/coverdata/.coverage' }),
    ]);
    expect(result.started).toBe(true);
    expect(result.attempt.confirmed).toBe(true);
    expect(result.attempt.detail).toContain(
      'started coverage (SysMonitor) in 1 process(es) that ran none (`attach-start`): it measures from now on, nothing of it ran yet; harvest again after the tests',
    );
    expect(result.warnings).toEqual([
      'container api: coverage in 2 process(es) (pid 20, 21) measures only from 2023-11-14T22:13:20.000Z on, when `attach` started it (`attach-start`): lines that ran before then are not measured',
    ]);
  });

  it('counts only the pids it asked, each once, and a refusal beside another answer stands', async () => {
    const { target } = scripted((pids) => [...pids.map(saved), saved(7), saved(99), denied(8)]);
    const { attempt } = await attach(target);
    expect(attempt.confirmed).toBe(false);
    expect(attempt.detail).toBe(
      `1 process(es) saved their coverage from inside the target (ptrace pending call, thread caught in epoll_wait); ${DENIED}; ${target.kind} targets have no injector container`,
    );
  });

  it('an attach-start time no date can hold breaks the contract in one sentence', async () => {
    const { target } = scripted((pids) => pids.map((pid) => ({ ...saved(pid), started: 1e20 })));
    const error = await attach(target).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(error).toMatch(
      /should be a time in seconds since the epoch, got 100000000000000000000;/,
    );
    expect(error).toMatch(/^the in-target program `attach` broke its contract: `attached\[0\]/);
  });

  it('says when nothing runs coverage run', async () => {
    const { target } = scripted(() => []);
    const { attempt } = await attach(target, [proc(20, 1, { top: true })]);
    expect(attempt).toMatchObject({
      confirmed: false,
      detail:
        'no process runs `coverage run` (or COVERAGE_PROCESS_START) to attach to; `attach-start: true` starts coverage in a Python 3.14+ service that has it installed',
    });
  });
});
