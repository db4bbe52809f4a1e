// The `http` method from the runner: the agent's listener through the target's route (one
// port-forward for a pod; a container's own address when its agent listens on the container
// network), for the status (versions, interpreters), the flush and the data, so such a target
// needs no exec at all. A pod's token leaves the pod only after the listener answered 401.
import { eventOf } from '../remote/contract.js';
import { tokenEvent } from '../remote/contract.js';
import { arrayOf, bool, int, nullable, object, optional, str } from '../remote/schema.js';
import type { FlushAttempt } from './outcome.js';
import type { AgentRoute } from '../targets/target.js';
import { secret } from '../shared/secrets.js';
import { errorText } from '../shared/text.js';
import { DataReceiver, IncompleteArchiveError, type ReceivedFiles } from './archive.js';
import type { TargetSession } from './session.js';
import { EXEC_SLACK_MS, type HarvestSettings } from './settings.js';
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

interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * The agent's listener through a route; the token is the route's, or read (once) from inside the
 * target after a 401.
 */
export class AgentClient {
  private token: string | undefined;
  private askedInside = false;

  constructor(
    private readonly session: TargetSession,
    readonly route: AgentRoute,
    private readonly settings: Pick<HarvestSettings, 'dataDir' | 'agentPort' | 'flushTimeoutMs'>,
  ) {
    this.token = route.token;
  }

  async request(method: 'GET' | 'POST', path: string, body?: object): Promise<Answer> {
    const send = async (): Promise<Answer> => {
      const response = await fetch(`${this.route.origin}/pycov-harvest/${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(this.token === undefined ? {} : { Authorization: `Bearer ${this.token}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.settings.flushTimeoutMs + EXEC_SLACK_MS),
      });
      return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
    };
    const first = await send();
    if (first.status !== 401 || this.askedInside) return first;
    // No token yet, or the route's (the container's environment) was refused: the target's own.
    this.askedInside = true;
    const token = await this.readToken();
    if (token === undefined || token === this.token) return first;
    this.token = token;
    return send();
  }

  /** A GET whose body goes to `onChunk` as it arrives; returns the status. */
  async stream(path: string, onChunk: (chunk: Buffer) => void): Promise<number> {
    const response = await fetch(`${this.route.origin}/pycov-harvest/${path}`, {
      headers: this.token === undefined ? {} : { Authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(this.settings.flushTimeoutMs + EXEC_SLACK_MS + 120_000),
    });
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel();
      return response.status;
    }
    for await (const chunk of response.body) onChunk(Buffer.from(chunk));
    return response.status;
  }

  private async readToken(): Promise<string | undefined> {
    const run = this.session.check(
      await this.session.run(
        'token',
        { data_dir: this.settings.dataDir, port: this.settings.agentPort },
        { timeoutMs: EXEC_SLACK_MS },
      ),
    );
    const token = eventOf('token', run.output, 'token', tokenEvent)?.token;
    return token === undefined || token === null ? undefined : secret(token);
  }
}

export function json(answer: Answer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

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
    const receiver = new DataReceiver(destDir, settings.maxBytes, target.label, 'agent');
    const dataStatus = await client.stream('data', (chunk) => receiver.push(chunk));
    if (dataStatus !== 200) {
      receiver.discard();
      return {
        reached: true,
        versions,
        attempt,
        dataProblem: `GET /pycov-harvest/data answered HTTP ${dataStatus}`,
      };
    }
    try {
      return { reached: true, versions, attempt, received: receiver.finish() };
    } catch (error) {
      // An agent older than the manifest, or a damaged stream: the in-target packer reads again.
      if (!(error instanceof IncompleteArchiveError)) throw error;
      return { reached: true, versions, attempt, dataProblem: error.message };
    }
  } finally {
    await route.close();
  }
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
  const answer = await client.request('POST', 'flush', {
    timeout: settings.flushTimeoutMs / 1000,
    ...(settings.reset === true ? { reset: true } : {}),
  });
  const ms = Math.round(performance.now() - began);
  const flush =
    answer.status === 200 || answer.status === 504
      ? flushCheck(json(answer), 'flush', 'agent listener')
      : undefined;
  if (answer.status !== 200 || flush?.ok !== true) {
    const missing = flush?.missing.map((m) => `pid ${m.pid}: ${m.reason}`).join('; ');
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
