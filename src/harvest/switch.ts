// A context switch in every process of every target, from the runner: what `dist/cli.js context`
// does. The agent's listener is reached from the runner where the target has a route to it (a
// pod's port-forward, a container's address when its agent listens on the container network; no
// exec), every other target through the `context` program inside it.
import { AgentClient, json, missingText, type Answer } from './agent-client.js';
import { TargetSession } from './session.js';
import { EXEC_SLACK_MS } from './settings.js';
import { contextResult } from '../remote/contract.js';
import { eventOf } from '../remote/program-output.js';
import { object, nullable, int, bool, arrayOf, optional, str } from '../remote/schema.js';
import type { AgentRoute, Target } from '../targets/target.js';
import { clipped, errorText, quoted } from '../shared/text.js';

export interface SwitchSettings {
  readonly dataDir: string;
  readonly agentPort: number;
  /** How long each agent process may take to acknowledge. */
  readonly timeoutMs: number;
}

export interface SwitchOutcome {
  readonly label: string;
  readonly ok: boolean;
  /** Agent processes that acknowledged the switch. */
  readonly processes: number;
  readonly ms: number;
  readonly detail: string;
}

const switchAnswer = object({
  ok: bool,
  seq: nullable(int),
  acks: arrayOf(object({ pid: int })),
  missing: arrayOf(object({ pid: int, reason: str })),
  error: optional(str),
});

/**
 * Routes to the agents (port-forwards, and the token each listener wanted) kept open between
 * switches, by target id:
 * what `dist/cli.js serve` holds, so that a switch costs one POST per pod.
 */
export class RouteCache {
  private readonly open = new Map<string, { route: AgentRoute; client: AgentClient }>();

  async clientFor(session: TargetSession, settings: SwitchSettings): Promise<AgentClient> {
    const id = session.target.id;
    const kept = this.open.get(id);
    if (kept !== undefined) return kept.client;
    if (session.target.routeToAgent === undefined) throw new Error('no route to the agent');
    const route = await session.target.routeToAgent(settings.agentPort);
    const client = new AgentClient(session, route, clientSettings(settings));
    this.open.set(id, { route, client });
    return client;
  }

  /** Closes the route of a target whose request failed (the next switch opens a new one). */
  async drop(id: string): Promise<void> {
    const kept = this.open.get(id);
    this.open.delete(id);
    await kept?.route.close();
  }

  /** Closes the routes of targets that are gone (a rollout replaced the pod). */
  async retain(ids: readonly string[]): Promise<void> {
    for (const id of [...this.open.keys()]) if (!ids.includes(id)) await this.drop(id);
  }

  async closeAll(): Promise<void> {
    await this.retain([]);
  }
}

function clientSettings(settings: SwitchSettings) {
  return {
    dataDir: settings.dataDir,
    agentPort: settings.agentPort,
    flushTimeoutMs: settings.timeoutMs,
  };
}

/** Over the target's route to the agent's listener; undefined when the listener is not reachable so. */
async function overRoute(
  session: TargetSession,
  name: string,
  settings: SwitchSettings,
  cache: RouteCache | undefined,
): Promise<Omit<SwitchOutcome, 'label' | 'ms'> | undefined> {
  const { target } = session;
  if (target.routeToAgent === undefined) return undefined;
  let route: AgentRoute | undefined;
  let client: AgentClient;
  try {
    if (cache !== undefined) {
      client = await cache.clientFor(session, settings);
    } else {
      route = await target.routeToAgent(settings.agentPort);
      client = new AgentClient(session, route, clientSettings(settings));
    }
  } catch {
    return undefined;
  }
  try {
    let answer;
    try {
      answer = await client.request('POST', 'context', {
        context: name,
        timeout: settings.timeoutMs / 1000,
      });
    } catch {
      await cache?.drop(target.id);
      return undefined; // no listener on that port: the program inside the target finds the agent
    }
    if (answer.status === 404) return undefined; // an agent without switches, or another server
    return switchOutcome(answer, client.route.via);
  } finally {
    await route?.close();
  }
}

/** The listener's answer to a switch; its words quoted (a target's listener may be hostile). */
function switchOutcome(answer: Answer, via: string): Omit<SwitchOutcome, 'label' | 'ms'> {
  const body = answer.status === 200 || answer.status === 504 ? json(answer) : undefined;
  if (body === undefined) {
    return {
      ok: false,
      processes: 0,
      detail: `the agent answered HTTP ${answer.status} through ${via} (${quoted(answer.body.toString('utf8').trim())})`,
    };
  }
  const result = switchAnswer(body, 'context', 'agent listener');
  if (result.ok) {
    return {
      ok: true,
      processes: result.acks.length,
      detail: `${result.acks.length} agent process(es) switched (#${result.seq ?? '?'}) through ${via}`,
    };
  }
  const why =
    missingText(result.missing) ||
    (result.error !== undefined ? quoted(result.error) : `HTTP ${answer.status}`);
  return {
    ok: false,
    processes: result.acks.length,
    detail: `the switch was not confirmed through ${via} (${why})`,
  };
}

/** Switches every agent process of one target; never throws (a failure is the outcome's detail). */
export async function switchTarget(
  target: Target,
  name: string,
  settings: SwitchSettings,
  cache?: RouteCache,
): Promise<SwitchOutcome> {
  const began = performance.now();
  const done = (outcome: Omit<SwitchOutcome, 'label' | 'ms'>): SwitchOutcome => ({
    label: target.label,
    ms: Math.round(performance.now() - began),
    ...outcome,
  });
  try {
    const session = new TargetSession(target, settings.dataDir);
    const routed = await overRoute(session, name, settings, cache);
    if (routed !== undefined) return done(routed);
    const run = session.check(
      await session.run(
        'context',
        { data_dir: settings.dataDir, context: name, timeout: settings.timeoutMs / 1000 },
        { timeoutMs: settings.timeoutMs + EXEC_SLACK_MS },
      ),
    );
    const result = eventOf('context', run.output, 'result', contextResult);
    if (result === undefined)
      return done({ ok: false, processes: 0, detail: 'the program printed no result' });
    return done({ ok: result.ok, processes: result.processes, detail: clipped(result.detail) });
  } catch (error) {
    return done({ ok: false, processes: 0, detail: errorText(error) });
  }
}

/** Every target at once: a switch should cost about one flush, however many replicas there are. */
export function switchAll(
  targets: readonly Target[],
  name: string,
  settings: SwitchSettings,
  cache?: RouteCache,
): Promise<SwitchOutcome[]> {
  return Promise.all(targets.map((target) => switchTarget(target, name, settings, cache)));
}

/** The line the CLI prints for one target. */
export function outcomeLine(name: string, outcome: SwitchOutcome): string {
  const what = name === '' ? 'no context' : `context ${JSON.stringify(name)}`;
  return outcome.ok
    ? `${outcome.label}: ${what} in ${outcome.processes} process(es), ${outcome.ms} ms (${outcome.detail})`
    : `${outcome.label}: FAILED to switch to ${what} after ${outcome.ms} ms: ${outcome.detail}`;
}
