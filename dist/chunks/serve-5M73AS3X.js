import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  RouteCache,
  outcomeLine,
  switchTarget
} from "./chunk-EE7VAVLJ.js";
import {
  contextNameProblem
} from "./chunk-DAOW7AH7.js";
import {
  EXEC_SLACK_MS,
  bool,
  discoverTargets,
  int,
  invocation,
  nullable,
  object,
  oneOf,
  optional,
  str
} from "./chunk-I5RFRLKJ.js";
import "./chunk-X6TKDANH.js";
import {
  STREAM_CLOSE_MS,
  errorText,
  lastLine
} from "./chunk-MBSYBGZD.js";
import "./chunk-FSLHNYYV.js";

// src/cli/serve.ts
import { createServer } from "node:http";

// src/harvest/switch-relay.ts
var RelayBrokenError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "RelayBrokenError";
  }
};
var RELAY_START_MS = 3e4;
var RELAY_INTERPRETERS = ["python3", "python"];
var relayLine = object({
  event: oneOf("ready", "result"),
  id: optional(nullable(int)),
  ok: optional(bool),
  processes: optional(int),
  detail: optional(str),
  ms: optional(int)
});
var Relay = class _Relay {
  constructor(stream, label, python) {
    this.stream = stream;
    this.label = label;
    this.python = python;
    stream.onStdout((chunk) => this.read(chunk));
    void stream.ended.then((end) => {
      this.fail(`the relay in ${label} exited (status ${end.exitCode}: ${lastLine(end.stderr)})`);
    });
  }
  stream;
  label;
  python;
  pending = "";
  nextId = 1;
  waiting = /* @__PURE__ */ new Map();
  onReady;
  /** Why the relay cannot carry switches any more, once it cannot. */
  broken;
  /** Starts the relay with the first interpreter that runs it; rejects with why none did. */
  static async open(target, dataDir) {
    if (target.openStream === void 0)
      throw new Error(`${target.label} cannot keep a command running`);
    const problems = [];
    for (const python of RELAY_INTERPRETERS) {
      const { argv, firstLine } = invocation(
        python,
        "context_relay",
        { data_dir: dataDir },
        "line"
      );
      const stream = await target.openStream(argv);
      stream.write(firstLine ?? "");
      const relay = new _Relay(stream, target.label, python);
      try {
        await relay.ready();
        return relay;
      } catch (error) {
        problems.push(`${python}: ${errorText(error)}`);
        await relay.close();
      }
    }
    throw new Error(`no relay started in ${target.label} (${problems.join("; ")})`);
  }
  /** Switches the target's agent processes; rejects with RelayBrokenError when it cannot. */
  switch(name, timeoutMs) {
    if (this.broken !== void 0) return Promise.reject(new RelayBrokenError(this.broken));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new RelayBrokenError(
            `the relay in ${this.label} gave no answer within ${timeoutMs + EXEC_SLACK_MS} ms`
          )
        );
      }, timeoutMs + EXEC_SLACK_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.stream.write(`${JSON.stringify({ id, context: name, timeout: timeoutMs / 1e3 })}
`);
    });
  }
  /** Ends the relay's input; it exits, and nothing is left running in the target. */
  async close() {
    this.fail(`the relay in ${this.label} was closed`);
    await this.stream.close();
  }
  ready() {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`it printed no ready line within ${RELAY_START_MS} ms`));
      }, RELAY_START_MS);
      this.onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      void this.stream.ended.then((end) => {
        clearTimeout(timer);
        reject(new Error(`exit ${end.exitCode}: ${lastLine(end.stderr)}`));
      });
    });
  }
  read(chunk) {
    this.pending += chunk.toString("utf8");
    let newline;
    while ((newline = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== "") this.take(line);
    }
  }
  take(line) {
    let event;
    try {
      event = relayLine(JSON.parse(line), "line", "context_relay");
    } catch (error) {
      this.fail(
        `the relay in ${this.label} printed a line outside its contract (${errorText(error)})`
      );
      return;
    }
    if (event.event === "ready") {
      this.onReady?.();
      return;
    }
    const waiting = event.id === void 0 || event.id === null ? void 0 : this.waiting.get(event.id);
    if (waiting === void 0) return;
    this.waiting.delete(event.id ?? 0);
    clearTimeout(waiting.timer);
    waiting.resolve({
      ok: event.ok === true,
      processes: event.processes ?? 0,
      detail: event.detail ?? "the relay gave no detail",
      ...event.ms === void 0 ? {} : { insideMs: event.ms }
    });
  }
  /** Marks the relay broken and rejects every switch still waiting for it. */
  fail(reason) {
    if (this.broken !== void 0) return;
    this.broken = reason;
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new RelayBrokenError(reason));
      this.waiting.delete(id);
    }
  }
};

// src/cli/switch-session.ts
var REDISCOVER_MS = 2e3;
var SwitchSession = class _SwitchSession {
  constructor(inputs, log, discover, settings) {
    this.inputs = inputs;
    this.log = log;
    this.discover = discover;
    this.settings = settings;
  }
  inputs;
  log;
  discover;
  settings;
  entries = /* @__PURE__ */ new Map();
  cache = new RouteCache();
  current = "";
  queue = Promise.resolve();
  timer;
  refreshing = false;
  said = /* @__PURE__ */ new Set();
  lastDiscovery;
  closed = false;
  /** Finds the targets and opens their relays; then keeps looking for new and gone ones. */
  static async open(inputs, log, discover, rediscoverMs = REDISCOVER_MS) {
    const settings = {
      dataDir: inputs.dataDir,
      agentPort: inputs.agentPort,
      timeoutMs: inputs.flushTimeoutMs
    };
    const session = new _SwitchSession(inputs, log, discover, settings);
    try {
      const found = await session.list();
      for (const entry of await Promise.all(found.map((t) => session.entryFor(t))))
        session.entries.set(entry.target.id, entry);
    } catch (error) {
      session.once(`pycov-harvest: ${errorText(error)} (serve keeps looking)`);
    }
    session.timer = setInterval(() => void session.refresh(), rediscoverMs);
    session.timer.unref();
    return session;
  }
  /** One switch, after the ones before it: 200 when every target confirmed, else 502. */
  switchTo(name) {
    const turn = this.queue.then(() => this.switchAll(name));
    this.queue = turn.catch(() => void 0);
    return turn;
  }
  async close() {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.race([
      this.queue,
      new Promise((done) => setTimeout(done, STREAM_CLOSE_MS).unref())
    ]);
    await Promise.all([...this.entries.values()].map((e) => e.relay?.close()));
    this.entries.clear();
    await this.cache.closeAll();
  }
  async switchAll(name) {
    if (this.entries.size === 0) await this.applyRefresh(await this.list());
    const entries = [...this.entries.values()];
    if (entries.length === 0) {
      const d = this.lastDiscovery;
      const error = d === void 0 ? "no targets found" : `no ${d.searched} found; ${d.hint}`;
      return { status: 502, payload: { ok: false, context: name, targets: [], error } };
    }
    const outcomes = await Promise.all(entries.map((entry) => this.switchOne(entry, name)));
    const gone = outcomes.filter((o) => o === "gone").length;
    const switched = outcomes.filter((o) => o !== "gone");
    this.current = name;
    const ok = switched.length > 0 && switched.every((o) => o.ok);
    const payload = {
      ok,
      context: name,
      targets: switched,
      ...gone > 0 ? { gone } : {},
      ...switched.length === 0 ? {
        error: `all ${gone} target(s) went away during the switch; check that the services run`
      } : {}
    };
    return { status: ok ? 200 : 502, payload };
  }
  /** One target's switch; 'gone' when its relay broke because the target is no longer listed. */
  async switchOne(entry, name) {
    const { target, relay } = entry;
    if (relay === void 0)
      return this.logged(name, await switchTarget(target, name, this.settings, this.cache));
    const began = performance.now();
    const done = (answer) => this.logged(name, {
      label: target.label,
      ms: Math.round(performance.now() - began),
      ...answer
    });
    try {
      return done(await relay.switch(name, this.settings.timeoutMs));
    } catch (error) {
      if (!(error instanceof RelayBrokenError)) throw error;
      const listed = await this.list().catch(() => void 0);
      await relay.close();
      if (listed !== void 0 && !listed.some((t) => t.id === target.id)) {
        this.entries.delete(target.id);
        this.log(`${target.label}: gone (${error.message})`);
        return "gone";
      }
      const again = await this.entryFor(target);
      this.entries.set(target.id, again);
      if (again.relay === void 0)
        return this.logged(name, await switchTarget(target, name, this.settings, this.cache));
      return done(await again.relay.switch(name, this.settings.timeoutMs));
    }
  }
  logged(name, outcome) {
    this.log(outcomeLine(name, outcome));
    return outcome;
  }
  /** A relay for the target, or none, with the reason said once. */
  async entryFor(target) {
    if (target.openStream === void 0) return { target, relay: void 0 };
    try {
      const relay = await Relay.open(target, this.settings.dataDir);
      this.log(`${target.label}: switches through a relay (exec'd once, ${relay.python})`);
      return { target, relay };
    } catch (error) {
      this.once(
        `pycov-harvest: ${errorText(error)}; each switch of ${target.label} goes over a route or one exec instead`
      );
      return { target, relay: void 0 };
    }
  }
  async list() {
    const discovery = await this.discover(
      this.inputs,
      (message) => this.once(`pycov-harvest: ${message}`)
    );
    this.lastDiscovery = discovery;
    return discovery.targets;
  }
  /** Lists the targets off the switch path; new ones join at the current context. */
  async refresh() {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    try {
      const listed = await this.list();
      const joining = await Promise.all(
        listed.filter((t) => !this.entries.has(t.id)).map((t) => this.entryFor(t))
      );
      const step = this.queue.then(() => this.applyRefresh(listed, joining));
      this.queue = step.catch(() => void 0);
      await step;
    } catch (error) {
      this.once(
        `pycov-harvest: looking for targets failed (${errorText(error)}); serve keeps the ones it has`
      );
    } finally {
      this.refreshing = false;
    }
  }
  /** Inside the queue: gone targets' relays closed, joiners switched to the current context. */
  async applyRefresh(listed, joining) {
    const ids = new Set(listed.map((t) => t.id));
    for (const [id, entry] of this.entries) {
      if (ids.has(id)) continue;
      this.entries.delete(id);
      this.log(`${entry.target.label}: gone`);
      await entry.relay?.close();
    }
    await this.cache.retain([...ids]);
    const fresh = joining ?? await Promise.all(
      listed.filter((t) => !this.entries.has(t.id)).map((t) => this.entryFor(t))
    );
    for (const entry of fresh) {
      if (this.closed || this.entries.has(entry.target.id)) {
        await entry.relay?.close();
        continue;
      }
      this.entries.set(entry.target.id, entry);
      if (this.current !== "") await this.switchOne(entry, this.current);
      this.log(`${entry.target.label}: joined`);
    }
  }
  once(line) {
    if (this.said.has(line)) return;
    this.said.add(line);
    this.log(line);
  }
};

// src/cli/serve.ts
var MAX_BODY = 64 * 1024;
function send(res, status, payload) {
  const body = `${JSON.stringify(payload)}
`;
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body)
  });
  res.end(body);
}
async function readBody(req) {
  let body = "";
  for await (const chunk of req) {
    body += chunk.toString("utf8");
    if (body.length > MAX_BODY) throw new Error("the body is too large");
  }
  return body;
}
function contextOf(body) {
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = void 0;
  }
  const name = parsed?.context;
  if (typeof name !== "string")
    return { error: 'the body must be JSON like {"context": "test_refund"} ("" for none)' };
  const problem = contextNameProblem(name);
  return problem === void 0 ? { name } : { error: problem };
}
async function startSwitchServer(inputs, port, log, discover = discoverTargets, rediscoverMs = REDISCOVER_MS) {
  const session = await SwitchSession.open(inputs, log, discover, rediscoverMs);
  const server = createServer((req, res) => {
    void (async () => {
      const context = await requestedContext(req, res);
      if (context === void 0) return;
      try {
        const { status, payload } = await session.switchTo(context);
        send(res, status, payload);
      } catch (error) {
        send(res, 502, { ok: false, context, error: errorText(error) });
      }
    })();
  });
  try {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await session.close();
    throw error;
  }
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return {
    port: bound,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await session.close();
    }
  };
}
async function requestedContext(req, res) {
  if (req.method !== "POST" || req.url !== "/context") {
    send(res, 404, { error: 'POST {"context": NAME} to /context' });
    return void 0;
  }
  let body;
  try {
    body = await readBody(req);
  } catch (error) {
    send(res, 400, { error: errorText(error) });
    return void 0;
  }
  const context = contextOf(body);
  if ("error" in context) {
    send(res, 400, { error: context.error });
    return void 0;
  }
  return context.name;
}
async function serve(inputs, port, print, fail) {
  let server;
  try {
    server = await startSwitchServer(inputs, port, print);
  } catch (error) {
    fail(
      `pycov-harvest: cannot serve on 127.0.0.1:${port} (${errorText(error)}); choose a free \`--port\``
    );
    return 1;
  }
  print(
    `pycov-harvest: switching contexts on http://127.0.0.1:${server.port}/context (POST {"context": NAME})`
  );
  await new Promise((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await server.close();
  return 0;
}
export {
  serve,
  startSwitchServer
};
