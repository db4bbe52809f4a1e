// The `attach` method: running interpreters save their own coverage, without a stop and without
// the agent (docs/attach.md). First from inside the target as the service's own user, which needs
// no capability where the kernel lets a user trace its own processes; then, for the processes the
// kernel refused, from an injector container beside the target (its own image, CAP_SYS_PTRACE).
import { randomBytes } from 'node:crypto';
import { attachedEvent, refusedEvent, startedEvent } from '../remote/attach-events.js';
import type { ProbeReport, PythonProcess } from '../remote/contract.js';
import { eventsOf } from '../remote/program-output.js';
import { LOADER, MODULES } from '../remote/programs.js';
import { failureOf, runProgram, type ProgramRun } from '../remote/run.js';
import { describe, measuredFrom, outsideDataDir, type RouteAnswer } from './attach-text.js';
import type { FlushAttempt } from './outcome.js';
import type { TargetSession } from './session.js';
import { EXEC_SLACK_MS, type HarvestSettings } from './settings.js';

/** The code the service's interpreter runs: the action's own, sent with every attach. */
const PROGRAM = MODULES['pycov_harvest_remote.attach_program'] ?? '';
/** multiprocessing's helpers run no coverage and no Python code while idle: never asked. */
const HELPERS = /multiprocessing\.(resource_tracker|forkserver|semaphore_tracker)/;

export interface AttachResult {
  readonly attempt: FlushAttempt;
  readonly warnings: readonly string[];
  /** Coverage was started now in a process (`attach-start`): the service must not be stopped. */
  readonly started: boolean;
}

/** How one attach runs: its settings, and the data file when coverage is to be started. */
interface AttachRun {
  readonly settings: HarvestSettings;
  readonly startFile?: string;
}

/**
 * The processes `attach` asks: those that run coverage without the agent (`coverage run`,
 * COVERAGE_PROCESS_START) and every Python process below them (workers started by spawn carry
 * coverage too), never multiprocessing's own helpers.
 */
export function attachCandidates(processes: readonly PythonProcess[]): PythonProcess[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const measured = (p: PythonProcess | undefined, depth = 0): boolean =>
    p !== undefined &&
    depth < 64 &&
    (p.coverage_run || p.coverage_startup || measured(byPid.get(p.ppid), depth + 1));
  return processes.filter((p) => !HELPERS.test(p.argv.join(' ')) && measured(p));
}

/**
 * `attach-start`: with no coverage anywhere, every Python process but multiprocessing's helpers
 * and the action's own programs (a `serve` relay kept running in the target).
 */
export function startCandidates(processes: readonly PythonProcess[]): PythonProcess[] {
  const ours = LOADER.split('\n')[0] ?? LOADER;
  return processes.filter(
    (p) => !HELPERS.test(p.argv.join(' ')) && !p.argv.some((a) => a.startsWith(ours)),
  );
}

/** `attach`, from the probe's process list; confirmed when every process asked saved. */
export async function attachMethod(
  session: TargetSession,
  settings: HarvestSettings,
  report: ProbeReport,
): Promise<AttachResult> {
  const began = performance.now();
  const done = (confirmed: boolean, detail: string, warnings: string[] = []): AttachResult => ({
    attempt: { method: 'attach', confirmed, detail, ms: Math.round(performance.now() - began) },
    warnings,
    started: false,
  });
  let picked = attachCandidates(report.processes);
  const run: AttachRun =
    picked.length === 0 && settings.attachStart === true
      ? { settings, startFile: `${settings.dataDir.replace(/\/+$/, '')}/.coverage` }
      : { settings };
  if (run.startFile !== undefined) picked = startCandidates(report.processes);
  if (picked.length === 0)
    return done(
      false,
      report.processes.length === 0
        ? 'no Python process runs in the target'
        : 'no process runs `coverage run` (or COVERAGE_PROCESS_START) to attach to; `attach-start: true` starts coverage in a Python 3.14+ service that has it installed',
    );
  const inside = await runRoute(session, picked, run, 'inside');
  const denied = inside.refused.filter((r) => r.cause === 'denied');
  let beside: RouteAnswer | undefined;
  let besideProblem: string | undefined;
  if (denied.length > 0) {
    if (session.target.runBeside === undefined) {
      besideProblem = `${session.target.kind} targets have no injector container`;
    } else {
      const again = picked.filter((p) => denied.some((r) => r.pid === p.pid));
      beside = await runRoute(session, again, run, 'beside');
    }
  }
  const final = merge(inside, beside);
  const asked =
    final.attached.length + final.refused.filter((r) => r.cause !== 'no-coverage').length;
  const confirmed = final.attached.length > 0 && final.attached.length === asked;
  const label = session.target.label;
  return {
    ...done(confirmed, describe(inside, beside, besideProblem, settings.attachImage ?? ''), [
      ...outsideDataDir(final.attached, settings.dataDir, label),
      ...measuredFrom(final, label),
    ]),
    started: final.started.length > 0,
  };
}

type Route = 'inside' | 'beside';

/** Runs the attach program one way for these processes, one injector per interpreter path. */
async function runRoute(
  session: TargetSession,
  processes: readonly PythonProcess[],
  run: AttachRun,
  route: Route,
): Promise<RouteAnswer> {
  const label = session.target.label;
  const { settings } = run;
  if (route === 'inside')
    return answerOf(await runAttach(session, processes, run, route), processes, label);
  // The target's own image runs the service's own interpreter (3.14+ needs that very build);
  // an `attach-image` runs its own python3.
  const groups = new Map<string, PythonProcess[]>();
  for (const p of processes) {
    const exe = (settings.attachImage ?? '') !== '' ? 'python3' : (p.executable ?? 'python3');
    groups.set(exe, [...(groups.get(exe) ?? []), p]);
  }
  const answers = await Promise.all(
    [...groups.entries()].map(async ([exe, group]) =>
      answerOf(await runAttach(session, group, run, route, exe), group, label),
    ),
  );
  return {
    attached: answers.flatMap((a) => a.attached),
    refused: answers.flatMap((a) => a.refused),
    started: answers.flatMap((a) => a.started),
  };
}

async function runAttach(
  session: TargetSession,
  processes: readonly PythonProcess[],
  { settings, startFile }: AttachRun,
  route: Route,
  executable?: string,
): Promise<ProgramRun | string> {
  const args = {
    ...(startFile === undefined ? {} : { start: startFile }),
    pids: processes.map((p) => p.pid),
    timeout: settings.flushTimeoutMs / 1000,
    route: 'auto',
    program: PROGRAM,
    nonce: randomBytes(8).toString('hex'),
    starts: Object.fromEntries(
      processes.flatMap((p) => (p.starttime == null ? [] : [[String(p.pid), p.starttime]])),
    ),
  };
  const timeoutMs = settings.flushTimeoutMs + EXEC_SLACK_MS;
  try {
    if (route === 'inside') return await session.run('attach', args, { timeoutMs });
    const image = settings.attachImage ?? '';
    return await runProgram(session.target, executable ?? 'python3', 'attach', args, {
      timeoutMs,
      beside: image === '' ? {} : { image },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The events of one run, one per pid asked; a run that failed as a whole (no injector container,
 * a Python without ctypes) refuses every pid with its sentence, as `denied` from inside (the
 * injector container may have what the target lacks).
 */
function answerOf(
  run: ProgramRun | string,
  processes: readonly PythonProcess[],
  label: string,
): RouteAnswer {
  const failure = typeof run === 'string' ? run : failureOf(run, label);
  if (typeof run !== 'string' && failure === undefined) {
    // The program answers each pid asked once; anything else counts for nothing, and a pid
    // that got a refusal besides another answer stays refused.
    const answered = new Set<number>();
    const asked = new Set(processes.map((p) => p.pid));
    const once = <T extends { pid: number }>(events: T[]): T[] =>
      events.filter((e) => asked.has(e.pid) && !answered.has(e.pid) && answered.add(e.pid));
    const refused = once(eventsOf('attach', run.output, 'refused', refusedEvent));
    const started = once(eventsOf('attach', run.output, 'started', startedEvent));
    const attached = once(eventsOf('attach', run.output, 'attached', attachedEvent));
    const silent = processes.filter((p) => !answered.has(p.pid));
    return {
      attached,
      started,
      refused: [
        ...refused,
        ...silent.map((p) => ({
          pid: p.pid,
          reason: 'no answer from the attach program',
          cause: '' as const,
        })),
      ],
    };
  }
  return {
    attached: [],
    started: [],
    refused: processes.map((p) => ({
      pid: p.pid,
      reason: failure ?? '',
      cause: 'denied' as const,
    })),
  };
}

/** The injector container's word replaces the refusals it was asked about. */
function merge(inside: RouteAnswer, beside: RouteAnswer | undefined): RouteAnswer {
  if (beside === undefined) return inside;
  const retried = new Set(
    [...beside.attached, ...beside.refused, ...beside.started].map((e) => e.pid),
  );
  return {
    attached: [...inside.attached, ...beside.attached],
    started: [...inside.started, ...beside.started],
    refused: [...inside.refused.filter((r) => !retried.has(r.pid)), ...beside.refused],
  };
}
