// The `attach` method: running interpreters save their own coverage, without a stop and without
// the agent (docs/attach.md). First from inside the target as the service's own user, which needs
// no capability where the kernel lets a user trace its own processes; then, for the processes the
// kernel refused, from an injector container beside the target (its own image, CAP_SYS_PTRACE).
import { randomBytes } from 'node:crypto';
import {
  attachedEvent,
  eventsOf,
  refusedEvent,
  type AttachedEvent,
  type ProbeReport,
  type PythonProcess,
  type RefusedEvent,
} from '../remote/contract.js';
import { MODULES } from '../remote/programs.js';
import { failureOf, runProgram, type ProgramRun } from '../remote/run.js';
import type { FlushAttempt } from './outcome.js';
import type { TargetSession } from './session.js';
import { EXEC_SLACK_MS, type HarvestSettings } from './settings.js';

/** The code the service's interpreter runs: the action's own, sent with every attach. */
const PROGRAM = MODULES['pycov_harvest_remote.attach_program'] ?? '';
/** Longest piece of a target-made string (a refusal, a path) put in a log line. */
const MAX_SHOWN = 400;
/** multiprocessing's helpers run no coverage and no Python code while idle: never asked. */
const HELPERS = /multiprocessing\.(resource_tracker|forkserver|semaphore_tracker)/;

/** A process not saved: its sentence, and why (RefusedEvent's `cause`). */
type Refusal = Pick<RefusedEvent, 'pid' | 'reason' | 'cause'>;

/** What one route said about each pid it was asked about. */
interface RouteAnswer {
  readonly attached: readonly AttachedEvent[];
  readonly refused: readonly Refusal[];
}

export interface AttachResult {
  readonly attempt: FlushAttempt;
  readonly warnings: readonly string[];
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

/** A target-made string for a log line: one line, no control characters, bounded. */
export function shownText(text: string): string {
  const flat = [...text]
    .map((c) => (c < ' ' || c === '\u007f' ? ' ' : c))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  return flat.length > MAX_SHOWN ? `${flat.slice(0, MAX_SHOWN)}…` : flat;
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
  });
  const picked = attachCandidates(report.processes);
  if (picked.length === 0)
    return done(
      false,
      report.processes.length === 0
        ? 'no Python process runs in the target'
        : 'no process runs `coverage run` (or COVERAGE_PROCESS_START) to attach to',
    );
  const inside = await runRoute(session, picked, settings, 'inside');
  const denied = inside.refused.filter((r) => r.cause === 'denied');
  let beside: RouteAnswer | undefined;
  let besideProblem: string | undefined;
  if (denied.length > 0) {
    if (session.target.runBeside === undefined) {
      besideProblem = `${session.target.kind} targets have no injector container`;
    } else {
      const again = picked.filter((p) => denied.some((r) => r.pid === p.pid));
      beside = await runRoute(session, again, settings, 'beside');
    }
  }
  const final = merge(inside, beside);
  const asked =
    final.attached.length + final.refused.filter((r) => r.cause !== 'no-coverage').length;
  const confirmed = final.attached.length > 0 && final.attached.length === asked;
  return done(
    confirmed,
    describe(inside, beside, besideProblem, settings.attachImage ?? ''),
    outsideDataDir(final.attached, settings.dataDir, session.target.label),
  );
}

type Route = 'inside' | 'beside';

/** Runs the attach program one way for these processes, one injector per interpreter path. */
async function runRoute(
  session: TargetSession,
  processes: readonly PythonProcess[],
  settings: HarvestSettings,
  route: Route,
): Promise<RouteAnswer> {
  const label = session.target.label;
  if (route === 'inside')
    return answerOf(await runAttach(session, processes, settings, route), processes, label);
  // The target's own image runs the service's own interpreter (3.14+ needs that very build);
  // an `attach-image` runs its own python3.
  const groups = new Map<string, PythonProcess[]>();
  for (const p of processes) {
    const exe = (settings.attachImage ?? '') !== '' ? 'python3' : (p.executable ?? 'python3');
    groups.set(exe, [...(groups.get(exe) ?? []), p]);
  }
  const answers = await Promise.all(
    [...groups.entries()].map(async ([exe, group]) =>
      answerOf(await runAttach(session, group, settings, route, exe), group, label),
    ),
  );
  return {
    attached: answers.flatMap((a) => a.attached),
    refused: answers.flatMap((a) => a.refused),
  };
}

async function runAttach(
  session: TargetSession,
  processes: readonly PythonProcess[],
  settings: HarvestSettings,
  route: Route,
  executable?: string,
): Promise<ProgramRun | string> {
  const args = {
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
    const attached = eventsOf('attach', run.output, 'attached', attachedEvent);
    const refused = eventsOf('attach', run.output, 'refused', refusedEvent);
    const answered = new Set([...attached, ...refused].map((e) => e.pid));
    const silent = processes.filter((p) => !answered.has(p.pid));
    return {
      attached,
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
  const retried = new Set([...beside.attached, ...beside.refused].map((e) => e.pid));
  return {
    attached: [...inside.attached, ...beside.attached],
    refused: [...inside.refused.filter((r) => !retried.has(r.pid)), ...beside.refused],
  };
}

/** One line: what was saved, how, and every refusal with its cause and fix. */
function describe(
  inside: RouteAnswer,
  beside: RouteAnswer | undefined,
  besideProblem: string | undefined,
  attachImage: string,
): string {
  const parts: string[] = [];
  const saved = (answer: RouteAnswer, where: string) => {
    if (answer.attached.length === 0) return;
    const how = [...new Set(answer.attached.map(howText))].join(', ');
    parts.push(`${answer.attached.length} process(es) saved their coverage ${where} (${how})`);
  };
  saved(inside, 'from inside the target');
  const where = `from an injector container (${attachImage === '' ? "the target's own image" : shownText(attachImage)})`;
  if (beside !== undefined) saved(beside, where);
  const refusals = (answer: RouteAnswer, prefix: string) => {
    for (const r of answer.refused) parts.push(`${prefix}${shownText(r.reason)}`);
  };
  if (beside === undefined) refusals(inside, '');
  else {
    refusals({ attached: [], refused: inside.refused.filter((r) => r.cause !== 'denied') }, '');
    const denied = inside.refused.filter((r) => r.cause === 'denied');
    if (denied[0] !== undefined)
      parts.push(
        `from inside the target: ${shownText(denied[0].reason)}${denied.length > 1 ? ` (and ${denied.length - 1} more)` : ''}`,
      );
    refusals(beside, `${where}: `);
  }
  if (besideProblem !== undefined) parts.push(besideProblem);
  return parts.join('; ');
}

function howText(event: AttachedEvent): string {
  if (event.route === 'remote_exec') return 'sys.remote_exec';
  const caught =
    event.syscall === undefined ? '' : `, thread caught in ${shownText(event.syscall)}`;
  return `ptrace pending call${caught}`;
}

/** A process that saved outside `data-dir` saved data the copy-out never reads. */
function outsideDataDir(
  attached: readonly AttachedEvent[],
  dataDir: string,
  label: string,
): string[] {
  const prefix = dataDir.endsWith('/') ? dataDir : `${dataDir}/`;
  return attached
    .filter((a) => !a.data_file.startsWith(prefix))
    .map((a) => {
      const dir = a.data_file.slice(0, Math.max(1, a.data_file.lastIndexOf('/')));
      return `${label}: pid ${a.pid} saved its coverage to ${shownText(a.data_file)}, outside \`data-dir\` (${dataDir}), so it is not copied; set \`data-dir: ${shownText(dir)}\`, or point the service's \`[run] data_file\` into ${dataDir}`;
    });
}
