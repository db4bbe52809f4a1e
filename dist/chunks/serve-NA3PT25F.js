import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  RouteCache,
  contextNameProblem,
  outcomeLine,
  switchAll
} from "./chunk-IUJLN7MH.js";
import {
  discoverTargets
} from "./chunk-SK5JE4AU.js";
import "./chunk-25FODVPG.js";
import {
  errorText
} from "./chunk-RDDEFHFE.js";
import "./chunk-FSLHNYYV.js";

// src/cli/serve.ts
import { createServer } from "node:http";
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
async function startSwitchServer(inputs, port, log, discover = discoverTargets) {
  const cache = new RouteCache();
  const switchTo = switcher(inputs, cache, discover, log);
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    void (async () => {
      const context = await requestedContext(req, res);
      if (context === void 0) return;
      const turn = queue.then(() => switchTo(context));
      queue = turn.catch(() => void 0);
      try {
        const { status, payload } = await turn;
        send(res, status, payload);
      } catch (error) {
        send(res, 502, { ok: false, context, error: errorText(error) });
      }
    })();
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return {
    port: bound,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await cache.closeAll();
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
function switcher(inputs, cache, discover, log) {
  const settings = {
    dataDir: inputs.dataDir,
    agentPort: inputs.agentPort,
    timeoutMs: inputs.flushTimeoutMs
  };
  return async (name) => {
    const discovery = await discover(inputs, (message) => log(`pycov-harvest: ${message}`));
    if (discovery.targets.length === 0) {
      return {
        status: 502,
        payload: {
          ok: false,
          context: name,
          targets: [],
          error: `no ${discovery.searched} found; ${discovery.hint}`
        }
      };
    }
    await cache.retain(discovery.targets.map((t) => t.id));
    const outcomes = await switchAll(discovery.targets, name, settings, cache);
    for (const outcome of outcomes) log(outcomeLine(name, outcome));
    const ok = outcomes.every((o) => o.ok);
    return { status: ok ? 200 : 502, payload: { ok, context: name, targets: outcomes } };
  };
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
