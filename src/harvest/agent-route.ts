// The `http` method from the runner: the agent's listener through the target's route (one
// port-forward for a pod; a container's own address when its agent listens on the container
// network), for the status (versions, interpreters), the flush and the data, so such a target
// needs no exec at all. A pod's token leaves the pod only after the listener answered 401.
import { arrayOf, bool, int, nullable, object, optional, str } from '../remote/schema.js';
import type { FlushAttempt } from './outcome.js';
import type { AgentRoute } from '../targets/target.js';
import { ContractError } from '../remote/schema.js';
import { errorText } from '../shared/text.js';
import { DataReceiver, IncompleteArchiveError, type ReceivedFiles } from './archive.js';
import {
  AgentClient,
  AnswerTooLargeError,
  json,
  missingText,
  type Answer,
} from './agent-client.js';
import type { TargetSession } from './session.js';
import type { HarvestSettings } from './settings.js';
import { UnsafeArchiveError } from './tar-reader.js';
import type { Versions } from './types.js';

const statusCheck = object({
  processes: arrayOf(
    object({
      pid: int,
      python: str,
      coverage: str,
      executable: optional(str),
      port: nullable(int),
    }),
  ),
});
const flushCheck = object({
  ok: bool,
  seq: nullable(int),
  acks: arrayOf(object({ pid: int })),
  missing: arrayOf(object({ pid: int, reason: str })),
});

export type RouteResult =
  /** No agent listener could be reached this way; the exec path takes over. */
  | { readonly reached: false; readonly reason: string }
  | {
      readonly reached: true;
      readonly attempt: FlushAttempt;
      readonly versions: Versions;
      /** The data, when the flush was confirmed and the agent's stream checked out. */
      readonly received?: ReceivedFiles;
      /** Why the data did not come this way although the flush was confirmed. */
      readonly dataProblem?: string;
    };

/** The `http` method over the target's route: status, flush, and the data when confirmed. */
export async function harvestOverRoute(
  session: TargetSession,
  settings: HarvestSettings,
  destDir: string,
): Promise<RouteResult> {
  const { target } = session;
  if (target.routeToAgent === undefined) return { reached: false, reason: 'no route to the agent' };
  let route: AgentRoute;
  try {
    route = await target.routeToAgent(settings.agentPort);
  } catch (error) {
    return { reached: false, reason: errorText(error) };
  }
  try {
    const client = new AgentClient(session, route, settings);
    const status = await askStatus(client, route, session);
    if ('reason' in status) return { reached: false, reason: status.reason };
    const { versions } = status;
    const attempt = await flushOverRoute(client, route, settings);
    if (!attempt.confirmed) return { reached: true, versions, attempt };
    const receiver = new DataReceiver(destDir, settings, target.label, 'agent');
    let dataStatus: number | string;
    try {
      dataStatus = await client.stream(
        'data',
        (chunk) => receiver.push(chunk),
        () => receiver.failed,
      );
    } catch (error) {
      // Cut off or past its time (DATA_STREAM_SLACK_MS): the packer inside the target reads again.
      dataStatus = `failed (${errorText(error)})`;
    }
    if (dataStatus !== 200) {
      receiver.discard();
      const how = typeof dataStatus === 'number' ? `answered HTTP ${dataStatus}` : dataStatus;
      return { reached: true, versions, attempt, dataProblem: `GET /pycov-harvest/data ${how}` };
    }
    try {
      return { reached: true, versions, attempt, received: receiver.finish() };
    } catch (error) {
      // An agent older than the manifest, a damaged stream, or one that breaks a rule or a bound:
      // none of it is kept, and the in-target packer (which sends no link, device or odd name)
      // reads the files again.
      if (!isRefusal(error)) throw error;
      return {
        reached: true,
        versions,
        attempt,
        dataProblem: `refused the data stream of GET /pycov-harvest/data (${error.message})`,
      };
    }
  } finally {
    await route.close();
  }
}

function isRefusal(error: unknown): error is Error {
  return (
    error instanceof UnsafeArchiveError ||
    error instanceof IncompleteArchiveError ||
    error instanceof ContractError
  );
}

/** The agent's status: the versions, and the interpreters it registered (for the exec path). */
async function askStatus(
  client: AgentClient,
  route: AgentRoute,
  session: TargetSession,
): Promise<{ versions: Versions } | { reason: string }> {
  let status: Answer;
  try {
    status = await client.request('GET', 'status');
  } catch (error) {
    if (error instanceof AnswerTooLargeError) return { reason: error.message };
    return { reason: `no agent listener answered through ${route.via} (${errorText(error)})` };
  }
  if (status.status !== 200) {
    return {
      reason: `the agent listener answered HTTP ${status.status} to a status request through ${route.via}`,
    };
  }
  const processes = statusCheck(json(status), 'status', 'agent listener').processes;
  session.registered.push(
    ...processes.flatMap((p) => (p.executable?.startsWith('/') ? [p.executable] : [])),
  );
  const first = processes[0];
  return { versions: { python: first?.python ?? null, coverage: first?.coverage ?? null } };
}

/** One flush through the listener, confirmed only by every agent process's acknowledgement. */
async function flushOverRoute(
  client: AgentClient,
  route: AgentRoute,
  settings: HarvestSettings,
): Promise<FlushAttempt> {
  const began = performance.now();
  let answer: Answer;
  try {
    answer = await client.request('POST', 'flush', {
      timeout: settings.flushTimeoutMs / 1000,
      ...(settings.reset === true ? { reset: true } : {}),
    });
  } catch (error) {
    if (!(error instanceof AnswerTooLargeError)) throw error;
    const ms = Math.round(performance.now() - began);
    return { method: 'http', confirmed: false, ms, detail: error.message };
  }
  const ms = Math.round(performance.now() - began);
  const flush =
    answer.status === 200 || answer.status === 504
      ? flushCheck(json(answer), 'flush', 'agent listener')
      : undefined;
  if (answer.status !== 200 || flush?.ok !== true) {
    const missing = missingText(flush?.missing ?? []);
    return {
      method: 'http',
      confirmed: false,
      ms,
      detail: `the agent answered HTTP ${answer.status} through ${route.via}${missing ? ` (${missing})` : ''}`,
    };
  }
  return {
    method: 'http',
    confirmed: true,
    ms,
    detail: `${flush.acks.length} agent process(es) acknowledged flush #${flush.seq ?? '?'}${settings.reset === true ? ' (reset)' : ''} through ${route.via}`,
  };
}
