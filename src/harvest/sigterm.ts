// The `sigterm` method, the last resort: the in-target program signals the server (SIGTERM, then
// the server's force-quit), and when the target stops under it, the data is read back from
// outside (a stopped container) or after the restart (a pod's emptyDir).
import {
  connectionsEvent,
  escalatedEvent,
  sentEvent,
  sigtermResult,
  type ConnectionsEvent,
  type PythonProcess,
} from '../remote/contract.js';
import { eventOf, eventsOf } from '../remote/program-output.js';
import { failureOf } from '../remote/run.js';
import type { FlushAttempt } from './outcome.js';
import type { ReceivedFiles } from './archive.js';
import { copyFromOutside } from './copy-outside.js';
import { packNow } from './in-target.js';
import type { TargetSession } from './session.js';
import { ESCALATE_AFTER_SECONDS, EXEC_SLACK_MS, type HarvestSettings } from './settings.js';

export interface SigtermOutcome {
  readonly attempt: FlushAttempt;
  /** Set when the files were already read back (after the target stopped). */
  readonly received?: ReceivedFiles;
  /** What the program found on each uvicorn server before it signalled. */
  readonly servers: readonly ConnectionsEvent[];
}

/** Text from the target as the program formats it is shown as is; anything else is quoted. */
function shown(value: string | null, format: RegExp): string {
  return value !== null && format.test(value) ? value : JSON.stringify(value);
}
const PEER = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]{2,45}\]):\d{1,5}$/;
/** `10.88.0.1:34434`, `[::1]:34434`. */
export const shownPeer = (peer: string): string => shown(peer, PEER);

/** One log line per uvicorn server the program looked at before it signalled. */
export function connectionsLine(label: string, seen: ConnectionsEvent): string {
  const graceful = seen.graceful === null ? 'none' : `${seen.graceful} s`;
  const server = `uvicorn ${shown(seen.uvicorn, /^[0-9A-Za-z.+!_-]{1,40}$/)} on Python ${shown(seen.python, /^\d+\.\d+(?:\.\d+)?$/)} (pid ${seen.pid}, event loop ${shown(seen.loop, /^\w{1,20}$/)}, graceful timeout ${graceful})`;
  if (seen.error !== undefined) return `${label}: ${server}: ${JSON.stringify(seen.error)}`;
  const open = seen.connections.map(
    (c) => `${shownPeer(c.peer)} ${shown(c.state, /^[A-Z_0-9]{1,12}$/)}`,
  );
  const verdict = seen.cannot_force_quit
    ? '; no signal ends its shutdown while one is open (the force-quit table)'
    : '';
  return `${label}: ${server}: ${open.length} open connection(s) that may hold its shutdown${open.length > 0 ? ` (${open.join(', ')})` : ''}${verdict}`;
}

/**
 * One warning per server that would wait forever for open connections on SIGTERM; a server the
 * program did not stop (`stuck`) is left to the failure, which says more.
 */
export function gracefulWarnings(
  processes: readonly PythonProcess[],
  label: string,
  stuck: readonly number[] = [],
): string[] {
  const flags = {
    uvicorn: '--timeout-graceful-shutdown 5',
    gunicorn: '--graceful-timeout 5',
    hypercorn: '--graceful-timeout 5',
  };
  return processes
    .filter(
      (p) =>
        p.top &&
        p.server !== null &&
        p.graceful_timeout === null &&
        !p.agent_env &&
        !stuck.includes(p.pid),
    )
    .map(
      (p) =>
        `${label}: ${p.server} (pid ${p.pid}) has no graceful-shutdown timeout, so on SIGTERM it waits for open connections forever and pycov-harvest had to force it to quit; add \`${flags[p.server ?? 'uvicorn']}\` to the server command, or use the agent (PYCOV_HARVEST=1), which saves before the shutdown begins`,
    );
}

/** The last resort: SIGTERM (then force quit) from inside the target, and the data read back. */
export async function sigtermMethod(
  session: TargetSession,
  settings: HarvestSettings,
  destDir: string,
): Promise<SigtermOutcome> {
  const began = performance.now();
  const run = await session.run(
    'sigterm',
    {
      data_dir: settings.dataDir,
      timeout: settings.gracefulTimeoutMs / 1000,
      escalate_after: Math.min(ESCALATE_AFTER_SECONDS, settings.gracefulTimeoutMs / 2000),
    },
    { timeoutMs: settings.gracefulTimeoutMs + EXEC_SLACK_MS },
  );
  const result = eventOf('sigterm', run.output, 'result', sigtermResult);
  const held = result?.held?.map((c) => shownPeer(c.peer)) ?? [];
  const attempt = (confirmed: boolean, detail: string): FlushAttempt => ({
    method: 'sigterm',
    confirmed,
    detail,
    ms: Math.round(performance.now() - began),
    ...(result?.stuck === true ? { stuck: true } : {}),
    ...(held.length > 0 ? { held } : {}),
  });
  const servers = eventsOf('sigterm', run.output, 'connections', connectionsEvent);
  const sent = eventOf('sigterm', run.output, 'sent', sentEvent);
  const escalated = eventOf('sigterm', run.output, 'escalated', escalatedEvent);
  if (result !== undefined) {
    if (!result.sent) return { attempt: attempt(false, result.reason), servers };
    return {
      attempt: attempt(result.confirmed, result.reason),
      received: await readAfter(session, settings, destDir),
      servers,
    };
  }
  if (sent === undefined) {
    return {
      attempt: attempt(
        false,
        failureOf(run, session.target.label) ?? 'the SIGTERM program printed nothing',
      ),
      servers,
    };
  }
  // Cut off after the signal: the target stopped when the server exited.
  const received = await readAfter(session, settings, destDir);
  const fresh = received.files.filter((f) => f.bytes > 0 && f.mtime >= Math.floor(sent.t0));
  const how = escalated === undefined ? 'SIGTERM' : 'SIGTERM and SIGINT (force quit)';
  return {
    attempt: attempt(
      fresh.length > 0,
      fresh.length > 0
        ? `the target stopped after ${how}, leaving ${fresh.length} fresh data file(s)`
        : `the target stopped after ${how} without writing a data file; set \`[run] sigterm = true\` in the service's coverage configuration, or use the agent (PYCOV_HARVEST=1)`,
    ),
    received,
    servers,
  };
}

/**
 * The data files after SIGTERM, running or not: from outside where the target kind can (a
 * stopped container), else after the restart (a pod), with the target's own Python.
 */
async function readAfter(
  session: TargetSession,
  settings: HarvestSettings,
  destDir: string,
): Promise<ReceivedFiles> {
  const { target } = session;
  if (target.copyFromOutside !== undefined) return copyFromOutside(target, settings, destDir);
  // A pod's container restarts after the server exits; the emptyDir keeps the files.
  if (target.waitForRestart !== undefined && !(await target.isRunning()))
    await target.waitForRestart();
  return packNow(session, settings, destDir);
}
