import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  AgentClient,
  EXEC_SLACK_MS,
  InputError,
  TargetSession,
  arrayOf,
  bool,
  contextResult,
  discoverTargets,
  eventOf,
  getInputs,
  int,
  json,
  nullable,
  object,
  optional,
  str
} from "./chunk-ZZ4NWWOG.js";
import {
  errorText
} from "./chunk-KL7IFQUW.js";

// src/switch.ts
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
    const body = answer.status === 200 || answer.status === 504 ? json(answer) : void 0;
    if (body === void 0) {
      return {
        ok: false,
        processes: 0,
        detail: `the agent answered HTTP ${answer.status} through ${client.route.via} (${answer.body.toString("utf8").slice(0, 200).trim()})`
      };
    }
    const result = switchAnswer(body, "context", "agent listener");
    const missing = result.missing.map((m) => `pid ${m.pid}: ${m.reason}`).join("; ");
    return result.ok ? {
      ok: true,
      processes: result.acks.length,
      detail: `${result.acks.length} agent process(es) switched (#${result.seq ?? "?"}) through ${client.route.via}`
    } : {
      ok: false,
      processes: result.acks.length,
      detail: `the switch was not confirmed through ${client.route.via} (${missing || result.error || `HTTP ${answer.status}`})`
    };
  } finally {
    await route?.close();
  }
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
    return done({ ok: result.ok, processes: result.processes, detail: result.detail });
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

// src/cli.ts
var USAGE = `usage: node dist/cli.js context NAME --target docker|kubernetes --selector SELECTOR [options]
       node dist/cli.js serve --port PORT --target docker|kubernetes --selector SELECTOR [options]

Switches every agent process of every matched target to the context NAME ('' for none): each
saves what ran since the previous switch under the previous context, then measures on under NAME.
Prints one line per target; exits 1 when a target did not confirm, 2 on a usage error.
\`serve\` keeps the port-forwards open and takes switches on http://127.0.0.1:PORT/context
(POST {"context": NAME}) until SIGTERM or SIGINT: a switch then costs one request per pod.

options (as the action's inputs of the same names):
  --target docker|kubernetes    where the services run (required)
  --selector SELECTOR           label selector (k=v,...) or, for docker, container names (required)
  --namespace NAMESPACE         kubernetes namespace (default: default)
  --container NAME              the container of each pod (default: the first)
  --kubeconfig PATH             kubeconfig (default: KUBECONFIG, then in-cluster)
  --docker-command COMMAND      docker or podman (default: docker)
  --data-dir DIR                the agent's data dir in the targets (default: /coverdata)
  --agent-port PORT             the agent's listener port (default: 9797)
  --timeout SECONDS             how long each process may take to confirm (default: 10)
  --port PORT                   serve: the runner loopback port (0: any free port, printed)`;
var OPTIONS = {
  target: "target",
  selector: "selector",
  namespace: "namespace",
  container: "container",
  kubeconfig: "kubeconfig",
  "docker-command": "docker-command",
  "data-dir": "data-dir",
  "agent-port": "agent-port",
  timeout: "flush-timeout"
};
var UsageError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
};
function parseCliArgs(argv, env = process.env) {
  const [command, ...rest] = argv;
  if (command !== "context" && command !== "serve")
    throw new UsageError(
      command === void 0 ? "no command given" : `unknown command \`${command}\``
    );
  const values = /* @__PURE__ */ new Map();
  const positional = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? "";
    if (arg === "--") {
      positional.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const option = arg.slice(2, eq < 0 ? void 0 : eq);
    if (OPTIONS[option] === void 0 && !(command === "serve" && option === "port"))
      throw new UsageError(`unknown option \`--${option}\``);
    let value;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = rest[i + 1];
      if (next === void 0) throw new UsageError(`option \`--${option}\` needs a value`);
      value = next;
      i++;
    }
    if (values.has(option)) throw new UsageError(`option \`--${option}\` is given twice`);
    values.set(option, value);
  }
  if (command === "serve" && positional.length > 0)
    throw new UsageError(
      `\`serve\` takes no context name (got ${JSON.stringify(positional[0])}); POST it to /context`
    );
  if (command === "context" && positional.length !== 1)
    throw new UsageError(
      positional.length === 0 ? "name the context, e.g. `context test_refund` ('' for none)" : `one context name, got ${positional.length} (${positional.map((p) => JSON.stringify(p)).join(", ")}); quote a name with spaces`
    );
  let port;
  if (command === "serve") {
    const text = values.get("port") ?? "";
    port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= 0 && port <= 65535))
      throw new UsageError(
        "`serve` needs `--port` with a free port number, e.g. `--port 9898` (0: any free port, printed)"
      );
    values.delete("port");
  }
  const byInput = /* @__PURE__ */ new Map();
  for (const [option, value] of values) byInput.set(OPTIONS[option] ?? option, value);
  if (!byInput.has("target")) throw new UsageError("`--target docker|kubernetes` is required");
  if (!byInput.has("selector")) throw new UsageError("`--selector` is required");
  let inputs;
  try {
    inputs = getInputs((name) => byInput.get(name) ?? "", env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new UsageError(optionNames(error.message));
  }
  const context = positional[0] ?? "";
  if (command === "serve") return { command, context, inputs, port: port ?? 0 };
  const problem = contextNameProblem(context);
  if (problem !== void 0) throw new UsageError(problem);
  return { command, context, inputs };
}
function contextNameProblem(name) {
  const control = [...name].some((c) => (c.codePointAt(0) ?? 0) < 32 || c === "\x7F");
  return Buffer.byteLength(name, "utf8") > 256 || control ? "the context name must be at most 256 bytes of UTF-8, without control characters" : void 0;
}
function optionNames(message) {
  return message.replace(/input `([a-z-]+)`/g, (_, input) => {
    const option = Object.entries(OPTIONS).find(([, name]) => name === input)?.[0] ?? input;
    return `option \`--${option}\``;
  });
}
async function runCli(argv, print = (line) => process.stdout.write(`${line}
`), fail = (line) => process.stderr.write(`${line}
`)) {
  let request;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(`pycov-harvest: ${error.message}`);
    fail(USAGE);
    return 2;
  }
  const { inputs, context } = request;
  if (request.command === "serve") {
    const { serve } = await import("./cli-serve-ROWPOTYF.js");
    return serve(inputs, request.port ?? 0, print, fail);
  }
  try {
    const discovery = await discoverTargets(inputs, (message) => fail(`pycov-harvest: ${message}`));
    if (discovery.targets.length === 0) {
      fail(`pycov-harvest: no ${discovery.searched} found; ${discovery.hint}`);
      return 1;
    }
    const outcomes = await switchAll(discovery.targets, context, {
      dataDir: inputs.dataDir,
      agentPort: inputs.agentPort,
      timeoutMs: inputs.flushTimeoutMs
    });
    for (const outcome of outcomes) print(outcomeLine(context, outcome));
    return outcomes.every((o) => o.ok) ? 0 : 1;
  } catch (error) {
    fail(`pycov-harvest: ${errorText(error)}`);
    return 1;
  }
}

export {
  RouteCache,
  switchAll,
  outcomeLine,
  contextNameProblem,
  runCli
};
