import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  AgentClient,
  EXEC_SLACK_MS,
  TargetSession,
  arrayOf,
  bool,
  contextResult,
  eventOf,
  int,
  json,
  missingText,
  nullable,
  object,
  optional,
  str
} from "./chunk-I5RFRLKJ.js";
import {
  clipped,
  errorText,
  quoted
} from "./chunk-MBSYBGZD.js";

// src/harvest/switch.ts
var switchAnswer = object({
  ok: bool,
  seq: nullable(int),
  acks: arrayOf(object({ pid: int })),
  missing: arrayOf(object({ pid: int, reason: str })),
  error: optional(str)
});
var RouteCache = class {
  open = /* @__PURE__ */ new Map();
  async clientFor(session, settings) {
    const id = session.target.id;
    const kept = this.open.get(id);
    if (kept !== void 0) return kept.client;
    if (session.target.routeToAgent === void 0) throw new Error("no route to the agent");
    const route = await session.target.routeToAgent(settings.agentPort);
    const client = new AgentClient(session, route, clientSettings(settings));
    this.open.set(id, { route, client });
    return client;
  }
  /** Closes the route of a target whose request failed (the next switch opens a new one). */
  async drop(id) {
    const kept = this.open.get(id);
    this.open.delete(id);
    await kept?.route.close();
  }
  /** Closes the routes of targets that are gone (a rollout replaced the pod). */
  async retain(ids) {
    for (const id of [...this.open.keys()]) if (!ids.includes(id)) await this.drop(id);
  }
  async closeAll() {
    await this.retain([]);
  }
};
function clientSettings(settings) {
  return {
    dataDir: settings.dataDir,
    agentPort: settings.agentPort,
    flushTimeoutMs: settings.timeoutMs
  };
}
async function overRoute(session, name, settings, cache) {
  const { target } = session;
  if (target.routeToAgent === void 0) return void 0;
  let route;
  let client;
  try {
    if (cache !== void 0) {
      client = await cache.clientFor(session, settings);
    } else {
      route = await target.routeToAgent(settings.agentPort);
      client = new AgentClient(session, route, clientSettings(settings));
    }
  } catch {
    return void 0;
  }
  try {
    let answer;
    try {
      answer = await client.request("POST", "context", {
        context: name,
        timeout: settings.timeoutMs / 1e3
      });
    } catch {
      await cache?.drop(target.id);
      return void 0;
    }
    if (answer.status === 404) return void 0;
    return switchOutcome(answer, client.route.via);
  } finally {
    await route?.close();
  }
}
function switchOutcome(answer, via) {
  const body = answer.status === 200 || answer.status === 504 ? json(answer) : void 0;
  if (body === void 0) {
    return {
      ok: false,
      processes: 0,
      detail: `the agent answered HTTP ${answer.status} through ${via} (${quoted(answer.body.toString("utf8").trim())})`
    };
  }
  const result = switchAnswer(body, "context", "agent listener");
  if (result.ok) {
    return {
      ok: true,
      processes: result.acks.length,
      detail: `${result.acks.length} agent process(es) switched (#${result.seq ?? "?"}) through ${via}`
    };
  }
  const why = missingText(result.missing) || (result.error !== void 0 ? quoted(result.error) : `HTTP ${answer.status}`);
  return {
    ok: false,
    processes: result.acks.length,
    detail: `the switch was not confirmed through ${via} (${why})`
  };
}
async function switchTarget(target, name, settings, cache) {
  const began = performance.now();
  const done = (outcome) => ({
    label: target.label,
    ms: Math.round(performance.now() - began),
    ...outcome
  });
  try {
    const session = new TargetSession(target, settings.dataDir);
    const routed = await overRoute(session, name, settings, cache);
    if (routed !== void 0) return done(routed);
    const run = session.check(
      await session.run(
        "context",
        { data_dir: settings.dataDir, context: name, timeout: settings.timeoutMs / 1e3 },
        { timeoutMs: settings.timeoutMs + EXEC_SLACK_MS }
      )
    );
    const result = eventOf("context", run.output, "result", contextResult);
    if (result === void 0)
      return done({ ok: false, processes: 0, detail: "the program printed no result" });
    return done({ ok: result.ok, processes: result.processes, detail: clipped(result.detail) });
  } catch (error) {
    return done({ ok: false, processes: 0, detail: errorText(error) });
  }
}
function switchAll(targets, name, settings, cache) {
  return Promise.all(targets.map((target) => switchTarget(target, name, settings, cache)));
}
function outcomeLine(name, outcome) {
  const what = name === "" ? "no context" : `context ${JSON.stringify(name)}`;
  return outcome.ok ? `${outcome.label}: ${what} in ${outcome.processes} process(es), ${outcome.ms} ms (${outcome.detail})` : `${outcome.label}: FAILED to switch to ${what} after ${outcome.ms} ms: ${outcome.detail}`;
}

export {
  RouteCache,
  switchTarget,
  switchAll,
  outcomeLine
};
