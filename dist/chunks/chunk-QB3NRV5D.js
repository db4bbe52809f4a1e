import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  InputError,
  getInputs
} from "./chunk-YFTCJTGO.js";
import {
  contextNameProblem
} from "./chunk-DAOW7AH7.js";

// src/cli/options.ts
var UsageError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
};
function splitOptions(rest, rules) {
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
    if (!rules.known.includes(option)) throw new UsageError(unknownOption(option, rules.known));
    let value;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = rest[i + 1];
      if (next === void 0) throw new UsageError(`option \`--${option}\` needs a value`);
      value = next;
      i++;
    }
    const earlier = values.get(option);
    if (earlier !== void 0 && !(rules.repeatable ?? []).includes(option))
      throw new UsageError(`option \`--${option}\` is given twice`);
    values.set(option, earlier === void 0 ? value : `${earlier}
${value}`);
  }
  return { values, positional };
}
function wantsHelp(rest) {
  const end = rest.indexOf("--");
  return (end < 0 ? rest : rest.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}
function unknownOption(option, known) {
  const closest = known.map((name) => ({ name, distance: editDistance(option, name) })).sort((a, b) => a.distance - b.distance)[0];
  const hint = closest !== void 0 && closest.distance <= Math.max(2, Math.floor(option.length / 3)) ? `; did you mean \`--${closest.name}\`?` : "; see `--help` for the options";
  return `unknown option \`--${option}\`${hint}`;
}
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

// src/cli/args.ts
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
function parseCliArgs(argv, env = process.env) {
  const [command, ...rest] = argv;
  if (command !== "context" && command !== "serve")
    throw new UsageError(
      command === void 0 ? "no command given" : `unknown command \`${command}\``
    );
  const known = [...Object.keys(OPTIONS), ...command === "serve" ? ["port"] : []];
  const { values, positional } = splitOptions(rest, { known });
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
function inputsOf(values, env) {
  const byInput = /* @__PURE__ */ new Map();
  for (const [option, value] of values) byInput.set(OPTIONS[option] ?? option, value);
  if (!byInput.has("target")) throw new UsageError("`--target docker|kubernetes` is required");
  if (!byInput.has("selector")) throw new UsageError("`--selector` is required");
  return withOptionNames(
    () => getInputs((name) => byInput.get(name) ?? "", env),
    (input) => Object.entries(OPTIONS).find(([, name]) => name === input)?.[0] ?? input
  );
}
function withOptionNames(read, optionOf) {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new UsageError(`option \`--${optionOf(error.input)}\` ${error.problem}; ${error.fix}`);
  }
}

// src/cli/catalog.ts
var INPUT_OPTIONS = [
  { name: "target", default: "", help: "`docker` (containers) or `kubernetes` (pods); required" },
  {
    name: "selector",
    default: "",
    help: "label selector k=v,... (docker: also container names); required"
  },
  { name: "namespace", default: "default", help: "kubernetes namespace of the pods" },
  { name: "container", default: "", help: "the container of each pod (default: the pod's first)" },
  {
    name: "kubeconfig",
    default: "",
    help: "kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)"
  },
  { name: "docker-command", default: "docker", help: "container CLI: `docker` or `podman`" },
  { name: "data-dir", default: "/coverdata", help: "the agent's data directory in the targets" },
  {
    name: "methods",
    default: "http,signal,attach,sigterm",
    help: "the flush chain, tried in order until one is confirmed",
    multi: true
  },
  { name: "signal", default: "SIGUSR1", help: "the save signal of the `signal` method" },
  { name: "agent-port", default: "9797", help: "the agent's listener port in the targets" },
  {
    name: "flush-timeout",
    default: "10",
    help: "seconds for each of `http`, `signal` and `attach`"
  },
  {
    name: "attach-image",
    default: "",
    help: "`attach`'s injector image (default: the target's own)"
  },
  {
    name: "attach-start",
    default: "false",
    help: "`attach` starts coverage where none runs (3.14+)"
  },
  { name: "graceful-timeout", default: "30", help: "seconds for data after SIGTERM (`sigterm`)" },
  {
    name: "path-map",
    default: "",
    help: "container-prefix=local-path, e.g. /app=.",
    multi: true
  },
  {
    name: "formats",
    default: "lcov,xml,json",
    help: "reports: lcov, xml, json, html",
    multi: true
  },
  {
    name: "coverage-image",
    default: "",
    help: "image that runs coverage.py (default: python:<minor>-slim of the service's Python)"
  },
  { name: "coverage-version", default: "", help: "coverage.py version (default: the service's)" },
  {
    name: "coverage-config",
    default: "",
    help: "the project's coverage config (default: found as coverage.py finds it)"
  },
  {
    name: "working-directory",
    default: "",
    help: "where coverage.py runs for the reports (default: the current directory)"
  },
  {
    name: "output-dir",
    default: "coverage-harvest",
    help: "where the reports go (relative to the current directory)"
  },
  {
    name: "artifact-name",
    default: "python-coverage",
    help: "the GitHub artifact name (with --upload true)"
  },
  {
    name: "reset",
    default: "false",
    help: "after saving, every agent process starts a fresh window (per-phase coverage)"
  },
  {
    name: "upload",
    default: "false",
    actionDefault: "true",
    help: "upload a GitHub Actions artifact: only inside a GitHub Actions job"
  },
  {
    name: "summary",
    default: "true",
    help: "print the summary and write summary.md into the output directory"
  },
  {
    name: "fail-under",
    default: "",
    help: "exit 1 when total line coverage is below this percent"
  },
  {
    name: "if-no-targets",
    default: "error",
    help: "no target matched: `error`, `warn` or `ignore`"
  },
  {
    name: "fail-under-diff",
    default: "",
    help: "GitHub pull requests: exit 1 when fewer of the changed lines ran"
  },
  {
    name: "baseline",
    default: "",
    help: "the base branch's coverage.json or .coverage, for the change in the summary"
  },
  {
    name: "extra-data",
    default: "",
    help: "other coverage.py data files or globs to combine in",
    multi: true
  },
  {
    name: "comment",
    default: "auto",
    help: "the GitHub pull request comment: only inside a GitHub Actions pull request job (else off)"
  },
  {
    name: "github-token",
    default: "",
    actionDefault: "${{ github.token }}",
    help: "the token the pull request comment is written with"
  },
  { name: "comment-key", default: "", help: "tells this job's comment apart from other jobs'" }
];

export {
  UsageError,
  splitOptions,
  wantsHelp,
  parseCliArgs,
  withOptionNames,
  INPUT_OPTIONS
};
