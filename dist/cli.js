import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  InputError,
  getInputs
} from "./chunks/chunk-ZM7MH3FN.js";
import {
  contextNameProblem,
  outcomeLine,
  switchAll
} from "./chunks/chunk-IUJLN7MH.js";
import {
  discoverTargets
} from "./chunks/chunk-SK5JE4AU.js";
import "./chunks/chunk-25FODVPG.js";
import {
  errorText
} from "./chunks/chunk-RDDEFHFE.js";
import "./chunks/chunk-FSLHNYYV.js";

// src/cli/args.ts
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
  const { values, positional } = splitArgs(command, rest);
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
  const inputs = inputsOf(values, env);
  const context = positional[0] ?? "";
  if (command === "serve") return { command, context, inputs, port: port ?? 0 };
  const problem = contextNameProblem(context);
  if (problem !== void 0) throw new UsageError(problem);
  return { command, context, inputs };
}
function splitArgs(command, rest) {
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
  return { values, positional };
}
function inputsOf(values, env) {
  const byInput = /* @__PURE__ */ new Map();
  for (const [option, value] of values) byInput.set(OPTIONS[option] ?? option, value);
  if (!byInput.has("target")) throw new UsageError("`--target docker|kubernetes` is required");
  if (!byInput.has("selector")) throw new UsageError("`--selector` is required");
  try {
    return getInputs((name) => byInput.get(name) ?? "", env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new UsageError(optionNames(error.message));
  }
}
function optionNames(message) {
  return message.replace(/input `([a-z-]+)`/g, (_, input) => {
    const option = Object.entries(OPTIONS).find(([, name]) => name === input)?.[0] ?? input;
    return `option \`--${option}\``;
  });
}

// src/cli/cli.ts
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
    const { serve } = await import("./chunks/serve-NA3PT25F.js");
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

// src/cli/main.ts
var write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk, ...rest) => typeof chunk === "string" && chunk.startsWith("::debug::") ? true : write(chunk, ...rest));
process.exitCode = await runCli(process.argv.slice(2));
