import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  debug
} from "./chunk-X6TKDANH.js";
import {
  StdinUnsupportedError,
  TargetGoneError,
  errorLine,
  firstLine,
  lastLine,
  quoted,
  spawnStream
} from "./chunk-MBSYBGZD.js";

// src/shared/process.ts
import { spawn } from "node:child_process";
var CommandNotFoundError = class extends Error {
  constructor(program, cause) {
    super(`cannot run \`${program}\`: ${cause}`);
    this.program = program;
    this.name = "CommandNotFoundError";
  }
  program;
};
var STDERR_LIMIT = 64 * 1024;
function runCommand(argv, options = {}) {
  const [program, ...args] = argv;
  if (program === void 0) return Promise.reject(new Error("runCommand: empty argv"));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], shell: false });
    const output = collectOutput(child, options);
    let timedOut = false;
    let settled = false;
    const timer = options.timeoutMs === void 0 ? void 0 : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdin.on("error", () => {
    });
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(
        new CommandNotFoundError(
          program,
          error.code === "ENOENT" ? "not found on PATH" : error.message
        )
      );
    });
    child.on("close", (code, signal) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolvePromise({
        exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1),
        ...output.finish(),
        timedOut
      });
    });
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
  });
}
function collectOutput(child, options) {
  const stdout = [];
  let stdoutBytes = 0;
  let stderr = "";
  let overflow = false;
  child.stdout.on("data", (chunk) => {
    if (overflow) return;
    stdoutBytes += chunk.length;
    if (options.maxStdoutBytes !== void 0 && stdoutBytes > options.maxStdoutBytes) {
      overflow = true;
      child.kill("SIGKILL");
      return;
    }
    if (options.onStdout !== void 0) options.onStdout(chunk);
    else stdout.push(chunk);
  });
  child.stderr.on("data", (chunk) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString("utf8");
  });
  return {
    finish: () => ({
      stdout: Buffer.concat(stdout),
      stderr: (overflow ? `${stderr}
output exceeded ${options.maxStdoutBytes} bytes` : stderr).trim()
    })
  };
}
function signalNumber(signal) {
  return signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1;
}

// src/targets/container-cli.ts
var ContainerCli = class {
  constructor(command) {
    this.command = command;
  }
  command;
  /** Runs `<command> ...args`; a missing CLI becomes one sentence naming the input. */
  async run(args, options = {}) {
    const began = performance.now();
    try {
      const result = await runCommand([this.command, ...args], options);
      debug(
        `\`${this.command} ${shown(args)}\` exit ${result.exitCode} in ${Math.round(performance.now() - began)} ms`
      );
      return result;
    } catch (error) {
      if (error instanceof CommandNotFoundError) {
        throw new Error(
          `the container CLI \`${this.command}\` cannot be run (${error.message}); install it on the runner or set \`docker-command\` (e.g. \`podman\`)`,
          { cause: error }
        );
      }
      throw error;
    }
  }
  /** Runs and insists on exit status 0. */
  async check(args, options = {}) {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) {
      this.throwIfUnreachable(result.stderr);
      throw new Error(
        `\`${this.command} ${args[0] ?? ""}\` failed with exit status ${result.exitCode}: ${firstLine(result.stderr)}`
      );
    }
    return result;
  }
  /** The CLI runs but its engine does not answer (no daemon, a wrong DOCKER_HOST, no access). */
  throwIfUnreachable(stderr) {
    if (!UNREACHABLE.test(stderr)) return;
    throw new Error(
      `\`${this.command}\` cannot reach its container engine (${errorLine(stderr)}); start the engine on the runner, or point the CLI at it (\`DOCKER_HOST\` or a docker context for docker, \`CONTAINER_HOST\` for podman) in the step's environment`
    );
  }
};
var UNREACHABLE = /cannot connect to the docker daemon|cannot connect to podman|unable to connect to podman|error during connect|permission denied while trying to connect/i;
function shown(args) {
  return args.map((arg) => arg.length > 80 || arg.includes("\n") ? `<${arg.length} bytes>` : arg).join(" ");
}

// src/targets/container-selector.ts
function parseContainerSelector(selector) {
  const items = selector.split(",").map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0) throw new Error("input `selector` is empty; set it, e.g. `app=api`");
  if (!items.some((item) => item.includes("="))) return { kind: "names", names: items };
  for (const item of items) {
    if (/!=|\s|^=/.test(item) || /\b(in|notin)\b/.test(item)) {
      throw new Error(
        `input \`selector\` has \`${item}\`, which docker label filters cannot express; use \`key=value\` or \`key\` items separated by commas`
      );
    }
  }
  return { kind: "labels", labels: items };
}
function describeSelector(selector) {
  return selector.kind === "labels" ? `label ${selector.labels.join(",")}` : `name ${selector.names.join(",")}`;
}

// src/targets/container-facts.ts
var INJECTOR_LABEL = "pycov-harvest.injector";
var AGENT_DEFAULT_PORT = 9797;
var record = (value) => typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
var text = (value) => typeof value === "string" ? value : "";
function parseInspect(stdout) {
  let parsed;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry) => {
    const container = record(entry);
    const id = text(container.Id);
    if (id === "") return [];
    const listener = listenerOf(container);
    return [
      {
        id,
        name: text(container.Name).replace(/^\//, "") || id.slice(0, 12),
        running: record(container.State).Running === true,
        injector: INJECTOR_LABEL in record(record(container.Config).Labels),
        ...listener === void 0 ? {} : { listener }
      }
    ];
  });
}
function agentEnvironment(container) {
  const found = /* @__PURE__ */ new Map();
  const env = record(container.Config).Env;
  for (const item of Array.isArray(env) ? env : []) {
    const line = text(item);
    const at = line.indexOf("=");
    if (at > 0 && line.startsWith("PYCOV_HARVEST_"))
      found.set(line.slice(0, at), line.slice(at + 1));
  }
  return found;
}
function addressesOf(container) {
  const settings = record(container.NetworkSettings);
  const networks = Object.values(record(settings.Networks)).map(record);
  const v4 = [settings, ...networks].map((n) => text(n.IPAddress)).filter((a) => a !== "");
  const v6 = [settings, ...networks].map((n) => text(n.GlobalIPv6Address)).filter((a) => a !== "");
  return [.../* @__PURE__ */ new Set([...v4, ...v6])];
}
function listenerOf(container) {
  const env = agentEnvironment(container);
  const host = (env.get("PYCOV_HARVEST_HOST") ?? "").trim();
  const token = env.get("PYCOV_HARVEST_TOKEN") ?? "";
  const port = portOf(env.get("PYCOV_HARVEST_PORT"));
  if (host === "" || isLoopback(host) || token === "" || port === void 0) return void 0;
  const addresses = addressesOf(container);
  const address = host === "0.0.0.0" ? addresses.find((a) => !a.includes(":")) : host === "::" ? addresses[0] : addresses.find((a) => a === host);
  return address === void 0 ? void 0 : { address, port, token };
}
function portOf(value) {
  const raw = (value ?? "").trim();
  if (raw === "") return AGENT_DEFAULT_PORT;
  if (!/^\d+$/.test(raw)) return void 0;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : void 0;
}
function isLoopback(host) {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// src/targets/docker.ts
import { randomBytes } from "node:crypto";
import { connect } from "node:net";

// src/shared/secrets.ts
var mask = () => void 0;
function maskSecretsWith(masker) {
  mask = masker;
}
function secret(value) {
  if (value !== "") mask(value);
  return value;
}

// src/targets/docker.ts
var STOPPING = /\/proc\/\d+\/ns\/mnt: no such file|container state improper/i;
var REACH_TIMEOUT_MS = 2e3;
var COPY_TIMEOUT_MS = 12e4;
var DockerTarget = class {
  constructor(cli, id, label, runningAtDiscovery, listener) {
    this.cli = cli;
    this.id = id;
    this.label = label;
    this.knownRunning = runningAtDiscovery;
    if (listener !== void 0) this.routeToAgent = () => routeTo(listener);
  }
  cli;
  id;
  label;
  kind = "docker";
  /** Only for a container whose agent listens on the container network (see container-facts.ts). */
  routeToAgent;
  /** Whether it ran when it was found: answers the first isRunning() without another call. */
  knownRunning;
  exec(argv, options = {}) {
    const interactive = options.stdin === void 0 ? [] : ["-i"];
    return this.cli.run(["exec", ...interactive, this.id, ...argv], options);
  }
  /**
   * The `attach` injector container: the target's own image by the id the engine reports (no
   * pull, the very files the service runs), sharing its PID and network namespaces, root with
   * CAP_SYS_PTRACE (and CHOWN, DAC_OVERRIDE for the private directory it makes in the service's
   * file system), every other capability dropped; removed when it ends, killed on timeout.
   */
  async runBeside(argv, options) {
    const [entrypoint, ...args] = argv;
    if (entrypoint === void 0) throw new Error("runBeside needs a program");
    const image = options.image ?? await this.imageId();
    const name = `pycov-harvest-attach-${this.id.slice(0, 12)}-${randomBytes(4).toString("hex")}`;
    const run = [
      "run",
      "--rm",
      ...options.stdin === void 0 ? [] : ["-i"],
      "--name",
      name,
      "--label",
      `${INJECTOR_LABEL}=attach`,
      "--pid",
      `container:${this.id}`,
      "--network",
      `container:${this.id}`,
      "--cap-drop",
      "ALL",
      "--cap-add",
      "SYS_PTRACE",
      "--cap-add",
      "CHOWN",
      "--cap-add",
      "DAC_OVERRIDE",
      "--security-opt",
      "no-new-privileges",
      "--user",
      "0",
      "--entrypoint",
      entrypoint,
      image,
      ...args
    ];
    const result = await this.cli.run(run, options);
    if (result.timedOut) await this.cli.run(["rm", "-f", name]).catch(() => void 0);
    if (result.exitCode === 125)
      throw new Error(
        `\`${this.cli.command} run\` could not start the attach injector container beside ${this.label} (${errorLine(result.stderr)}); set \`attach-image\` to an image with python3, or leave \`attach\` out of \`methods\``
      );
    return result;
  }
  /** The id of the image the container runs, as the engine reports it (no tag to re-resolve). */
  async imageId() {
    const result = await this.cli.check(["inspect", "--format", "{{.Image}}", this.id]);
    const id = result.stdout.toString().trim();
    if (id === "")
      throw new Error(`\`${this.cli.command} inspect\` gave no image for ${this.label}`);
    return id;
  }
  /** A command kept running in the container, fed over stdin (`exec -i`). */
  async openStream(argv) {
    return spawnStream(this.cli.command, ["exec", "-i", this.id, ...argv]);
  }
  async isRunning() {
    const known = this.knownRunning;
    this.knownRunning = void 0;
    if (known !== void 0) return known;
    return this.inspectRunning();
  }
  async inspectRunning() {
    const result = await this.cli.run(["inspect", "--format", "{{.State.Running}}", this.id]);
    return result.exitCode === 0 && result.stdout.toString().trim() === "true";
  }
  async copyFromOutside(path, maxBytes, onChunk) {
    const source = `${this.id}:${path.replace(/\/+$/, "")}/.`;
    let streamed = 0;
    const copy = () => this.cli.run(["cp", source, "-"], {
      maxStdoutBytes: maxBytes,
      timeoutMs: COPY_TIMEOUT_MS,
      onStdout: (chunk) => {
        streamed += chunk.length;
        onChunk(chunk);
      }
    });
    let result = await copy();
    if (result.exitCode !== 0 && streamed === 0 && STOPPING.test(result.stderr)) {
      await this.waitUntilStopped(1e4);
      result = await copy();
    }
    if (result.exitCode === 0) return;
    if (/no such container|does not exist/i.test(result.stderr)) {
      throw new TargetGoneError(
        `${this.label} no longer exists (removed once it stopped, e.g. \`--rm\`), so the files it left are gone; mount \`data-dir\` on a volume, or use the agent so that nothing depends on the shutdown`
      );
    }
    throw new Error(
      `\`${this.cli.command} cp\` failed with exit status ${result.exitCode}: ${errorLine(result.stderr)}`
    );
  }
  async waitUntilStopped(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!await this.inspectRunning()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
};
async function routeTo(listener) {
  secret(listener.token);
  const { address, port } = listener;
  const shown2 = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  await new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, timeout: REACH_TIMEOUT_MS });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(
        new Error(
          `the agent's address on the container network, ${shown2}, did not accept a connection within ${REACH_TIMEOUT_MS} ms: the runner cannot reach that network (rootless podman?); leave PYCOV_HARVEST_HOST unset there to skip this wait`
        )
      );
    });
    socket.once("error", (error) => {
      socket.destroy();
      reject(new Error(`the agent's address on the container network, ${shown2}: ${error.message}`));
    });
  });
  return {
    origin: `http://${shown2}`,
    via: `the container network (${shown2})`,
    token: listener.token,
    close: async () => void 0
  };
}

// src/targets/docker-discover.ts
var NO_SUCH_CONTAINER = /no such (container|object)/i;
async function findContainers(cli, selectorText) {
  const selector = parseContainerSelector(selectorText);
  if (selector.kind === "labels") {
    const filters = selector.labels.flatMap((label) => ["--filter", `label=${label}`]);
    const result = await cli.check([
      "ps",
      "--no-trunc",
      "--format",
      "{{.ID}} {{.Names}}",
      ...filters
    ]);
    const listed = parseIdNameLines(result.stdout.toString());
    const facts = await inspectAll(
      cli,
      listed.map(({ id }) => id)
    );
    return listed.filter(({ id }) => facts.get(id)?.injector !== true).map(({ id, name }) => {
      const known = facts.get(id);
      return new DockerTarget(
        cli,
        id,
        `container ${name}`,
        known?.running ?? true,
        known?.listener
      );
    });
  }
  const found = [];
  const missing = [];
  for (const name of selector.names) {
    const result = await cli.run(["inspect", "--type", "container", "--", name]);
    const [entry] = parseInspect(result.stdout.toString());
    if (result.exitCode !== 0 && !NO_SUCH_CONTAINER.test(result.stderr)) {
      cli.throwIfUnreachable(result.stderr);
      throw new Error(
        `\`${cli.command} inspect\` failed with exit status ${result.exitCode}: ${errorLine(result.stderr)}`
      );
    }
    if (result.exitCode !== 0 || entry === void 0) missing.push(name);
    else
      found.push(
        new DockerTarget(cli, entry.id, `container ${entry.name}`, entry.running, entry.listener)
      );
  }
  if (missing.length > 0 && found.length > 0) {
    throw new Error(
      `no container named ${missing.map((n) => `\`${n}\``).join(", ")}; check \`selector\` (\`${cli.command} ps -a\` lists the containers)`
    );
  }
  return found;
}
async function inspectAll(cli, ids) {
  if (ids.length === 0) return /* @__PURE__ */ new Map();
  const result = await cli.run(["inspect", "--type", "container", "--", ...ids], {
    maxStdoutBytes: 64 * 1024 * 1024
  });
  return new Map(parseInspect(result.stdout.toString()).map((facts) => [facts.id, facts]));
}
function parseIdNameLines(text2) {
  return text2.split("\n").map((line) => line.trim()).filter((line) => line !== "").map((line) => {
    const [id = "", name = id] = line.split(/\s+/);
    return { id, name: name.replace(/^\//, "") };
  });
}

// src/targets/discover.ts
async function discoverContainers(inputs) {
  const cli = new ContainerCli(inputs.dockerCommand);
  const selector = parseContainerSelector(inputs.selector);
  return {
    targets: await findContainers(cli, inputs.selector),
    searched: `${selector.kind === "labels" ? "running containers" : "containers"} with ${describeSelector(selector)} (\`${inputs.dockerCommand} ps\`)`,
    hint: "check `selector` and that the services run on this runner"
  };
}
var discoverers = {
  docker: discoverContainers,
  kubernetes: async (inputs, warn) => (await import("./kube-discover-BCAV7WP5.js")).discoverPods(inputs, warn)
};
function discoverTargets(inputs, warn) {
  return discoverers[inputs.target](inputs, warn);
}

// src/harvest/limits.ts
var MAX_BYTES_PER_TARGET = 512 * 1024 * 1024;
var MAX_BYTES_ALL_TARGETS = 2 * 1024 * 1024 * 1024;
var MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;
var MAX_DATA_FILES_PER_TARGET = 4096;
var MAX_ENTRIES_PER_STREAM = 16384;
var MAX_AGENT_ANSWER_BYTES = 1024 * 1024;
var DATA_STREAM_SLACK_MS = 12e4;
var MAX_NAMED_FILES = 5;
var MAX_SKIP_REASONS = 5;
var MAX_FILE_NAME_CHARS = 200;

// src/remote/schema.ts
var ContractError = class extends Error {
  constructor(program, path, expected, value) {
    const shown2 = JSON.stringify(value)?.slice(0, 80) ?? String(value);
    super(
      `the in-target program \`${program}\` broke its contract: \`${path}\` should be ${expected}, got ${shown2}; this is a bug in pycov-harvest, please report it with the step's log`
    );
    this.name = "ContractError";
  }
};
var str = (value, path, program) => {
  if (typeof value !== "string") throw new ContractError(program, path, "a string", value);
  return value;
};
var num = (value, path, program) => {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new ContractError(program, path, "a number", value);
  return value;
};
var epochSeconds = (value, path, program) => {
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > 864e10)
    throw new ContractError(program, path, "a time in seconds since the epoch", value);
  return value;
};
var int = (value, path, program) => {
  if (!Number.isInteger(value)) throw new ContractError(program, path, "an integer", value);
  return value;
};
var bool = (value, path, program) => {
  if (typeof value !== "boolean") throw new ContractError(program, path, "true or false", value);
  return value;
};
function oneOf(...choices) {
  return (value, path, program) => {
    if (!choices.includes(value))
      throw new ContractError(program, path, `one of ${choices.join(", ")}`, value);
    return value;
  };
}
function nullable(check) {
  return (value, path, program) => value === null ? null : check(value, path, program);
}
function optional(check) {
  return (value, path, program) => value === void 0 ? void 0 : check(value, path, program);
}
function either(a, b, expected) {
  return (value, path, program) => {
    try {
      return a(value, path, program);
    } catch {
      try {
        return b(value, path, program);
      } catch {
        throw new ContractError(program, path, expected, value);
      }
    }
  };
}
function arrayOf(check) {
  return (value, path, program) => {
    if (!Array.isArray(value)) throw new ContractError(program, path, "a list", value);
    return value.map((item, index) => check(item, `${path}[${index}]`, program));
  };
}
function object(shape) {
  return (value, path, program) => {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new ContractError(program, path, "an object", value);
    const record3 = value;
    const out = {};
    for (const [key, check] of Object.entries(shape)) {
      const checked = check(record3[key], path === "" ? key : `${path}.${key}`, program);
      if (checked !== void 0) out[key] = checked;
    }
    return out;
  };
}
function record2(check) {
  return (value, path, program) => {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new ContractError(program, path, "an object", value);
    const out = {};
    for (const [key, item] of Object.entries(value))
      out[key] = check(item, `${path}[${JSON.stringify(key)}]`, program);
    return out;
  };
}

// src/harvest/settings.ts
var EXEC_SLACK_MS = 3e4;
var ESCALATE_AFTER_SECONDS = 3;
var PACK_TIMEOUT_MS = 12e4;
var PACK_OVERHEAD_BYTES = 48 * 1024 * 1024;
function packOptions(settings) {
  return { timeoutMs: PACK_TIMEOUT_MS, maxStdoutBytes: settings.maxBytes + PACK_OVERHEAD_BYTES };
}

// src/remote/contract.ts
var EXIT = {
  /** The program ran to its end; its JSON lines say what happened. */
  ok: 0,
  /** Python's own status for an uncaught exception: a crash, traceback on stderr. */
  crashed: 1,
  /** The arguments broke the contract (a bug on the action's side). */
  badArguments: 2,
  /** docker/podman/kubectl: the interpreter could not be run. */
  notExecutable: 126,
  /** docker/podman/kubectl (and our Kubernetes exec): no such interpreter. */
  notFound: 127
};
var dataFile = object({ name: str, size: int, mtime: num });
var skippedFile = object({ name: str, size: int, reason: str });
var registration = object({
  pid: int,
  host: str,
  port: nullable(int),
  signal: nullable(str),
  sigterm: optional(bool),
  python: str,
  coverage: str,
  executable: optional(str),
  data_file: optional(str)
});
var pythonProcess = object({
  pid: int,
  ppid: int,
  argv: arrayOf(str),
  server: nullable(oneOf("uvicorn", "gunicorn", "hypercorn")),
  coverage_run: bool,
  coverage_startup: bool,
  agent_env: bool,
  save_signal: nullable(str),
  graceful_timeout: nullable(either(num, oneOf("default"), 'seconds or "default"')),
  top: bool,
  /** `attach`: `/proc/<pid>/exe`, and the start time that tells a reused pid apart. */
  executable: optional(nullable(str)),
  starttime: optional(nullable(int))
});
var versions = object({ python: nullable(str), coverage: nullable(str) });
var probeEvent = object({
  time: num,
  python: str,
  executable: str,
  data_dir_exists: bool,
  agents: arrayOf(registration),
  malformed: arrayOf(object({ name: str, reason: str })),
  processes: arrayOf(pythonProcess),
  data_files: arrayOf(dataFile),
  skipped_files: arrayOf(skippedFile),
  versions: nullable(versions)
});
var attemptEvent = object({
  method: oneOf("http", "signal"),
  confirmed: bool,
  detail: str,
  ms: int
});
var sentEvent = object({ t0: num, pids: arrayOf(int), errors: arrayOf(str) });
var escalatedEvent = object({ after: num, pids: arrayOf(int), signal: str });
var openConnection = object({ peer: str, state: str });
var connectionsEvent = object({
  pid: int,
  python: nullable(str),
  uvicorn: nullable(str),
  loop: nullable(str),
  graceful: nullable(num),
  cannot_force_quit: bool,
  listeners: arrayOf(str),
  connections: arrayOf(openConnection),
  error: optional(str)
});
var sigtermResult = object({
  confirmed: bool,
  sent: bool,
  reason: str,
  exited: bool,
  files: arrayOf(dataFile),
  t0: optional(num),
  escalated: optional(arrayOf(int)),
  /** Not signalled: the server cannot be stopped while `held` is open (the force-quit table). */
  stuck: optional(bool),
  /** The connections open on the server's listeners that hold (or would hold) its shutdown. */
  held: optional(arrayOf(openConnection))
});
var tokenEvent = object({ token: nullable(str) });
var contextResult = object({
  ok: bool,
  seq: nullable(int),
  processes: int,
  detail: str,
  ms: int
});
var reportStep = object({
  step: str,
  exit: int,
  output: str,
  file: optional(nullable(str))
});
var convertResult = object({
  ok: bool,
  python: str,
  coverage: nullable(str),
  need_install: optional(bool),
  have: optional(nullable(str)),
  want: optional(nullable(str)),
  installed: optional(bool),
  steps: optional(arrayOf(reportStep)),
  measured: optional(int),
  kept: optional(int),
  unmapped: optional(arrayOf(str)),
  unmapped_count: optional(int),
  /** Data files left out: `error` completes "data file X (N bytes) ..." (one sentence). */
  bad_files: optional(arrayOf(object({ file: str, size: int, error: str }))),
  /** Per data file, how many measured names were not plausible paths (dropped), and one of them. */
  dropped: optional(arrayOf(object({ file: str, count: int, example: str }))),
  /** Per data file, the measured files left out because it names another file tracer for them. */
  tracer_conflicts: optional(arrayOf(object({ file: str, count: int, example: str }))),
  inferred: optional(arrayOf(str)),
  extra_measured: optional(int),
  extra_kept: optional(int),
  baseline: optional(reportStep),
  /** How many named contexts the E2E data recorded (0: no switches). */
  contexts: optional(int),
  /** The project's coverage config coverage.py rejects, as one sentence naming file and setting. */
  config_error: optional(str),
  /** The project's coverage config used (relative to the working directory), or null: none. */
  config_file: optional(nullable(str)),
  /** What the harvest changed in it (`[run] relative_files = true`, plugins taken out). */
  overridden: optional(arrayOf(str)),
  /** One sentence per plugin of the config that the conversion image cannot import. */
  plugins_missing: optional(arrayOf(str)),
  /** Lines for the step's log: the config used and overridden, files left out and why. */
  log: optional(arrayOf(str)),
  /** Measured files whose plugin the image lacks (left out), the first of them, and how many. */
  orphans: optional(arrayOf(str)),
  orphans_count: optional(int),
  /** Measured files that are not Python (templates), left out as coverage.py does. */
  not_python: optional(arrayOf(str)),
  not_python_count: optional(int),
  /**
   * With `contexts`: each context label the agent wrote → the harness's context ('' for none),
   * from the agent's mark in its data files, and how many files had the mark.
   */
  context_labels: optional(record2(str)),
  marked_files: optional(int)
});
var installResult = object({ spec: str, exit: int, output: str });

// src/remote/program-output.ts
var TAR_LINE = Buffer.from('{"event": "tar"}\n');
var MAX_EVENT_BYTES = 64 * 1024 * 1024;
var OutputSplitter = class {
  constructor(program, onTar) {
    this.program = program;
    this.onTar = onTar;
  }
  program;
  onTar;
  head = [];
  headBytes = 0;
  started = false;
  push(chunk) {
    if (this.started) {
      this.toTar(chunk);
      return;
    }
    const before = this.headBytes;
    this.head.push(Buffer.from(chunk));
    this.headBytes += chunk.length;
    const text2 = Buffer.concat(this.head);
    const at = text2.indexOf(TAR_LINE, Math.max(0, before - TAR_LINE.length));
    if (at >= 0) {
      if (this.onTar === void 0)
        throw new ContractError(
          this.program,
          "tar",
          "absent (this program sends no data)",
          "a tar stream"
        );
      this.started = true;
      this.head = [text2.subarray(0, at)];
      this.toTar(text2.subarray(at + TAR_LINE.length));
    } else if (this.headBytes > MAX_EVENT_BYTES) {
      throw new ContractError(
        this.program,
        "stdout",
        `under ${MAX_EVENT_BYTES} bytes of JSON lines`,
        this.headBytes
      );
    }
  }
  output() {
    const events = parseEvents(this.program, Buffer.concat(this.head).toString("utf8"));
    return { events, tarStarted: this.started };
  }
  toTar(chunk) {
    if (chunk.length > 0) this.onTar?.(chunk);
  }
};
function parseEvents(program, text2) {
  const events = [];
  for (const line of text2.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    let value;
    try {
      value = JSON.parse(trimmed);
    } catch {
      continue;
    }
    const event = value.event;
    if (typeof event !== "string")
      throw new ContractError(program, "event", "a string on every JSON line", event);
    events.push({ event, body: value });
  }
  return events;
}
function splitOutput(program, stdout) {
  const splitter = new OutputSplitter(program);
  splitter.push(stdout);
  return splitter.output();
}
function eventOf(program, output, name, check) {
  const found = output.events.filter((e) => e.event === name);
  if (found.length > 1) throw new ContractError(program, name, "printed once", found.length);
  return found[0] === void 0 ? void 0 : check(found[0].body, name, program);
}
function eventsOf(program, output, name, check) {
  return output.events.filter((e) => e.event === name).map((e, index) => check(e.body, `${name}[${index}]`, program));
}

// src/harvest/agent-client.ts
var AnswerTooLargeError = class extends Error {
  constructor(path) {
    super(
      `the agent's ${path} answer is larger than ${MAX_AGENT_ANSWER_BYTES} bytes, the bound of an agent answer, so it was not read`
    );
    this.name = "AnswerTooLargeError";
  }
};
async function boundedBody(response, path, max) {
  if (response.body === null) return Buffer.alloc(0);
  const chunks = [];
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.length;
    if (bytes > max) {
      await response.body.cancel().catch(() => void 0);
      throw new AnswerTooLargeError(path);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
var AgentClient = class {
  constructor(session, route, settings) {
    this.session = session;
    this.route = route;
    this.settings = settings;
    this.token = route.token;
  }
  session;
  route;
  settings;
  token;
  askedInside = false;
  async request(method, path, body) {
    const send = async () => {
      const response = await fetch(`${this.route.origin}/pycov-harvest/${path}`, {
        method,
        headers: {
          ...body === void 0 ? {} : { "Content-Type": "application/json" },
          ...this.token === void 0 ? {} : { Authorization: `Bearer ${this.token}` }
        },
        ...body === void 0 ? {} : { body: JSON.stringify(body) },
        signal: AbortSignal.timeout(this.settings.flushTimeoutMs + EXEC_SLACK_MS)
      });
      const answer = await boundedBody(response, path, MAX_AGENT_ANSWER_BYTES);
      return { status: response.status, body: answer };
    };
    const first = await send();
    if (first.status !== 401 || this.askedInside) return first;
    this.askedInside = true;
    const token = await this.readToken();
    if (token === void 0 || token === this.token) return first;
    this.token = token;
    return send();
  }
  /**
   * A GET whose body goes to `onChunk` as it arrives; returns the status. Reading stops once
   * `enough()` says so (the receiver refused the stream): the rest is not read.
   */
  async stream(path, onChunk, enough = () => false) {
    const response = await fetch(`${this.route.origin}/pycov-harvest/${path}`, {
      headers: this.token === void 0 ? {} : { Authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(
        this.settings.flushTimeoutMs + EXEC_SLACK_MS + DATA_STREAM_SLACK_MS
      )
    });
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel();
      return response.status;
    }
    const reader = response.body.getReader();
    try {
      for (; ; ) {
        const { done, value } = await reader.read();
        if (done) break;
        onChunk(Buffer.from(value));
        if (enough()) break;
      }
    } finally {
      await reader.cancel().catch(() => void 0);
    }
    return response.status;
  }
  async readToken() {
    const run = this.session.check(
      await this.session.run(
        "token",
        { data_dir: this.settings.dataDir, port: this.settings.agentPort },
        { timeoutMs: EXEC_SLACK_MS }
      )
    );
    const token = eventOf("token", run.output, "token", tokenEvent)?.token;
    return token === void 0 || token === null ? void 0 : secret(token);
  }
};
function json(answer) {
  try {
    return JSON.parse(answer.body.toString("utf8"));
  } catch {
    return void 0;
  }
}
var MAX_MISSING_LISTED = 5;
function missingText(missing) {
  const listed = missing.slice(0, MAX_MISSING_LISTED).map((m) => `pid ${m.pid}: ${quoted(m.reason)}`);
  const more = missing.length - listed.length;
  return more > 0 ? `${listed.join("; ")}; and ${more} more` : listed.join("; ");
}

// src/remote/programs.ts
import { deflateSync } from "node:zlib";

// agent/pycov_harvest/auth.py
var auth_default = '"""Message authentication with the service\'s token (PYCOV_HARVEST_TOKEN).\n\nEvery process of a service has the same token in its environment. With a token\nset, a wake message, an acknowledgement and a registration carry\n`mac = HMAC-SHA256(token, message)`, and a reader with the token ignores any\nthat do not: a process in the same pod without the token can still see the\nwake sockets and the data dir, but cannot make a process save or reset, nor\nforge an answer (docs/agent.md, "Security model").\n\nShared with the programs the action runs inside targets (bundled from this\nvery file), so it is standard library only and runs on Python 3.8+.\n"""\n\nfrom __future__ import annotations\n\nimport json\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Optional\n\nMAC_FIELD = "mac"\n\n\ndef mac(token: str, message: bytes) -> str:\n    import hashlib  # here: most readers of the registry never check a MAC\n    import hmac\n\n    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()\n\n\ndef valid(token: str, message: bytes, given: object) -> bool:\n    import hmac\n\n    return isinstance(given, str) and hmac.compare_digest(mac(token, message), given)\n\n\ndef _canonical(payload: dict) -> bytes:\n    body = {k: v for k, v in payload.items() if k != MAC_FIELD}\n    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")\n\n\ndef sign(token: Optional[str], payload: dict) -> dict:\n    """The payload with its MAC when a token is set (unchanged otherwise)."""\n    if not token:\n        return payload\n    signed = dict(payload)\n    signed[MAC_FIELD] = mac(token, _canonical(payload))\n    return signed\n\n\ndef verified(token: Optional[str], payload: object) -> bool:\n    """Without a token everything passes; with one, only payloads signed with it."""\n    if not token:\n        return True\n    return isinstance(payload, dict) and valid(token, _canonical(payload), payload.get(MAC_FIELD))\n';

// agent/pycov_harvest/datafiles.py
var datafiles_default = '"""coverage.py data files in a data directory: which names are data files, and\nwhich files may leave the directory.\n\nShared by the agent and the programs the action runs inside targets (they are\nbundled from this very file), so it is standard library only and runs on\nPython 3.8+.\n"""\n\nfrom __future__ import annotations\n\nimport os\nimport stat\nimport struct\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Dict, List, Optional, Tuple\n\n    DataFile = Dict[str, object]  # {"name": str, "size": int, "mtime": float}\n    Skipped = Dict[str, object]  # {"name": str, "size": int, "reason": str}\n\nSIDE_SUFFIXES = (\n    "-journal",\n    "-wal",\n    "-shm",\n)\nSQLITE_HEADER = b"SQLite format 3\\x00"\n# The agent\'s registry lives beside the data files; it is never data.\nREGISTRY = ".pycov-harvest"\n\n\ndef is_data_file_name(name: str) -> bool:\n    """`.coverage` (coverage run without `parallel`) or `.coverage.<suffix>`,\n    never one of SQLite\'s side files."""\n    if name != ".coverage" and not name.startswith(".coverage."):\n        return False\n    return not name.endswith(SIDE_SUFFIXES)\n\n\ndef sqlite_problem(head: bytes, size: int) -> Optional[str]:\n    """Why the first 100 bytes of a file of `size` bytes are not a whole SQLite\n    database, or None when they are."""\n    if size == 0:\n        return "empty (0 bytes)"\n    if not head.startswith(SQLITE_HEADER):\n        return "not an SQLite database (no SQLite header)"\n    if len(head) < 100:\n        return "truncated (%d bytes, shorter than the SQLite header)" % size\n    page_size = struct.unpack(">H", head[16:18])[0]\n    if page_size == 1:\n        page_size = 65536\n    change_counter, = struct.unpack(">I", head[24:28])\n    pages, = struct.unpack(">I", head[28:32])\n    valid_for, = struct.unpack(">I", head[92:96])\n    if page_size < 512 or page_size & (page_size - 1):\n        return "not an SQLite database (page size %d)" % page_size\n    # The in-header page count is trustworthy only when written by the same\n    # transaction as the change counter (SQLite >= 3.7.0 always does).\n    if pages and valid_for == change_counter and size < pages * page_size:\n        return "truncated (%d of %d bytes)" % (size, pages * page_size)\n    if size % page_size:\n        return "truncated (%d bytes, not a whole number of %d-byte pages)" % (size, page_size)\n    return None\n\n\ndef inspect_open_file(fd: int) -> Tuple[os.stat_result, Optional[str]]:\n    """(stat, None) for an open data file that may leave the directory, else (stat, reason)."""\n    st = os.fstat(fd)\n    if not stat.S_ISREG(st.st_mode):\n        return st, "not a regular file"\n    if st.st_nlink != 1:\n        return st, "hard-linked (%d links), so not a file coverage.py wrote here" % st.st_nlink\n    return st, sqlite_problem(os.pread(fd, 100, 0), st.st_size)\n\n\ndef open_data_file(path: str) -> int:\n    """Opens without following a symlink and without blocking on a FIFO."""\n    return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))\n\n\ndef _kind(mode: int) -> str:\n    if stat.S_ISLNK(mode):\n        return "a symbolic link"\n    if stat.S_ISDIR(mode):\n        return "a directory"\n    if stat.S_ISFIFO(mode):\n        return "a FIFO"\n    if stat.S_ISSOCK(mode):\n        return "a socket"\n    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):\n        return "a device"\n    return "not a regular file"\n\n\ndef too_large(size: int, max_file_bytes: Optional[int]) -> Optional[str]:\n    """The reason a file of `size` bytes stays, when the reader\'s bound for one\n    data file is given and it is larger."""\n    if max_file_bytes is not None and size > max_file_bytes:\n        return "larger than %d bytes (the bound for one data file)" % max_file_bytes\n    return None\n\n\ndef scan(data_dir: str, max_file_bytes: Optional[int] = None,\n         max_files: Optional[int] = None) -> Tuple[List[DataFile], List[Skipped]]:\n    """The data files that may leave `data_dir` (regular, single-link, whole\n    SQLite files with a data-file name), and everything else in it with the\n    reason it stays. SQLite side files and the agent\'s registry are not listed.\n    The action\'s programs pass its bounds: a file over `max_file_bytes`, and\n    every file after the first `max_files`, stay with that reason."""\n    accepted: List[DataFile] = []\n    skipped: List[Skipped] = []\n    try:\n        names = sorted(os.listdir(data_dir))\n    except OSError:\n        return accepted, skipped\n    for name in names:\n        if name == REGISTRY or (name.startswith(".coverage") and name.endswith(SIDE_SUFFIXES)):\n            continue\n        path = os.path.join(data_dir, name)\n        try:\n            st = os.lstat(path)\n        except OSError:\n            continue  # removed meanwhile\n        if not is_data_file_name(name):\n            skipped.append({"name": name, "size": st.st_size, "reason": "not a coverage data file name"})\n            continue\n        if not stat.S_ISREG(st.st_mode):\n            skipped.append({"name": name, "size": st.st_size, "reason": _kind(st.st_mode)})\n            continue\n        try:\n            fd = open_data_file(path)\n        except OSError as e:\n            skipped.append({"name": name, "size": st.st_size, "reason": "unreadable (%s)" % (e.strerror or e)})\n            continue\n        try:\n            fst, problem = inspect_open_file(fd)\n        except OSError as e:\n            fst, problem = None, "unreadable (%s)" % (e.strerror or e)\n        finally:\n            os.close(fd)\n        size = fst.st_size if fst is not None else st.st_size\n        problem = problem or too_large(size, max_file_bytes)\n        if problem is None and max_files is not None and len(accepted) >= max_files:\n            problem = "over the %d data files taken from one target" % max_files\n        if problem is not None:\n            skipped.append({"name": name, "size": size, "reason": problem})\n        else:\n            accepted.append({"name": name, "size": size, "mtime": fst.st_mtime if fst is not None else st.st_mtime})\n    return accepted, skipped\n';

// agent/pycov_harvest/procfs.py
var procfs_default = '"""Processes as /proc shows them: liveness, parent, start time, command line,\nenvironment.\n\nShared by the agent and the programs the action runs inside targets (they are\nbundled from this very file), so it is standard library only and runs on\nPython 3.8+.\n"""\n\nfrom __future__ import annotations\n\nimport errno\nimport os\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Dict, List, Optional\n\n\ndef _stat_fields(pid: int) -> Optional[List[str]]:\n    """The fields of /proc/<pid>/stat after the command name (state first)."""\n    try:\n        with open("/proc/%d/stat" % pid, "rb") as f:\n            raw = f.read()\n    except OSError:\n        return None\n    # The command name is in parentheses and may itself contain ") ".\n    return raw.rsplit(b")", 1)[-1].decode("ascii", "replace").split()\n\n\ndef alive(pid: int) -> bool:\n    """The process exists and is not a zombie. A process of another user counts\n    as alive; so does one whose /proc entry exists but cannot be read."""\n    try:\n        os.kill(pid, 0)\n    except OSError as e:\n        if e.errno != errno.EPERM:\n            return False\n    try:\n        with open("/proc/%d/stat" % pid, "rb") as f:\n            fields = f.read().rsplit(b")", 1)[-1].split()\n    except FileNotFoundError:\n        return False  # exited between the two checks\n    except OSError:\n        return True  # e.g. /proc mounted with hidepid: it does exist\n    return not fields or fields[0] != b"Z"\n\n\ndef ppid(pid: int) -> int:\n    fields = _stat_fields(pid)\n    try:\n        return int(fields[1]) if fields else 0\n    except (IndexError, ValueError):\n        return 0\n\n\ndef start_ticks(pid: int) -> Optional[int]:\n    """When the process started, in clock ticks since boot (stat field 22): with\n    the pid, it names one process for good, even after the pid is reused."""\n    fields = _stat_fields(pid)\n    try:\n        return int(fields[19]) if fields else None\n    except (IndexError, ValueError):\n        return None\n\n\ndef cmdline(pid: int) -> List[str]:\n    try:\n        with open("/proc/%d/cmdline" % pid, "rb") as f:\n            raw = f.read()\n    except OSError:\n        return []\n    return [part.decode("utf-8", "replace") for part in raw.split(b"\\0")[:-1]]\n\n\ndef environ(pid: int) -> Dict[str, str]:\n    try:\n        with open("/proc/%d/environ" % pid, "rb") as f:\n            raw = f.read()\n    except OSError:\n        return {}\n    env = {}\n    for part in raw.split(b"\\0"):\n        key, sep, value = part.partition(b"=")\n        if sep:\n            env[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")\n    return env\n\n\ndef exe(pid: int) -> Optional[str]:\n    try:\n        return os.readlink("/proc/%d/exe" % pid)\n    except OSError:\n        return None\n\n\ndef pids() -> List[int]:\n    try:\n        return sorted(int(entry) for entry in os.listdir("/proc") if entry.isdigit())\n    except OSError:\n        return []\n';

// agent/pycov_harvest/signames.py
var signames_default = `"""Signal names: the one parser for the agent's settings, its fan-out and the
programs the action runs inside targets (bundled from this very file; standard
library only, Python 3.8+)."""

from __future__ import annotations

import signal

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Optional

# Signals that stop a process for good or suspend it: never a save signal.
NEVER_SAVE = frozenset(("SIGKILL", "SIGSTOP", "SIGTERM"))


def parse(text: str) -> int:
    """'SIGUSR2', 'USR2', 'usr2' or '12' -> the signal number; ValueError otherwise."""
    value = str(text).strip()
    if value.isdigit():
        return signal.Signals(int(value)).value
    upper = value.upper()
    if not upper.startswith("SIG"):
        upper = "SIG" + upper
    member = getattr(signal.Signals, upper, None)
    if not isinstance(member, signal.Signals):
        raise ValueError(text)
    return member.value


def parse_or_none(text: object) -> Optional[int]:
    """Like parse, but None for anything that is not a signal (e.g. a field of a
    file someone else wrote)."""
    if not isinstance(text, str):
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def name(number: int) -> str:
    return signal.Signals(number).name
`;

// agent/pycov_harvest/tarstream.py
var tarstream_default = '"""The one packer of data files: a tar stream that ends with a manifest.\n\nUsed by the agent (`GET /pycov-harvest/data`, `python -m pycov_harvest pack`)\nand by the action\'s in-target pack program (bundled from this very file), so\nit is standard library only and runs on Python 3.8+.\n\nFiles are streamed, never read whole into memory. A process may rewrite its\ndata file while it is being read; such a copy would be a corrupt database, so\neach file is checked (size, mtime, inode) after its bytes were sent and sent\nagain when it changed. The last entry, `MANIFEST_NAME`, lists for every data\nfile the size and SHA-256 of its good copy, and every file that stayed behind\nwith the reason. A reader keeps only entries that match the manifest, and\ntreats a stream without one as cut off.\n"""\n\nfrom __future__ import annotations\n\nimport json\nimport os\n\nfrom pycov_harvest import datafiles\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    import tarfile\n    from typing import Dict, List, Optional, Tuple\n\nMANIFEST_NAME = ".pycov-harvest-manifest.json"\nMANIFEST_VERSION = 1\nCHUNK = 1 << 20\nATTEMPTS = 3\n\n\nclass _Source:\n    """Reads exactly `size` bytes from `fd` for tarfile, hashing them; pads with\n    zeros when the file shrank meanwhile (the copy is then marked as changed)."""\n\n    def __init__(self, fd: int, size: int):\n        import hashlib\n\n        self.fd = fd\n        self.left = size\n        self.sha = hashlib.sha256()\n        self.short = False\n\n    def read(self, n: int = -1) -> bytes:\n        want = self.left if n is None or n < 0 else min(n, self.left)\n        parts = []\n        got = 0\n        while got < want:\n            chunk = b"" if self.short else os.read(self.fd, min(want - got, CHUNK))\n            if not chunk:\n                self.short = True\n                chunk = b"\\0" * (want - got)\n            parts.append(chunk)\n            got += len(chunk)\n        data = b"".join(parts)\n        self.sha.update(data)\n        self.left -= len(data)\n        return data\n\n\ndef _same(before: os.stat_result, after: os.stat_result) -> bool:\n    return (before.st_ino, before.st_size, before.st_mtime_ns) == (after.st_ino, after.st_size, after.st_mtime_ns)\n\n\ndef _send_once(tar: tarfile.TarFile, path: str, name: str,\n               max_file_bytes: Optional[int] = None) -> Tuple[Optional[Dict[str, object]], Optional[str]]:\n    """Streams one copy of the file. Returns (manifest entry, None) when the copy\n    is good, (None, reason) when it must not be used."""\n    import tarfile\n\n    fd = datafiles.open_data_file(path)\n    try:\n        before, problem = datafiles.inspect_open_file(fd)\n        problem = problem or datafiles.too_large(before.st_size, max_file_bytes)\n        if problem is not None:\n            return None, problem\n        info = tarfile.TarInfo(name)\n        info.size = before.st_size\n        info.mtime = before.st_mtime\n        info.mode = 0o644\n        source = _Source(fd, before.st_size)\n        tar.addfile(info, source)  # type: ignore[arg-type]\n        after = os.fstat(fd)\n        try:\n            renamed = not _same(os.stat(path), after)\n        except OSError:\n            renamed = True\n    finally:\n        os.close(fd)\n    if source.short or not _same(before, after) or renamed:\n        return None, "changed while being read"\n    entry: Dict[str, object] = {\n        "name": name,\n        "size": before.st_size,\n        "mtime": before.st_mtime,\n        "sha256": source.sha.hexdigest(),\n    }\n    return entry, None\n\n\ndef write(data_dir: str, out, max_file_bytes: Optional[int] = None,\n          max_files: Optional[int] = None) -> Dict[str, object]:\n    """Writes the data files of `data_dir` and the manifest to the binary stream\n    `out` as an uncompressed tar stream; returns the manifest. The bounds, when\n    given, are the reader\'s (datafiles.scan): what is over them stays, with the\n    reason in the manifest."""\n    # Imported here, not with the module: tarfile (shutil, bz2, lzma) and hashlib are a good part of\n    # the in-target harvest program\'s start, which packs only when asked to.\n    import io\n    import tarfile\n\n    accepted, skipped = datafiles.scan(data_dir, max_file_bytes, max_files)\n    files: List[Dict[str, object]] = []\n    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:\n        for item in accepted:\n            name = str(item["name"])\n            reason = "changed while being read"\n            for _ in range(ATTEMPTS):\n                try:\n                    entry, reason_now = _send_once(tar, os.path.join(data_dir, name), name, max_file_bytes)\n                except OSError as e:\n                    entry, reason_now = None, "unreadable (%s)" % (e.strerror or e)\n                if entry is not None:\n                    files.append(entry)\n                    break\n                reason = reason_now or reason\n                if reason_now != "changed while being read":\n                    break\n            else:\n                reason = "changed while being read (%d attempts)" % ATTEMPTS\n            if entry is None:\n                skipped.append({"name": name, "size": item["size"], "reason": reason})\n        manifest = {"version": MANIFEST_VERSION, "files": files, "skipped": skipped}\n        body = json.dumps(manifest).encode()\n        info = tarfile.TarInfo(MANIFEST_NAME)\n        info.size = len(body)\n        info.mode = 0o644\n        tar.addfile(info, io.BytesIO(body))\n    return manifest\n';

// src/remote/pycov_harvest_remote/__init__.py
var init_default = '"""The programs the action runs inside targets (and in the conversion container).\n\nEach entry module (harvest, sigterm, token, convert) has a `main() -> int` and\nis bundled by the action, with the modules it imports, into one compressed\nargument of `python -S -c <loader>` (src/remote/programs.ts). `-S` keeps the\ninterpreter from reading site-packages, so no `.pth` hook (the agent\'s among\nthem) runs in these programs; the loader also sets PYCOV_HARVEST=0 for every\nprocess they start. Standard library only, Python 3.8+. What they print and\nhow they exit is the contract in docs/protocol.md ("Programs").\n"""\n';

// src/remote/pycov_harvest_remote/attach.py
var attach_default = `"""The \`attach\` method: make running Python processes save their own
\`coverage.Coverage.current()\` without stopping them and without the agent.

Runs either in the target as the service's uid (enough where the kernel lets
same-uid processes trace each other: no Yama) or in a injector container made from
the service's own image that shares the target's PID and network namespaces with
CAP_SYS_PTRACE. Python 3.14+ goes through sys.remote_exec (and, when only its
memory calls are denied, the pending call), 3.8-3.13 through a pending call
placed with ptrace (attach_inject). Each process's save is confirmed by its own
answer and by the data file it names. A refusal's \`cause\` tells the caller
whether the injector container may do better ("denied") or must not try ("disabled").

Arguments: {"pids": [int, ...], "timeout": seconds, "route": "auto" | "ptrace"
| "remote_exec", "program": the source of attach_program (optional), "starts":
{"<pid>": start ticks} (optional), "start": a data file (optional: "measure from
now", coverage started where none runs, 3.14+)}. One JSON line per pid: event
"attached" (with the answer's facts), "started" (coverage started, nothing to
save yet) or "refused" (one sentence: the cause and the fix)."""

from __future__ import annotations

import binascii
import json
import os
import sys
import time

from pycov_harvest import procfs

from pycov_harvest_remote import attach_program, attach_remote, attach_wake
from pycov_harvest_remote.attach_target import PrivateDir, TargetError, python_version
from pycov_harvest_remote.output import EXIT_OK, emit, require

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional

POLL = 0.02
# uvicorn and gunicorn's workers run Python code at least every 0.1-1 s; a loop quiet this
# long after the trigger is woken, and again at every WAKE_EVERY.
WAKE_AFTER = 0.3
WAKE_EVERY = 1.0
# Budget for placing the trigger in one process (finding a waiting thread included).
TRIGGER_TIMEOUT = 3.0
MTIME_SLACK = 0.05
BUSY_PAUSE = 0.2
# A refusal's cause when the process runs no coverage at all (the caller does not count it).
NO_COVERAGE = "no-coverage"


class Attempt:
    """One process: its private directory, how it was triggered, and what came back."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.dir: Optional[PrivateDir] = None
        self.facts: Dict[str, Any] = {}
        self.answer: Optional[Dict[str, Any]] = None
        self.refusal = ""
        self.route = ""
        self.boot = ""
        self.boot_path = ""
        self.ptrace_allowed = True
        # For the caller: "denied" (another route with more rights may work), "disabled", or ''.
        self.cause = ""
        # "Measure from now" was asked: coverage is started where none runs.
        self.start_file = ""


def program_source() -> str:
    with open(attach_program.__file__) as f:
        return f.read()


def _route_for(pid: int, wanted: str, start: Optional[int]) -> str:
    if not os.path.exists("/proc/%d" % pid):
        raise attach_remote.Refused(
            "pid %d is not visible here: the injector container does not share the service's process "
            "namespace (\`--pid container:<id>\`, or a runtime without Kubernetes' targetContainerName "
            "support); use the agent" % pid)
    if start is not None and procfs.start_ticks(pid) != start:
        raise attach_remote.Refused("pid %d is another process than the one found (it restarted since); "
                                    "harvest again" % pid)
    try:
        version = python_version(pid)
    except PermissionError as e:
        raise attach_remote.Refused(
            "this process may not look into pid %d (%s: another user, and no CAP_SYS_PTRACE): %s"
            % (pid, e.strerror, attach_remote.PTRACE_FIX), attach_remote.DENIED) from e
    if version is None:
        raise attach_remote.Refused("pid %d is not a CPython this injector recognizes; use the agent" % pid)
    if version < (3, 8):
        raise attach_remote.Refused("pid %d runs Python %d.%d; attach supports 3.8 and later: use the "
                                    "agent or sigterm" % ((pid,) + version))
    route = wanted if wanted != "auto" else ("remote_exec" if version >= (3, 14) else "ptrace")
    if route == "remote_exec" and version != sys.version_info[:2]:
        raise attach_remote.Refused(
            "pid %d runs Python %d.%d and this injector %d.%d: sys.remote_exec needs the same version; "
            "run attach from the service's own image" % ((pid,) + version + tuple(sys.version_info[:2])))
    return route


def trigger(a: Attempt, route_wanted: str, program: str, nonce: str, start: Optional[int] = None,
            start_file: str = "") -> None:
    """Writes the program into the target and asks the interpreter to run it."""
    a.route = _route_for(a.pid, route_wanted, start)
    a.start_file = start_file
    a.ptrace_allowed = route_wanted != "remote_exec"
    a.dir = PrivateDir(a.pid, "%s-%d" % (nonce, a.pid))
    program_path = a.dir.write("program.py", program)
    a.boot = attach_program.bootstrap(program_path, a.dir.inside, nonce, start_file)
    if a.route == "remote_exec":
        a.boot_path = a.dir.write("boot.py", a.boot)
    fire(a)


def fire(a: Attempt) -> None:
    """Asks the interpreter to run the bootstrap at its next eval-breaker check."""
    started = time.monotonic()
    if a.route == "remote_exec":
        try:
            a.facts["route"], _ = attach_remote.remote_exec(a.pid, a.boot_path, a.boot)
        except attach_remote.Refused as e:
            # Denied memory access (a seccomp profile without process_vm_readv, as Docker 20.10's):
            # the pending call needs only ptrace and /proc/<pid>/mem. Remote debugging turned
            # off is the service's choice and is respected.
            if e.kind != attach_remote.DENIED or not a.ptrace_allowed:
                raise
            a.facts["remote_exec_refused"] = str(e)
            a.route = "ptrace"
    if a.route == "ptrace":
        from pycov_harvest_remote import attach_arch, attach_inject, attach_ptrace
        try:
            a.facts.update(attach_inject.add_pending_call(
                a.pid, attach_arch.machine_arch(), a.boot.encode(), TRIGGER_TIMEOUT))
        except attach_ptrace.PtraceError as e:
            raise attach_remote.Refused("the kernel refused to let this process trace pid %d (%s): %s"
                                        % (a.pid, e, attach_remote.PTRACE_FIX), attach_remote.DENIED) from e
        a.facts["route"] = "ptrace"
    a.facts["trigger_ms"] = int((time.monotonic() - started) * 1000)


def _read_answer(a: Attempt) -> Optional[Dict[str, Any]]:
    assert a.dir is not None
    try:
        with open(os.path.join(a.dir.here, attach_program.ANSWER)) as f:
            value = json.load(f)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _again(a: Attempt) -> None:
    """The process was in the middle of an import: ask once more, a moment later."""
    assert a.dir is not None
    a.answer = None
    a.facts["busy"] = a.facts.get("busy", 0) + 1
    os.remove(os.path.join(a.dir.here, attach_program.ANSWER))
    time.sleep(BUSY_PAUSE)
    try:
        fire(a)
    except Exception as e:
        a.refusal = "attach to pid %d failed on a second try: %s: %s" % (a.pid, type(e).__name__, e)


def collect(attempts: List[Attempt], deadline: float) -> None:
    """Polls for every answer, waking idle loops; bounded by deadline."""
    waiting = [a for a in attempts if not a.refusal]
    started = time.monotonic()
    next_wake = started + WAKE_AFTER
    while waiting and time.monotonic() < deadline:
        for a in list(waiting):
            a.answer = _read_answer(a)
            if a.answer is not None and a.answer.get("status") == "busy":
                _again(a)
                if a.refusal:
                    waiting.remove(a)
            elif a.answer is not None:
                a.facts["answer_ms"] = int((time.monotonic() - started) * 1000)
                waiting.remove(a)
        if waiting and time.monotonic() >= next_wake:
            for a in waiting:
                a.facts["wakes"] = a.facts.get("wakes", 0) + attach_wake.wake(a.pid)
            next_wake = time.monotonic() + WAKE_EVERY
        if waiting:
            time.sleep(POLL)


def verdict(a: Attempt, nonce: str, t0: float, timeout: float) -> str:
    """'' when the answer and the data file confirm a save made now; else the refusal sentence."""
    if a.refusal:
        return a.refusal
    answer = a.answer
    if answer is None:
        return ("pid %d did not answer within %.0f s: its main thread ran no Python code (blocked in a C "
                "call, or no listening socket to wake it); use the agent, or sigterm" % (a.pid, timeout))
    if answer.get("nonce") != nonce or answer.get("pid") != a.pid:
        return "pid %d answered for another attach (nonce or pid differ); retry" % a.pid
    if answer.get("status") == "no-coverage" and a.start_file:
        a.cause = NO_COVERAGE
        return ("pid %d runs no coverage and could not start it (measuring from now needs Python 3.14+ "
                "with coverage installed in the service's environment); install coverage in the image, "
                "or run the server under \`coverage run\`" % a.pid)
    if answer.get("status") == "no-coverage":
        a.cause = NO_COVERAGE
        return ("pid %d runs no coverage (no coverage.Coverage.current()); start it with \`coverage run\` "
                "or the agent" % a.pid)
    if answer.get("status") == "started":
        return ""
    if answer.get("status") != "saved":
        return "pid %d could not save its coverage: %s" % (a.pid, answer.get("error", "no reason given"))
    path = "/proc/%d/root%s" % (a.pid, answer.get("data_file", ""))
    try:
        st = os.stat(path)
    except OSError as e:
        return "pid %d saved %s, but it is not there (%s); check the data directory" % (
            a.pid, answer.get("data_file"), e.strerror)
    # A save with nothing new to add leaves the file as it was (sys.monitoring core): then it must
    # be exactly as the save left it. Otherwise it must have been written since the attach.
    if st.st_mtime < t0 - MTIME_SLACK and st.st_mtime != answer.get("mtime"):
        return "pid %d answered, but %s was not written since the attach; retry" % (a.pid, answer["data_file"])
    return ""


def _nonce(args: Dict[str, Any]) -> str:
    return str(args.get("nonce") or binascii.hexlify(os.urandom(8)).decode())


def main(args: Dict[str, Any]) -> int:
    pids = [int(p) for p in require(args, "pids", list)]
    timeout = float(args.get("timeout", 10))
    nonce = _nonce(args)
    # {"<pid>": start ticks} as the harvest program saw them: a pid reused since is refused.
    starts = dict((str(k), int(v)) for k, v in dict(args.get("starts") or {}).items())
    program = str(args.get("program") or program_source())
    start_file = str(args.get("start") or "")
    t0 = time.time()
    deadline = time.monotonic() + timeout
    attempts = [Attempt(pid) for pid in pids]
    for a in attempts:
        try:
            trigger(a, str(args.get("route", "auto")), program, nonce, starts.get(str(a.pid)), start_file)
        except (attach_remote.Refused, TargetError) as e:
            a.refusal = str(e)
            a.cause = getattr(e, "kind", "")
        except Exception as e:  # the injector's own failure: reported, never a crash of the chain
            a.refusal = "attach to pid %d failed: %s: %s" % (a.pid, type(e).__name__, e)
    collect(attempts, deadline)
    for a in attempts:
        problem = verdict(a, nonce, t0, timeout)
        if a.dir is not None:
            a.dir.remove()
        answer = a.answer or {}
        if problem:
            emit("refused", pid=a.pid, reason=problem, cause=a.cause, **a.facts)
        elif answer.get("status") == "started":
            emit("started", pid=a.pid, data_file=answer.get("data_file", ""),
                 coverage=answer.get("coverage"), core=answer.get("core"), **a.facts)
        else:
            emit("attached", pid=a.pid, data_file=answer["data_file"], bytes=answer["bytes"],
                 coverage=answer.get("coverage"), core=answer.get("core"), python=answer.get("python"),
                 started=answer.get("started"), **a.facts)
    return EXIT_OK
`;

// src/remote/pycov_harvest_remote/attach_arch.py
var attach_arch_default = '"""Registers and system call numbers of the two architectures `attach` injects on.\n\nx86_64 is tested on real processes; aarch64 follows the kernel\'s user_pt_regs\nand the generic system call table, and is untested (see docs/attach.md)."""\n\nfrom __future__ import annotations\n\nimport ctypes\nimport errno\nimport platform\nimport struct\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Dict, FrozenSet, Type\n\n# Kernel-internal errors a system call interrupted by a ptrace stop returns (include/linux/errno.h);\n# the kernel turns them into a restart or EINTR when the thread resumes with the registers we saved.\nRESTART_ERRORS = frozenset([-errno.EINTR, -512, -513, -514, -516])\nPROT_READ_WRITE = 0x1 | 0x2\nMAP_PRIVATE_ANONYMOUS = 0x02 | 0x20\n# Below the stack pointer the thread may keep data (x86_64\'s 128-byte red zone): the call frame\n# we build starts well below it.\nSTACK_GAP = 512\n\n\nclass UnsupportedArch(Exception):\n    """This machine is neither x86_64 nor aarch64."""\n\n\nclass X8664Regs(ctypes.Structure):\n    """struct user_regs_struct (arch/x86/include/uapi/asm/ptrace.h, 64-bit)."""\n\n    _fields_ = [(name, ctypes.c_uint64) for name in (\n        "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",\n        "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",\n        "es", "fs", "gs")]\n\n\nclass Arm64Regs(ctypes.Structure):\n    """struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h)."""\n\n    _fields_ = [("x", ctypes.c_uint64 * 31), ("sp", ctypes.c_uint64), ("pc", ctypes.c_uint64),\n                ("pstate", ctypes.c_uint64)]\n\n\ndef _signed(value: int) -> int:\n    return value - (1 << 64) if value >= 1 << 63 else value\n\n\nclass Arch:\n    """What the injector needs to know about one architecture."""\n\n    name = ""\n    regs_type: Type[ctypes.Structure] = ctypes.Structure\n    syscall_insn = b""\n    mmap_nr = 0\n    # System calls in which a thread of CPython waits with the GIL released: the only places\n    # `attach` takes a thread over. futex is among them: a thread waits there for a lock (a\n    # threading.Lock, the GIL, malloc\'s arena), and what we run takes only the pending-calls\n    # lock, which CPython never holds while it waits for another (docs/attach.md, "Safety").\n    waiting_syscalls: Dict[int, str] = {}\n\n    def pc(self, regs: ctypes.Structure) -> int:\n        raise NotImplementedError\n\n    def sp(self, regs: ctypes.Structure) -> int:\n        raise NotImplementedError\n\n    def in_waiting_syscall(self, regs: ctypes.Structure, code_at_pc: bytes) -> str:\n        """The name of the waiting system call the stopped thread is in, or \'\'."""\n        raise NotImplementedError\n\n    def syscall_address(self, regs: ctypes.Structure, code_before: bytes, code_at: bytes) -> int:\n        """Address of the system call instruction the thread was stopped at (to reuse it)."""\n        raise NotImplementedError\n\n    def set_syscall(self, regs: ctypes.Structure, at: int, nr: int, *args: int) -> None:\n        raise NotImplementedError\n\n    def syscall_result(self, regs: ctypes.Structure) -> int:\n        raise NotImplementedError\n\n    def skip_syscall(self, regs: ctypes.Structure) -> bool:\n        """At a system call\'s entry stop: makes the kernel skip it. False when this architecture\n        needs another register set for that (aarch64\'s NT_ARM_SYSTEM_CALL)."""\n        raise NotImplementedError\n\n    def reissue(self, entry: ctypes.Structure, at: int) -> ctypes.Structure:\n        """Registers that, restored, make the thread issue again the system call it was entering."""\n        raise NotImplementedError\n\n    def set_call(self, regs: ctypes.Structure, func: int, stack: int, *args: int) -> int:\n        """Sets up a call of func(args) returning to address 0; returns where to write the 0 (or -1)."""\n        raise NotImplementedError\n\n    def call_result(self, regs: ctypes.Structure) -> int:\n        raise NotImplementedError\n\n\nclass X8664(Arch):\n    name = "x86_64"\n    regs_type = X8664Regs\n    syscall_insn = b"\\x0f\\x05"\n    mmap_nr = 9\n    waiting_syscalls = {232: "epoll_wait", 281: "epoll_pwait", 441: "epoll_pwait2", 23: "select",\n                        270: "pselect6", 7: "poll", 271: "ppoll", 43: "accept", 288: "accept4",\n                        35: "nanosleep", 230: "clock_nanosleep", 61: "wait4", 247: "waitid",\n                        202: "futex", 0: "read", 45: "recvfrom", 47: "recvmsg"}\n\n    def pc(self, regs: ctypes.Structure) -> int:\n        return int(regs.rip)  # type: ignore[attr-defined]\n\n    def sp(self, regs: ctypes.Structure) -> int:\n        return int(regs.rsp)  # type: ignore[attr-defined]\n\n    def in_waiting_syscall(self, regs: ctypes.Structure, code_at_pc: bytes) -> str:\n        # orig_rax is the number of the system call the thread is in, -1 outside of one.\n        return self.waiting_syscalls.get(_signed(regs.orig_rax), "")  # type: ignore[attr-defined]\n\n    def syscall_address(self, regs: ctypes.Structure, code_before: bytes, code_at: bytes) -> int:\n        # Stopped on the way out of a system call, rip is just past its `syscall` instruction.\n        return self.pc(regs) - 2 if code_before == self.syscall_insn else 0\n\n    def set_syscall(self, regs: ctypes.Structure, at: int, nr: int, *args: int) -> None:\n        r = regs\n        r.rip, r.rax, r.orig_rax = at, nr, (1 << 64) - 1  # type: ignore[attr-defined]\n        for name, value in zip(("rdi", "rsi", "rdx", "r10", "r8", "r9"), args):\n            setattr(r, name, value & ((1 << 64) - 1))\n\n    def syscall_result(self, regs: ctypes.Structure) -> int:\n        return _signed(regs.rax)  # type: ignore[attr-defined]\n\n    def skip_syscall(self, regs: ctypes.Structure) -> bool:\n        regs.orig_rax = (1 << 64) - 1  # type: ignore[attr-defined]\n        return True\n\n    def reissue(self, entry: ctypes.Structure, at: int) -> ctypes.Structure:\n        regs = type(entry).from_buffer_copy(entry)\n        # At an entry stop rax reads -ENOSYS; the number is in orig_rax. Back onto the `syscall`\n        # with the number in rax, and no restart for the kernel to apply on the way out.\n        regs.rip, regs.rax, regs.orig_rax = at, entry.orig_rax, (1 << 64) - 1  # type: ignore[attr-defined]\n        return regs\n\n    def set_call(self, regs: ctypes.Structure, func: int, stack: int, *args: int) -> int:\n        r = regs\n        # orig_rax -1: no system call to restart when the thread resumes into our call.\n        r.rip, r.orig_rax, r.rax = func, (1 << 64) - 1, 0  # type: ignore[attr-defined]\n        r.eflags &= ~0x400  # type: ignore[attr-defined]  # the ABI wants the direction flag clear\n        for name, value in zip(("rdi", "rsi", "rdx", "rcx", "r8", "r9"), args):\n            setattr(r, name, value)\n        # At a function\'s first instruction rsp + 8 is 16-byte aligned; [rsp] is the return address.\n        r.rsp = (stack & ~0xF) - 8  # type: ignore[attr-defined]\n        return int(r.rsp)  # type: ignore[attr-defined]\n\n    def call_result(self, regs: ctypes.Structure) -> int:\n        return ctypes.c_int32(regs.rax & 0xFFFFFFFF).value  # type: ignore[attr-defined]\n\n\nSVC_0 = struct.pack("<I", 0xD4000001)\n\n\nclass Arm64(Arch):\n    name = "aarch64"\n    regs_type = Arm64Regs\n    syscall_insn = SVC_0\n    mmap_nr = 222\n    waiting_syscalls = {22: "epoll_pwait", 441: "epoll_pwait2", 72: "pselect6", 73: "ppoll",\n                        202: "accept", 242: "accept4", 101: "nanosleep", 115: "clock_nanosleep",\n                        260: "wait4", 95: "waitid", 98: "futex", 63: "read", 207: "recvfrom",\n                        212: "recvmsg"}\n\n    def pc(self, regs: ctypes.Structure) -> int:\n        return int(regs.pc)  # type: ignore[attr-defined]\n\n    def sp(self, regs: ctypes.Structure) -> int:\n        return int(regs.sp)  # type: ignore[attr-defined]\n\n    def in_waiting_syscall(self, regs: ctypes.Structure, code_at_pc: bytes) -> str:\n        # By the time a tracer sees the stop the kernel has already forgotten the system call\n        # number (and, for a restart, moved pc back onto the `svc`); x8 still holds it, as the\n        # `svc` just before (EINTR) or at (restart) pc read it.\n        return self.waiting_syscalls.get(int(regs.x[8]), "")  # type: ignore[attr-defined]\n\n    def syscall_address(self, regs: ctypes.Structure, code_before: bytes, code_at: bytes) -> int:\n        if code_at == SVC_0:\n            return self.pc(regs)\n        return self.pc(regs) - 4 if code_before == SVC_0 else 0\n\n    def set_syscall(self, regs: ctypes.Structure, at: int, nr: int, *args: int) -> None:\n        r = regs\n        r.pc = at  # type: ignore[attr-defined]\n        r.x[8] = nr  # type: ignore[attr-defined]\n        for i, value in enumerate(args):\n            r.x[i] = value & ((1 << 64) - 1)  # type: ignore[attr-defined]\n\n    def syscall_result(self, regs: ctypes.Structure) -> int:\n        return _signed(regs.x[0])  # type: ignore[attr-defined]\n\n    def skip_syscall(self, regs: ctypes.Structure) -> bool:\n        return False\n\n    def reissue(self, entry: ctypes.Structure, at: int) -> ctypes.Structure:\n        regs = type(entry).from_buffer_copy(entry)\n        # x0..x5 and x8 still hold the call\'s arguments and number at its entry stop. x7 reads\n        # the kernel\'s entry marker there, not its value; glibc\'s wrappers keep nothing in x7\n        # (caller-saved) across `svc`.\n        regs.pc = at  # type: ignore[attr-defined]\n        return regs\n\n    def set_call(self, regs: ctypes.Structure, func: int, stack: int, *args: int) -> int:\n        r = regs\n        r.pc = func  # type: ignore[attr-defined]\n        for i, value in enumerate(args):\n            r.x[i] = value  # type: ignore[attr-defined]\n        r.x[30] = 0  # type: ignore[attr-defined]  # the link register: return to address 0\n        r.sp = stack & ~0xF  # type: ignore[attr-defined]\n        return -1\n\n    def call_result(self, regs: ctypes.Structure) -> int:\n        return ctypes.c_int32(regs.x[0] & 0xFFFFFFFF).value  # type: ignore[attr-defined]\n\n\ndef machine_arch() -> Arch:\n    machine = platform.machine()\n    if machine in ("x86_64", "amd64"):\n        return X8664()\n    if machine in ("aarch64", "arm64"):\n        return Arm64()\n    raise UnsupportedArch("attach injects on x86_64 and aarch64 only, not %s" % machine)\n\n\ndef waiting_names(arch: Arch) -> FrozenSet[str]:\n    return frozenset(arch.waiting_syscalls.values())\n';

// src/remote/pycov_harvest_remote/attach_elf.py
var attach_elf_default = '"""Symbol addresses in a running process: which mapped ELF file exports a CPython\nfunction, and where that file is loaded (the `attach` method below Python 3.14).\n\nOnly 64-bit little-endian ELF (x86_64, aarch64): the targets `attach` supports.\nFiles are read through /proc/<pid>/root, so the target\'s own libpython or\nexecutable is parsed even when this program runs in another container."""\n\nfrom __future__ import annotations\n\nimport os\nimport re\nimport struct\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import BinaryIO, Dict, List, Optional, Tuple\n\nELF_MAGIC = b"\\x7fELF"\nELFCLASS64 = 2\nELFDATA2LSB = 1\nET_EXEC = 2\nPT_LOAD = 1\nSHT_SYMTAB = 2\nSHT_DYNSYM = 11\nSHN_UNDEF = 0\nSTT_FUNC = 2\nSTT_OBJECT = 1\n# A section table larger than this is not an interpreter: a corrupt or hostile file.\nMAX_SECTIONS = 4096\nMAX_SYMBOL_TABLE = 256 * 1024 * 1024\nLIBPYTHON = re.compile(r"/libpython3\\.\\d+[a-z]*\\.so(\\.[\\d.]+)?$")\n\n\nclass ElfError(Exception):\n    """A mapped file is not an ELF file this injector can read."""\n\n\nclass Mapping:\n    """One file of the target: its path inside the target and its load bias."""\n\n    def __init__(self, path: str, bias: int) -> None:\n        self.path = path\n        self.bias = bias\n\n\ndef _read(f: BinaryIO, offset: int, size: int) -> bytes:\n    f.seek(offset)\n    data = f.read(size)\n    if len(data) != size:\n        raise ElfError("truncated at offset %d" % offset)\n    return data\n\n\ndef _header(f: BinaryIO) -> Tuple[int, int, int, int, int, int, int, int]:\n    ident = _read(f, 0, 16)\n    if ident[:4] != ELF_MAGIC or ident[4] != ELFCLASS64 or ident[5] != ELFDATA2LSB:\n        raise ElfError("not a 64-bit little-endian ELF file")\n    (e_type, _machine, _version, _entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum,\n     e_shentsize, e_shnum, _shstrndx) = struct.unpack("<HHIQQQIHHHHHH", _read(f, 16, 48))\n    if e_shnum > MAX_SECTIONS or e_phnum > MAX_SECTIONS:\n        raise ElfError("implausible section or segment count")\n    return e_type, e_phoff, e_phentsize, e_phnum, e_shoff, e_shentsize, e_shnum, 0\n\n\ndef first_load_vaddr(f: BinaryIO) -> Tuple[int, int]:\n    """(ELF type, the page-aligned virtual address of the first PT_LOAD segment)."""\n    e_type, phoff, phentsize, phnum = _header(f)[:4]\n    for i in range(phnum):\n        p_type, _flags, _offset, vaddr = struct.unpack("<IIQQ", _read(f, phoff + i * phentsize, 24))\n        if p_type == PT_LOAD:\n            return e_type, vaddr & ~0xFFF\n    raise ElfError("no loadable segment")\n\n\ndef symbols(f: BinaryIO, wanted: List[str]) -> Dict[str, int]:\n    """Values of the wanted defined symbols, from .dynsym first, then .symtab."""\n    _type, _phoff, _phentsize, _phnum, shoff, shentsize, shnum, _ = _header(f)\n    sections = []\n    for i in range(shnum):\n        sections.append(struct.unpack("<IIQQQQIIQQ", _read(f, shoff + i * shentsize, 64)))\n    names = set(wanted)\n    found: Dict[str, int] = {}\n    for kind in (SHT_DYNSYM, SHT_SYMTAB):\n        for (_name, sh_type, _fl, _addr, offset, size, link, _info, _align, entsize) in sections:\n            if sh_type != kind or entsize != 24 or size > MAX_SYMBOL_TABLE or link >= len(sections):\n                continue\n            strtab = sections[link]\n            strings = _read(f, strtab[4], strtab[5])\n            table = _read(f, offset, size)\n            for j in range(0, size - 23, 24):\n                st_name, st_info, _other, st_shndx, st_value, _size = struct.unpack_from("<IBBHQQ", table, j)\n                if st_shndx == SHN_UNDEF or st_value == 0 or (st_info & 0xF) not in (STT_FUNC, STT_OBJECT):\n                    continue\n                end = strings.find(b"\\0", st_name)\n                name = strings[st_name:end].decode("ascii", "replace")\n                if name in names and name not in found:\n                    found[name] = st_value\n        if len(found) == len(names):\n            break\n    return found\n\n\ndef interpreter_files(pid: int) -> List[Mapping]:\n    """libpython (when the interpreter is linked against it) and the executable, with load biases."""\n    exe = os.readlink("/proc/%d/exe" % pid)\n    lowest: Dict[str, int] = {}\n    with open("/proc/%d/maps" % pid) as maps:\n        for line in maps:\n            parts = line.split(None, 5)\n            if len(parts) < 6:\n                continue\n            path = parts[5].strip()\n            if path != exe and not LIBPYTHON.search(path):\n                continue\n            start = int(parts[0].split("-")[0], 16)\n            offset = int(parts[2], 16)\n            if offset == 0 and (path not in lowest or start < lowest[path]):\n                lowest[path] = start\n    found = []\n    for path in sorted(lowest, key=lambda p: p == exe):  # libpython first: it is the one that exports\n        with open_in_target(pid, path) as f:\n            e_type, vaddr = first_load_vaddr(f)\n        found.append(Mapping(path, 0 if e_type == ET_EXEC else lowest[path] - vaddr))\n    return found\n\n\ndef open_in_target(pid: int, path: str) -> BinaryIO:\n    return open("/proc/%d/root%s" % (pid, path), "rb")\n\n\ndef resolve(pid: int, wanted: List[str]) -> Optional[Dict[str, int]]:\n    """Run-time addresses of every wanted symbol, all from one file; None if no file has them all."""\n    for mapping in interpreter_files(pid):\n        with open_in_target(pid, mapping.path) as f:\n            found = symbols(f, wanted)\n        if len(found) == len(wanted):\n            return dict((name, mapping.bias + value) for name, value in found.items())\n    return None\n';

// src/remote/pycov_harvest_remote/attach_inject.py
var attach_inject_default = '"""Below Python 3.14: hand the interpreter a pending call, through ptrace.\n\nThe one thread taken over is at a system call boundary of a listed waiting call\n(epoll_wait, recvfrom, futex...), as its registers show once it is stopped\n(attach_point): inside one, or at the entry of its next one. There it is not\ninside malloc and holds no lock that what we run needs. In it we run exactly:\n\n0. PyGILState_Check(), which only reads thread-local state: a thread that holds\n   the GIL is let go untouched (only threads that released it are used);\n1. an mmap system call (the thread\'s own `syscall`/`svc` instruction, reused)\n   for one page that holds the bootstrap\'s text;\n2. Py_AddPendingCall(PyRun_SimpleString, page): public C API documented as\n   callable from any thread without the GIL; it takes only the pending-calls\n   lock, which CPython never holds across a system call, and allocates nothing.\n\nThen every register is put back and the thread resumes its system call (the\nkernel restarts it, or returns EINTR, which CPython retries: PEP 475; a call\ncaught at its entry is issued again). The bootstrap runs later in the main\nthread with the GIL, where the interpreter itself runs signal handlers (its\neval-breaker check), never inside our stop. The page (4 KiB) stays mapped: the\npending call reads it after we are gone."""\n\nfrom __future__ import annotations\n\nimport errno\nimport os\nimport signal\nimport time\n\nfrom pycov_harvest_remote import attach_elf, attach_point\nfrom pycov_harvest_remote.attach_arch import MAP_PRIVATE_ANONYMOUS, PROT_READ_WRITE, STACK_GAP, Arch\nfrom pycov_harvest_remote.attach_ptrace import (\n    PTRACE_CONT, PTRACE_EVENT_STOP, PTRACE_SYSCALL, PtraceError, Tracee, run_until)\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict, List\n\nSYMBOLS = ["Py_AddPendingCall", "PyRun_SimpleString", "PyGILState_Check"]\nPAGE = 4096\n# One stop, one system call and one short C call: each gets this long.\nSTEP_TIMEOUT = 2.0\n# Py_AddPendingCall waits only for the pending-calls lock; past this the thread is stuck in it.\nCALL_TIMEOUT = 5.0\nRESCAN_PAUSE = 0.02\nSYSCALL_STOP = signal.SIGTRAP | 0x80\n\n\nclass InjectError(Exception):\n    """The pending call could not be placed; the message says why and what to do."""\n\n\nclass Moved(Exception):\n    """The chosen thread reached no listed system call in time: try another, or again."""\n\n\ndef waiting_threads(pid: int, arch: Arch) -> List[int]:\n    """Threads of pid now in a waiting system call, main thread last (it is the busiest)."""\n    found = []\n    for name in os.listdir("/proc/%d/task" % pid):\n        try:\n            with open("/proc/%d/task/%s/syscall" % (pid, name)) as f:\n                head = f.read().split(" ", 1)[0]\n        except OSError:\n            continue\n        if head.lstrip("-").isdigit() and int(head) in arch.waiting_syscalls:\n            found.append(int(name))\n    return sorted(found, key=lambda tid: (tid == pid, tid))\n\n\ndef _copy(regs: Any) -> Any:\n    return type(regs).from_buffer_copy(regs)\n\n\ndef _stop(t: Tracee, deadline: float) -> None:\n    """Stops a seized thread at a ptrace event stop, delivering any signal met on the way."""\n    t.interrupt()\n    sig, event = t.wait(deadline)\n    while event != PTRACE_EVENT_STOP:\n        t.resume(PTRACE_CONT, sig if event == 0 else 0)\n        sig, event = t.wait(deadline)\n\n\ndef _mmap_page(t: Tracee, arch: Arch, saved: Any, at: int, size: int) -> int:\n    regs = _copy(saved)\n    arch.set_syscall(regs, at, arch.mmap_nr, 0, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0)\n    t.set_regs(regs)\n    deadline = time.monotonic() + STEP_TIMEOUT\n    run_until(t, deadline, PTRACE_SYSCALL, SYSCALL_STOP)  # entering mmap\n    run_until(t, deadline, PTRACE_SYSCALL, SYSCALL_STOP)  # leaving it\n    result = arch.syscall_result(t.get_regs(arch.regs_type))\n    if result < 0:\n        raise InjectError("mmap in the target failed: %s" % os.strerror(-result))\n    return result\n\n\ndef _call(t: Tracee, arch: Arch, saved: Any, func: int, *args: int) -> int:\n    regs = _copy(saved)\n    slot = arch.set_call(regs, func, arch.sp(saved) - STACK_GAP, *args)\n    if slot >= 0:\n        t.write(slot, b"\\0" * 8)\n    t.set_regs(regs)\n    run_until(t, time.monotonic() + CALL_TIMEOUT, PTRACE_CONT, signal.SIGSEGV)\n    after = t.get_regs(arch.regs_type)\n    if arch.pc(after) != 0 or t.fault_address() != 0:\n        raise InjectError("the injected call faulted at 0x%x; the service may be damaged: restart it"\n                          % arch.pc(after))\n    return arch.call_result(after)\n\n\ndef _inject_into(t: Tracee, arch: Arch, symbols: Dict[str, int], text: bytes) -> str:\n    """Places the pending call from thread t; returns the waiting system call it was in."""\n    deadline = time.monotonic() + STEP_TIMEOUT\n    _stop(t, deadline)\n    point = attach_point.waiting(t, arch, t.get_regs(arch.regs_type))\n    if point is None:\n        point = attach_point.follow(t, arch, deadline)\n    if point is None:\n        raise Moved()\n    try:\n        # PyGILState_Check reads thread-local state only. A thread that holds the GIL (a C\n        # extension blocking without releasing it) is let go: on 3.13+ a contended\n        # Py_AddPendingCall could release its GIL while its C code expects to hold it.\n        if _call(t, arch, point.base, symbols["PyGILState_Check"]) != 0:\n            raise Moved()\n        size = (len(text) + 1 + PAGE - 1) // PAGE * PAGE\n        page = _mmap_page(t, arch, point.base, point.at, size)\n        t.write(page, text + b"\\0")\n        status = _call(t, arch, point.base, symbols["Py_AddPendingCall"], symbols["PyRun_SimpleString"], page)\n        if status != 0:\n            raise InjectError("Py_AddPendingCall refused (%d): the interpreter\'s queue of pending calls "\n                              "is full or it is finalizing; retry later" % status)\n    finally:\n        t.set_regs(point.restore)\n        t.set_fpregs(point.fpregs)\n    return point.name + ("" if point.restore is point.base else " (entry)")\n\n\ndef add_pending_call(pid: int, arch: Arch, text: bytes, timeout: float) -> Dict[str, object]:\n    """Queues `text` to run in pid\'s main thread; facts about how (thread, system call, time)."""\n    symbols = attach_elf.resolve(pid, SYMBOLS)\n    if symbols is None:\n        raise InjectError("pid %d does not export Py_AddPendingCall, PyRun_SimpleString and PyGILState_Check: "\n                          "not a CPython this injector can call; use the agent" % pid)\n    deadline = time.monotonic() + timeout\n    tries = 0\n    while time.monotonic() < deadline:\n        # A busy main thread is seldom caught waiting: it is then followed to its next wait.\n        threads = waiting_threads(pid, arch)\n        for tid in threads + ([] if pid in threads else [pid]):\n            tries += 1\n            t = Tracee(pid, tid)\n            try:\n                t.seize()\n            except PtraceError as e:\n                if e.errno == errno.ESRCH:  # the thread ended since the scan\n                    continue\n                raise\n            try:\n                syscall = _inject_into(t, arch, symbols, text)\n                return {"tid": tid, "syscall": syscall, "tries": tries}\n            except Moved:\n                pass\n            finally:\n                t.detach()\n                t.close()\n        time.sleep(RESCAN_PAUSE)\n    raise InjectError("no thread of pid %d waited in a system call within %.0f s (the process is busy "\n                      "on the CPU); retry when it is idle, or use the agent" % (pid, timeout))\n\n';

// src/remote/pycov_harvest_remote/attach_point.py
var attach_point_default = '"""Where `attach` takes a thread over: a point proven safe on the stopped thread\'s own state.\n\nTwo ways to reach one (docs/attach.md, "Safety"):\n- the thread was already waiting inside a listed system call when it stopped (an idle loop);\n- it was running Python code: it is followed, system call by system call, to the entry of its\n  next listed one (a busy loop enters epoll_wait on every turn). That call is cancelled, the\n  thread taken over at its exit, and the registers restored at the end issue it again.\nEither way the thread is at a system call boundary in a libc wrapper."""\n\nfrom __future__ import annotations\n\nimport ctypes\nimport errno\nimport signal\nimport time\n\nfrom pycov_harvest_remote.attach_arch import Arch\nfrom pycov_harvest_remote.attach_ptrace import PTRACE_EVENT_STOP, PTRACE_SYSCALL, PtraceError, StopTimeout, Tracee\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Optional\n\nSYSCALL_STOP = signal.SIGTRAP | 0x80\n# A thread in user code is followed through at most this many system calls (each costs it two\n# stops) before it is let go; the caller tries again later.\nMAX_FOLLOWED = 400\nPARK_TIMEOUT = 1.0\n\n\nclass Point:\n    """base: the registers to build on; at: a system call instruction to reuse; restore: the\n    registers (and FP state) that put the thread back as it was; name: the system call."""\n\n    def __init__(self, name: str, at: int, base: ctypes.Structure, restore: ctypes.Structure,\n                 fpregs: bytes) -> None:\n        self.name = name\n        self.at = at\n        self.base = base\n        self.restore = restore\n        self.fpregs = fpregs\n\n\ndef waiting(t: Tracee, arch: Arch, regs: ctypes.Structure) -> Optional[Point]:\n    """The point if the stopped thread is inside a listed system call, else None."""\n    width = len(arch.syscall_insn)\n    pc = arch.pc(regs)\n    name = arch.in_waiting_syscall(regs, t.read(pc, width))\n    at = arch.syscall_address(regs, t.read(pc - width, width), t.read(pc, width))\n    if not name or not at:\n        return None\n    return Point(name, at, regs, regs, t.get_fpregs())\n\n\ndef _next_syscall_stop(t: Tracee, deadline: float) -> None:\n    sig = 0\n    while True:\n        t.resume(PTRACE_SYSCALL, sig)\n        got, event = t.wait(deadline)\n        if got == SYSCALL_STOP:\n            return\n        sig = got if event == 0 and got != signal.SIGTRAP else 0\n\n\ndef _park(t: Tracee) -> None:\n    """Stops a thread that ran on past our deadline (blocked in an unlisted call), untouched,\n    so that it can be detached."""\n    t.interrupt()\n    deadline = time.monotonic() + PARK_TIMEOUT\n    while t.wait(deadline)[1] != PTRACE_EVENT_STOP:\n        t.resume(PTRACE_SYSCALL)\n\n\ndef follow(t: Tracee, arch: Arch, deadline: float) -> Optional[Point]:\n    """Follows a thread stopped in user code to the entry of its next listed system call."""\n    for _ in range(MAX_FOLLOWED):\n        if time.monotonic() >= deadline:\n            return None\n        try:\n            _next_syscall_stop(t, deadline)\n        except StopTimeout:\n            _park(t)\n            return None\n        try:\n            nr = t.syscall_entry()\n        except PtraceError as e:\n            if e.errno in (errno.EIO, errno.EINVAL):  # a kernel before 5.3: no following\n                return None\n            raise\n        if nr not in arch.waiting_syscalls:\n            continue\n        entry = t.get_regs(arch.regs_type)\n        fpregs = t.get_fpregs()\n        width = len(arch.syscall_insn)\n        at = arch.pc(entry) - width\n        if t.read(at, width) != arch.syscall_insn:\n            continue\n        skipped = type(entry).from_buffer_copy(entry)\n        if arch.skip_syscall(skipped):\n            t.set_regs(skipped)\n        else:\n            t.set_arm64_syscall(-1)\n        _next_syscall_stop(t, deadline)  # the skipped call\'s exit\n        return Point(arch.waiting_syscalls[nr], at, t.get_regs(arch.regs_type), arch.reissue(entry, at), fpregs)\n    return None\n';

// src/remote/pycov_harvest_remote/attach_program.py
var attach_program_default = `"""The program \`attach\` runs inside the service's own interpreter.

It is executed (not imported) in the service's main thread with the GIL, at the
interpreter's eval-breaker check, from a private namespace, with ANSWER_DIR,
NONCE and START set by the bootstrap. It saves the running
\`coverage.Coverage.current()\` and writes what it saved to
ANSWER_DIR/answer.json (mode 0600, the service's uid), and leaves no other file.
It imports and starts coverage only when START names a data file ("measure from
now", Python 3.14+) and the process runs none: then it starts coverage on the
sys.monitoring core with the service's own configuration and saves at once.
Imported as a module (by the programs' loader), it does nothing."""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict

ANSWER = "answer.json"
# Set on a Coverage this program started: later saves say since when it measures.
STARTED_MARK = "_pycov_harvest_started"
CODE_NAME = "<pycov-harvest-attach>"
MAX_ERROR = 500


def _core(cov: Any) -> str:
    collector = getattr(cov, "_collector", None)
    name = getattr(collector, "tracer_name", None)
    try:
        return str(name()) if callable(name) else ""
    except Exception:
        return ""


def importing() -> bool:
    """A module is half imported: this code interrupted an import, and a save now could meet it
    half made ("partially initialized module"). The caller tries again a moment later."""
    for module in list(sys.modules.values()):
        if getattr(getattr(module, "__spec__", None), "_initializing", False):
            return True
    return False


def start(data_file: str) -> Any:
    """Starts coverage on the sys.monitoring core with the service's own configuration (its
    .coveragerc, setup.cfg or pyproject.toml), one data file per process in the given place.
    None when this Python is older than 3.14 or has no coverage installed."""
    if sys.version_info < (3, 14):
        return None
    try:
        import coverage
    except ImportError:
        return None
    core = os.environ.get("COVERAGE_CORE")
    os.environ["COVERAGE_CORE"] = "sysmon"
    try:
        cov = coverage.Coverage(data_file=data_file, data_suffix=True)
        cov.start()
    finally:
        if core is None:
            os.environ.pop("COVERAGE_CORE", None)
        else:
            os.environ["COVERAGE_CORE"] = core
    setattr(cov, STARTED_MARK, __import__("time").time())
    return cov


def save(start_file: str = "") -> Dict[str, Any]:
    """Saves the process's current Coverage object (started first when asked and there is none);
    the facts for the answer."""
    facts: Dict[str, Any] = {"pid": os.getpid(), "python": "%d.%d.%d" % sys.version_info[:3]}
    if importing():
        facts["status"] = "busy"
        return facts
    module = sys.modules.get("coverage")
    current = getattr(getattr(module, "Coverage", None), "current", None)
    cov = current() if callable(current) else None
    if cov is None and start_file:
        cov = start(start_file)
        module = sys.modules.get("coverage")
    if cov is None:
        facts["status"] = "no-coverage"
        return facts
    cov.save()
    path = os.path.abspath(cov.get_data().data_filename())
    facts.update(coverage=str(getattr(module, "__version__", "")), core=_core(cov),
                 started=getattr(cov, STARTED_MARK, None))
    if not os.path.exists(path):
        # Started now, and nothing it measures ran yet (no \`source\` files to list either).
        facts.update(status="started", data_file=path)
        return facts
    facts.update(status="saved", data_file=path, bytes=os.path.getsize(path),
                 mtime=os.path.getmtime(path))
    return facts


def answer(answer_dir: str, nonce: str, facts: Dict[str, Any]) -> None:
    facts["nonce"] = nonce
    tmp = os.path.join(answer_dir, ANSWER + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(facts, f)
    os.rename(tmp, os.path.join(answer_dir, ANSWER))


def main(answer_dir: str, nonce: str, start_file: str = "") -> None:
    try:
        facts = save(start_file)
    except Exception as e:
        facts = {"pid": os.getpid(), "status": "error", "error": ("%s: %s" % (type(e).__name__, e))[:MAX_ERROR]}
    answer(answer_dir, nonce, facts)


def bootstrap(program_path: str, answer_dir: str, nonce: str, start_file: str = "") -> str:
    """The text handed to the interpreter: runs the program file in a fresh namespace.

    It binds no name where it runs (PyRun_SimpleString and sys.remote_exec run in __main__) and
    never raises: a pending call that fails without an exception set would surface in the
    service as a SystemError. The code's file name starts with '<', which coverage.py never
    measures: the program leaves no line of its own in the service's data."""
    inner = ("with open(P, 'rb') as f:\\n"
             "    exec(compile(f.read(), %r, 'exec'), {'__name__': '__pycov_harvest_attach__', " % CODE_NAME +
             "'ANSWER_DIR': D, 'NONCE': N, 'START': S})\\n")
    return "try:\\n    exec(%r, {'P': %r, 'D': %r, 'N': %r, 'S': %r})\\nexcept Exception:\\n    pass\\n" % (
        inner, program_path, answer_dir, nonce, start_file)


if __name__ == "__pycov_harvest_attach__":
    main(str(globals()["ANSWER_DIR"]), str(globals()["NONCE"]), str(globals().get("START") or ""))
`;

// src/remote/pycov_harvest_remote/attach_ptrace.py
var attach_ptrace_default = `"""ptrace through ctypes: seize one thread, stop it, read and write its registers
and memory, run it until a chosen stop, and let it go. Every wait is bounded.

Only the one thread taken over stops; the process's other threads keep running."""

from __future__ import annotations

import ctypes
import os
import signal
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, List, Optional, Tuple, Type

PTRACE_CONT = 7
PTRACE_DETACH = 17
PTRACE_SYSCALL = 24
PTRACE_GETSIGINFO = 0x4202
PTRACE_GETREGSET = 0x4204
PTRACE_SETREGSET = 0x4205
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_O_TRACESYSGOOD = 1
PTRACE_EVENT_STOP = 128
PTRACE_GET_SYSCALL_INFO = 0x420E
PTRACE_SYSCALL_INFO_ENTRY = 1
NT_PRSTATUS = 1
NT_PRFPREG = 2
NT_ARM_SYSTEM_CALL = 0x404
WALL = 0x40000000
WNOHANG = 1
# Large enough for x86_64's fxsave area (512) and aarch64's user_fpsimd_state (528).
FPREGS_SIZE = 1024
POLL = 0.0005


class PtraceError(Exception):
    """A ptrace request failed; errno says why (EPERM: not allowed to trace)."""

    def __init__(self, what: str, err: int) -> None:
        Exception.__init__(self, "%s: %s" % (what, os.strerror(err)))
        self.errno = err


class StopTimeout(Exception):
    """The traced thread did not reach the expected stop in time."""


class ThreadGone(Exception):
    """The traced thread exited (the process ended) while we held it."""


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class SigInfo(ctypes.Structure):
    # siginfo_t's head on 64-bit Linux; for SIGSEGV the fault address follows at offset 16.
    _fields_ = [("signo", ctypes.c_int), ("errno", ctypes.c_int), ("code", ctypes.c_int),
                ("pad", ctypes.c_int), ("addr", ctypes.c_uint64), ("rest", ctypes.c_byte * 104)]


_ptrace: List[Any] = []


def _libc_ptrace() -> Any:
    """libc's ptrace(), loaded on first use (the programs' loader runs every bundled module)."""
    if not _ptrace:
        call = ctypes.CDLL(None, use_errno=True).ptrace
        call.restype = ctypes.c_long
        call.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        _ptrace.append(call)
    return _ptrace[0]


def _call(what: str, request: int, tid: int, addr: int, data: Optional[int]) -> None:
    ctypes.set_errno(0)
    if _libc_ptrace()(request, tid, addr, data) == -1:
        err = ctypes.get_errno()
        if err:
            raise PtraceError(what, err)


class Tracee:
    """One seized thread of another process."""

    def __init__(self, pid: int, tid: int) -> None:
        self.pid = pid
        self.tid = tid
        self.attached = False
        self.mem_fd = -1

    def seize(self) -> None:
        _call("PTRACE_SEIZE", PTRACE_SEIZE, self.tid, 0, PTRACE_O_TRACESYSGOOD)
        self.attached = True

    def interrupt(self) -> None:
        _call("PTRACE_INTERRUPT", PTRACE_INTERRUPT, self.tid, 0, 0)

    def wait(self, deadline: float) -> Tuple[int, int]:
        """(stop signal, ptrace event) of the next stop; raises StopTimeout or ThreadGone."""
        while True:
            try:
                tid, status = os.waitpid(self.tid, WALL | WNOHANG)
            except ChildProcessError:
                raise ThreadGone("thread %d is gone" % self.tid) from None
            if tid == self.tid:
                if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                    self.attached = False
                    raise ThreadGone("thread %d exited" % self.tid)
                if os.WIFSTOPPED(status):
                    return os.WSTOPSIG(status), status >> 16
            if time.monotonic() >= deadline:
                raise StopTimeout("thread %d did not stop in time" % self.tid)
            time.sleep(POLL)

    def resume(self, request: int = PTRACE_CONT, sig: int = 0) -> None:
        _call("PTRACE_CONT", request, self.tid, 0, sig)

    def detach(self, sig: int = 0) -> None:
        if self.attached:
            self.attached = False
            _call("PTRACE_DETACH", PTRACE_DETACH, self.tid, 0, sig)

    def _regset(self, request: int, note: int, buf: ctypes.Array) -> int:  # type: ignore[type-arg]
        iov = IoVec(ctypes.cast(buf, ctypes.c_void_p), ctypes.sizeof(buf))
        _call("PTRACE_GETREGSET" if request == PTRACE_GETREGSET else "PTRACE_SETREGSET",
              request, self.tid, note, ctypes.addressof(iov))
        return int(iov.len)

    def get_regs(self, regs_type: Type[ctypes.Structure]) -> ctypes.Structure:
        buf = (ctypes.c_char * ctypes.sizeof(regs_type))()
        self._regset(PTRACE_GETREGSET, NT_PRSTATUS, buf)
        return regs_type.from_buffer_copy(buf)

    def set_regs(self, regs: ctypes.Structure) -> None:
        buf = (ctypes.c_char * ctypes.sizeof(regs)).from_buffer_copy(regs)
        self._regset(PTRACE_SETREGSET, NT_PRSTATUS, buf)

    def get_fpregs(self) -> bytes:
        buf = (ctypes.c_char * FPREGS_SIZE)()
        size = self._regset(PTRACE_GETREGSET, NT_PRFPREG, buf)
        return bytes(buf.raw[:size])

    def set_fpregs(self, data: bytes) -> None:
        buf = (ctypes.c_char * len(data)).from_buffer_copy(data)
        self._regset(PTRACE_SETREGSET, NT_PRFPREG, buf)

    def syscall_entry(self) -> int:
        """At a system call stop: the number of the call being entered, or -1 at an exit (Linux 5.3+)."""
        info = (ctypes.c_uint64 * 11)()
        _call("PTRACE_GET_SYSCALL_INFO", PTRACE_GET_SYSCALL_INFO, self.tid, ctypes.sizeof(info),
              ctypes.addressof(info))
        return int(info[3]) if info[0] & 0xFF == PTRACE_SYSCALL_INFO_ENTRY else -1

    def set_arm64_syscall(self, nr: int) -> None:
        buf = (ctypes.c_char * 4).from_buffer_copy(ctypes.c_int32(nr))
        self._regset(PTRACE_SETREGSET, NT_ARM_SYSTEM_CALL, buf)

    def fault_address(self) -> int:
        info = SigInfo()
        _call("PTRACE_GETSIGINFO", PTRACE_GETSIGINFO, self.tid, 0, ctypes.addressof(info))
        return int(info.addr)

    def _mem(self) -> int:
        # /proc/<pid>/mem, not process_vm_readv/writev: it needs only the ptrace attachment we
        # hold and writes through read-only mappings' copy-on-write like a debugger does.
        if self.mem_fd < 0:
            self.mem_fd = os.open("/proc/%d/mem" % self.pid, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
        return self.mem_fd

    def read(self, address: int, size: int) -> bytes:
        return os.pread(self._mem(), size, address)

    def write(self, address: int, data: bytes) -> None:
        if os.pwrite(self._mem(), data, address) != len(data):
            raise PtraceError("write to /proc/%d/mem" % self.pid, 5)

    def close(self) -> None:
        if self.mem_fd >= 0:
            os.close(self.mem_fd)
            self.mem_fd = -1


def run_until(t: Tracee, deadline: float, request: int, want_sig: int) -> None:
    """Resumes t with \`request\` until it stops with want_sig; passes any other signal through."""
    sig = 0
    while True:
        t.resume(request, sig)
        got, event = t.wait(deadline)
        if got == want_sig and event == 0:
            return
        # A signal meant for the thread: deliver it (its frame saves and restores our state).
        sig = got if event == 0 and got not in (signal.SIGTRAP, want_sig & 0x7F) else 0
`;

// src/remote/pycov_harvest_remote/attach_remote.py
var attach_remote_default = `"""Python 3.14+: sys.remote_exec (PEP 768), and its refusals as one sentence each."""

from __future__ import annotations

import errno
import os
import shutil
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Tuple

PTRACE_FIX = ("run attach with CAP_SYS_PTRACE (\`--cap-add SYS_PTRACE\` for docker and compose, "
              "\`securityContext.capabilities.add: [SYS_PTRACE]\` in Kubernetes), or use the agent")


# Why a refusal happened, as a field (the caller decides on it, never on the text).
DISABLED = "disabled"  # the service turned remote debugging off: respected, no other way tried
DENIED = "denied"  # the kernel refused memory access or tracing: another route may be allowed


class Refused(Exception):
    """The interpreter or the kernel refused the attach; the message names the cause and the fix."""

    def __init__(self, message: str, kind: str = "") -> None:
        Exception.__init__(self, message)
        self.kind = kind


def kind_of(pid: int, error: BaseException) -> str:
    text = explain(pid, error)
    if "remote debugging turned off" in text:
        return DISABLED
    if text.startswith("the kernel refused"):
        return DENIED
    return ""


def explain(pid: int, error: BaseException) -> str:
    """One sentence with the cause and the fix for a failed sys.remote_exec."""
    text = str(error)
    low = text.lower()
    if "not enabled" in low or "disable" in low or "remote debugging is not" in low:
        return ("pid %d has remote debugging turned off (PYTHON_DISABLE_REMOTE_DEBUG, "
                "-X disable-remote-debug, or a build --without-remote-debug): remove that setting, "
                "or use the agent" % pid)
    if "version" in low or "mismatch" in low or "offsets" in low:
        return ("pid %d runs another Python than this injector's %d.%d (%s): run attach from the "
                "service's own image" % (pid, sys.version_info[0], sys.version_info[1], text))
    err = getattr(error, "errno", None)
    if err in (errno.EPERM, errno.EACCES) or "permission" in low or "not permitted" in low:
        return "the kernel refused to let this process read or write pid %d's memory (%s): %s" % (
            pid, text, PTRACE_FIX)
    if err == errno.ESRCH or "no such process" in low:
        return "pid %d exited before attach reached it" % pid
    return "sys.remote_exec(%d) failed: %s" % (pid, text)


def _local_copy(script_inside: str, text: str) -> str:
    """sys.remote_exec checks that the script exists here too; from another container (another
    root) a copy at the same path, removed once the call returned. '' when none was needed."""
    if os.path.exists(script_inside):
        return ""
    os.makedirs(os.path.dirname(script_inside), 0o700)
    fd = os.open(script_inside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return script_inside


def remote_exec(pid: int, script_inside: str, text: str) -> Tuple[str, str]:
    """Asks pid to run the script at its next eval-breaker check; ("remote_exec", python version)."""
    call = getattr(sys, "remote_exec", None)
    if call is None:
        raise Refused("this injector's Python %d.%d has no sys.remote_exec (3.14+): run attach from the "
                      "service's own image" % sys.version_info[:2])
    copy = _local_copy(script_inside, text)
    try:
        call(pid, script_inside)
    except Exception as e:
        raise Refused(explain(pid, e), kind_of(pid, e)) from e
    finally:
        if copy:
            shutil.rmtree(os.path.dirname(copy), ignore_errors=True)
    return "remote_exec", "%d.%d" % sys.version_info[:2]
`;

// src/remote/pycov_harvest_remote/attach_target.py
var attach_target_default = `"""Facts about a process \`attach\` is about to enter: its Python version, its
user, and a private directory inside its file system for the program and the answer."""

from __future__ import annotations

import os
import re
import shutil
import struct

from pycov_harvest_remote import attach_elf

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import List, Optional, Tuple

VERSION_IN_PATH = re.compile(r"python(3)\\.(\\d+)")
# Where the private directory may go, in order: /tmp is usual; /dev/shm stays writable under a
# read-only root file system; the process's working directory is the last resort.
DIR_CANDIDATES = ("/tmp", "/dev/shm")
DIR_PREFIX = "pycov-harvest-attach-"


class TargetError(Exception):
    """The process cannot be entered as it is; the message names the fix."""


def python_version(pid: int) -> Optional[Tuple[int, int]]:
    """(major, minor) of the interpreter in pid: Py_Version (3.11+) or the paths it maps."""
    try:
        found = attach_elf.resolve(pid, ["Py_Version"])
        if found:
            with open("/proc/%d/mem" % pid, "rb") as mem:
                mem.seek(found["Py_Version"])
                hexversion = struct.unpack("<I", mem.read(4))[0]
            return hexversion >> 24, (hexversion >> 16) & 0xFF
    except (OSError, attach_elf.ElfError, struct.error):
        pass
    paths = [os.readlink("/proc/%d/exe" % pid)]
    with open("/proc/%d/maps" % pid) as maps:
        paths += [line.split(None, 5)[-1] for line in maps if "python3." in line]
    for path in paths:
        match = VERSION_IN_PATH.search(path)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def owner(pid: int) -> Tuple[int, int]:
    """(effective uid, effective gid) of pid."""
    uid = gid = -1
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                uid = int(line.split()[2])
            elif line.startswith("Gid:"):
                gid = int(line.split()[2])
    return uid, gid


class PrivateDir:
    """A directory only the service's uid can enter, seen from here and from inside the target."""

    def __init__(self, pid: int, nonce: str) -> None:
        self.pid = pid
        self.inside = ""
        self.here = ""
        uid, gid = owner(pid)
        root = "/proc/%d/root" % pid
        bases: List[str] = list(DIR_CANDIDATES)
        try:
            bases.append(os.readlink("/proc/%d/cwd" % pid))
        except OSError:
            pass
        problems = []
        for base in bases:
            inside = os.path.join(base, DIR_PREFIX + nonce)
            here = root + inside
            try:
                os.mkdir(here, 0o700)
            except OSError as e:
                problems.append("%s: %s" % (base, e.strerror))
                continue
            try:
                if os.geteuid() != uid:
                    os.chown(here, uid, gid)
            except OSError as e:
                os.rmdir(here)
                problems.append("%s: chown: %s" % (base, e.strerror))
                continue
            self.inside, self.here = inside, here
            return
        raise TargetError("no writable directory for the answer in pid %d's file system (%s); mount an "
                          "emptyDir or tmpfs at /tmp" % (pid, "; ".join(problems)))

    def write(self, name: str, text: str) -> str:
        """Writes a file readable only by the service's uid; returns its path inside the target."""
        path = os.path.join(self.here, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        uid, gid = owner(self.pid)
        if os.geteuid() != uid:
            os.chown(path, uid, gid)
        return os.path.join(self.inside, name)

    def remove(self) -> None:
        if self.here:
            shutil.rmtree(self.here, ignore_errors=True)
`;

// src/remote/pycov_harvest_remote/attach_wake.py
var attach_wake_default = `"""Waking an idle event loop so that it reaches its eval-breaker check.

A pending call (and sys.remote_exec's script) runs only when the main thread
next runs Python code; a loop idle in epoll_wait may not for a long time. One
TCP connection to one of the process's own listening sockets, closed at once,
makes the loop accept and drop it: the same event as a client that gives up."""

from __future__ import annotations

import os
import socket

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import List, Set, Tuple

LISTEN = "0A"
CONNECT_TIMEOUT = 0.5


def _socket_inodes(pid: int) -> Set[str]:
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for name in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _address(hex_addr: str, family: int) -> str:
    raw = bytes.fromhex(hex_addr)
    if family == socket.AF_INET:
        addr = socket.inet_ntop(family, raw[::-1])
        return "127.0.0.1" if addr == "0.0.0.0" else addr
    # /proc prints IPv6 as four host-order 32-bit words.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    addr = socket.inet_ntop(family, words)
    return "::1" if addr == "::" else addr


def listening(pid: int) -> List[Tuple[int, str, int]]:
    """(family, host, port) of the TCP sockets pid itself listens on."""
    inodes = _socket_inodes(pid)
    found: List[Tuple[int, str, int]] = []
    for table, family in (("tcp", int(socket.AF_INET)), ("tcp6", int(socket.AF_INET6))):
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != LISTEN or fields[9] not in inodes:
                continue
            host, port = fields[1].split(":")
            found.append((family, _address(host, family), int(port, 16)))
    return found


def same_network(pid: int) -> bool:
    try:
        return os.readlink("/proc/self/ns/net") == os.readlink("/proc/%d/ns/net" % pid)
    except OSError:
        return False


def wake(pid: int) -> int:
    """Opens and closes one connection to each listening socket of pid; how many connected."""
    if not same_network(pid):
        return 0
    done = 0
    for family, host, port in listening(pid):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(CONNECT_TIMEOUT)
        try:
            s.connect((host, port))
            done += 1
        except OSError:
            pass
        finally:
            s.close()
    return done
`;

// src/remote/pycov_harvest_remote/combine.py
var combine_default = '"""The combine: every data file checked (screen.py) and read from its copy, the data of the kind\nmost files hold (branch or line data) kept and a file of the other kind named, one mapping of the\nmeasured names onto the working directory decided for all of them (`path-map`, the project\'s\n`[paths]`, the inferred prefixes), the files that map to nothing taken out of the copies, and the\nrest merged by coverage.py\'s own `CoverageData.update`. A data file that cannot be read or combined\nis named with its size and the reason, and the others go on."""\n\nfrom __future__ import annotations\n\nimport inspect\nimport os\nfrom typing import Any, Dict, List, Optional, Set, Tuple\n\nfrom pycov_harvest_remote.pathmap import PathMap, infer\nfrom pycov_harvest_remote.project_paths import ProjectMap, project_aliases\nfrom pycov_harvest_remote.screen import Refused, Screened, drop_from_copy, named_entry, printable, screen, tracers_of\n\nUNMAPPED_SHOWN = 20\n# What a data file of the other kind (line data among branch data, or the reverse) is told.\nOTHER_KIND = ("cannot be combined with the other data files (it holds %s data, most hold %s data); measure every "\n              "service the same way, all with `branch = true` or all without")\nOTHER_KIND_EXTRA = ("cannot be combined with the E2E data (it holds %s data, they hold %s data); measure the unit "\n                    "tests and the services the same way, both with `branch = true` or both without")\n\n\ndef one_line(error: BaseException) -> str:\n    text = str(error).splitlines()[0] if str(error).strip() else ""\n    return printable("%s: %s" % (type(error).__name__, text) if text else type(error).__name__)\n\n\ndef unusable(error: BaseException) -> str:\n    return "is not usable coverage data (%s)" % one_line(error)\n\n\ndef bad_file(path: str, error: str) -> Dict[str, Any]:\n    """A data file left out; `error` completes "data file X (N bytes) ..." (a predicate)."""\n    size = os.path.getsize(path) if os.path.isfile(path) else 0\n    return {"file": path, "size": size, "error": error}\n\n\nclass Batch:\n    """The data files of one kind of input (the harvested ones, or `extra-data`), checked."""\n\n    def __init__(self, paths: List[str], scratch: str, tag: str):\n        self.files: List[Screened] = []\n        self.bad: List[Dict[str, Any]] = []\n        for index, path in enumerate(paths):\n            copy = os.path.join(scratch, "%s-%04d.coverage" % (tag, index))\n            try:\n                self.files.append(screen(path, copy))\n            except Refused as e:\n                self.bad.append(bad_file(path, str(e)))\n            except Exception as e:  # not SQLite at all, truncated, unreadable\n                self.bad.append(bad_file(path, unusable(e)))\n\n    def keep_kind(self, arcs: bool, message: str) -> None:\n        """Data files of the other kind go to `bad` (coverage.py cannot combine them)."""\n        kinds = ("line", "branch") if arcs else ("branch", "line")\n        for f in [f for f in self.files if f.has_arcs is not None and f.has_arcs != arcs]:\n            self.files.remove(f)\n            self.bad.append(bad_file(f.original, message % kinds))\n\n    def read(self) -> Set[str]:\n        """Reads every copy with coverage.py (a file it refuses goes to `bad`); the measured names."""\n        from coverage import CoverageData\n\n        measured: Set[str] = set()\n        for f in list(self.files):\n            try:\n                data = CoverageData(basename=f.copy)\n                data.read()\n                measured.update(data.measured_files())\n                close(data)\n            except Exception as e:\n                self.files.remove(f)\n                self.bad.append(bad_file(f.original, unusable(e)))\n        return measured\n\n    def dropped(self) -> List[Dict[str, Any]]:\n        return [named_entry(f, f.dropped) for f in self.files if f.dropped]\n\n    def conflicts(self) -> List[Dict[str, Any]]:\n        return [named_entry(f, f.conflicts) for f in self.files if f.conflicts]\n\n\ndef majority_kind(files: List[Screened]) -> bool:\n    """The kind coverage.py combines: each directory (one per target) votes once with the kind most\n    of its files hold, so one target cannot outvote the others with planted files; a tie keeps\n    branch data."""\n    votes: Dict[str, List[int]] = {}\n    for f in files:\n        if f.has_arcs is not None:\n            votes.setdefault(os.path.dirname(f.original), [0, 0])[int(f.has_arcs)] += 1\n    arcs = sum(1 for lines, branches in votes.values() if branches >= lines)\n    return arcs >= len(votes) - arcs\n\n\nclass Mapping:\n    """Where measured file names land: the names that exist in the working directory (kept), and\n    those that map to nothing there (left out of the combined data and the reports)."""\n\n    def __init__(self, measured: Set[str], mapper: PathMap):\n        self.mapped = {path: mapper.map(path) for path in measured}\n        self.unmapped = sorted(path for path, name in self.mapped.items() if not mapper.found(name))\n        self.kept = len(set(self.mapped.values()) - set(self.mapped[path] for path in self.unmapped))\n\n\ndef plan(cov: Any, data_files: List[str], extra_files: List[str], path_map: Optional[List[List[str]]],\n         workspace: str, scratch: str) -> Dict[str, Any]:\n    """Checks and reads every data file and decides the one mapping; returns the batches, the mapper\n    and the result\'s statistics (the batches\' `bad` and `dropped` are added once merged)."""\n    e2e, extra = Batch(data_files, scratch, "e2e"), Batch(extra_files, scratch, "extra")\n    arcs = majority_kind(e2e.files or extra.files)\n    e2e.keep_kind(arcs, OTHER_KIND)\n    extra.keep_kind(arcs, OTHER_KIND_EXTRA)\n    measured, extra_measured = e2e.read(), extra.read()\n    inferred = infer(sorted(measured | extra_measured), workspace) if path_map is None else []\n    explicit = PathMap([(r, l) for r, l in path_map], workspace) if path_map is not None else None\n    mapper = ProjectMap(explicit, project_aliases(cov.config.paths),\n                        PathMap([(p, workspace) for p in inferred], workspace))\n    every = Mapping(measured | extra_measured, mapper)\n    gone = set(every.unmapped)\n    for f in e2e.files + extra.files:\n        drop_from_copy(f.copy, lambda name: name in gone)\n    settle_tracers(e2e.files + extra.files, mapper)\n    return {\n        "e2e": e2e, "extra": extra, "mapper": mapper,\n        "stats": {\n            "measured": len(measured), "kept": Mapping(measured, mapper).kept,\n            "unmapped": every.unmapped[:UNMAPPED_SHOWN], "unmapped_count": len(every.unmapped),\n            "inferred": inferred,\n            "extra_measured": len(extra_measured), "extra_kept": Mapping(extra_measured, mapper).kept,\n        },\n    }\n\n\ndef settle_tracers(files: List[Screened], mapper: PathMap) -> None:\n    """coverage.py refuses to combine data that names another file tracer (plugin) for a file than\n    the data combined before it, so one data file could push out another\'s real data. For each file,\n    the tracer most directories (one per target) name wins, a tie going to none (plain Python); the\n    file is taken out of the copies that name another, and counted there."""\n    seen: List[Tuple[Screened, Dict[str, str]]] = []\n    votes: Dict[str, Dict[str, Set[str]]] = {}\n    for f in files:\n        tracers = tracers_of(f.copy)\n        seen.append((f, tracers))\n        for path, tracer in tracers.items():\n            votes.setdefault(mapper.map(path), {}).setdefault(tracer, set()).add(os.path.dirname(f.original))\n    winners = {name: max(sorted(by), key=lambda t: (len(by[t]), t == "")) for name, by in votes.items() if len(by) > 1}\n    for f, tracers in seen:\n        losing = set(p for p, t in tracers.items() if winners.get(mapper.map(p), t) != t)\n        if losing:\n            f.conflicts = drop_from_copy(f.copy, losing.__contains__)\n\n\ndef close(data: Any) -> None:\n    """Closes coverage.py\'s connections to a copy (CoverageData.close is 7.5+)."""\n    if callable(getattr(data, "close", None)):\n        data.close()\n\n\nclass _Aliases:\n    """What coverage < 7.5\'s CoverageData.update wants instead of a function."""\n\n    def __init__(self, map_path: Any):\n        self.map = map_path\n\n\ndef merge(combined: Any, batch: Batch, mapper: PathMap) -> None:\n    """Adds each checked copy to `combined`; one coverage.py refuses is named and left out."""\n    from coverage import CoverageData\n\n    takes_function = "map_path" in inspect.signature(CoverageData.update).parameters\n    for f in list(batch.files):\n        try:\n            data = CoverageData(basename=f.copy)\n            data.read()\n            if takes_function:\n                combined.update(data, map_path=mapper.map)\n            else:\n                combined.update(data, aliases=_Aliases(mapper.map))  # type: ignore[call-arg]\n            close(data)\n        except Exception as e:\n            batch.files.remove(f)\n            batch.bad.append(bad_file(f.original, unusable(e)))\n';

// src/remote/pycov_harvest_remote/context.py
var context_default = '"""Program `context`: switch every agent process of the target to a context (the\nagent\'s `POST /pycov-harvest/context`, with the listener process\'s own token), or,\nwhere every listener is off, through the agent\'s own CLI run with the\ninterpreter an agent registered."""\n\nfrom __future__ import annotations\n\nimport json\nimport time\n\nfrom pycov_harvest_remote import local_http, output\nfrom pycov_harvest_remote.registry import registrations\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict, List, Optional\n\n    from pycov_harvest_remote.registry import Registration\n\n\ndef through_cli(agents: List[Registration], data_dir: str, name: str, timeout: float) -> Dict[str, Any]:\n    executable = next((reg["executable"] for reg in agents if str(reg.get("executable", "")).startswith("/")), None)\n    if executable is None:\n        return {"ok": False, "detail": "the agent\'s HTTP listener is off in every process and no agent registered "\n                "its interpreter; set PYCOV_HARVEST_PORT (or leave it at its default 9797)"}\n    import subprocess  # only on this path: the listener is the common one\n\n    try:\n        done = subprocess.run([executable, "-m", "pycov_harvest", "--data-dir", data_dir, "context",\n                               "--timeout", "%g" % timeout, "--", name],\n                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 30)\n    except (OSError, subprocess.TimeoutExpired) as e:\n        return {"ok": False, "detail": "`%s -m pycov_harvest context` failed (%s)" % (executable, e)}\n    try:\n        result = json.loads(done.stdout.decode("utf-8", "replace").strip().splitlines()[-1])\n    except (ValueError, IndexError):\n        result = None\n    if not isinstance(result, dict):\n        return {"ok": False, "detail": "`%s -m pycov_harvest context` exited %d (%s)" % (\n            executable, done.returncode, done.stderr.decode("utf-8", "replace").strip()[-300:])}\n    return answer(result, "the agent\'s CLI")\n\n\ndef answer(result: Any, via: str) -> Dict[str, Any]:\n    acks = result.get("acks") if isinstance(result, dict) else None\n    count = len(acks) if isinstance(acks, list) else 0\n    seq = result.get("seq") if isinstance(result, dict) and isinstance(result.get("seq"), int) else None\n    if isinstance(result, dict) and result.get("ok") is True:\n        return {"ok": True, "seq": seq, "processes": count,\n                "detail": "%d agent process(es) switched (#%s) through %s" % (count, seq, via)}\n    missing = result.get("missing") if isinstance(result, dict) else None\n    reasons = "; ".join("pid %s: %s" % (m.get("pid"), m.get("reason"))\n                        for m in missing if isinstance(m, dict)) if isinstance(missing, list) else ""\n    error = result.get("error") if isinstance(result, dict) else None\n    return {"ok": False, "seq": seq, "processes": count,\n            "detail": "the switch was not confirmed through %s (%s)" % (via, reasons or error or "no answer")}\n\n\ndef switch(agents: List[Registration], data_dir: str, name: str, timeout: float) -> Dict[str, Any]:\n    if not agents:\n        return {"ok": False, "detail": "no agent process is registered in %s; start the service with "\n                "PYCOV_HARVEST=1 and the agent installed, or set the data dir" % data_dir}\n    owner: Optional[Registration] = local_http.listener_of(agents)\n    if owner is None:\n        return through_cli(agents, data_dir, name, timeout)\n    port = owner["port"]\n    status, result, error = local_http.post(port, "context", {"context": name, "timeout": timeout},\n                                            local_http.token_of(owner), timeout + 10)\n    if status is None:\n        return {"ok": False, "detail": "cannot reach the agent on 127.0.0.1:%d (%s)" % (port, error)}\n    if status == 404:\n        return {"ok": False, "detail": "the agent on 127.0.0.1:%d has no context switch (HTTP 404); install an "\n                "agent that has one" % port}\n    return answer(result if isinstance(result, dict) else {"error": "HTTP %d" % status},\n                  "the listener on 127.0.0.1:%d" % port)\n\n\ndef main(args: Dict[str, Any]) -> int:\n    data_dir = output.require(args, "data_dir", str)\n    name = output.require(args, "context", str)\n    timeout = float(output.require(args, "timeout", (int, float)))\n    began = time.time()\n    agents, _ = registrations(data_dir)\n    result = switch(agents, data_dir, name, timeout)\n    result.setdefault("seq", None)\n    result.setdefault("processes", 0)\n    output.emit("result", ms=int(round((time.time() - began) * 1000)), **result)\n    return output.EXIT_OK\n';

// src/remote/pycov_harvest_remote/context_relay.py
var context_relay_default = '"""Program `context_relay`: the `context` program kept running for `serve`. It\nreads one switch per line on stdin, `{"id": N, "context": NAME, "timeout": S}`,\nswitches every agent process of the target as `context` does, and prints one\n`result` line per switch with the same `id`, flushed. It ends at the end of its\ninput: when serve closes the exec session, nothing is left running."""\n\nfrom __future__ import annotations\n\nimport json\nimport sys\nimport time\n\nfrom pycov_harvest_remote import output\nfrom pycov_harvest_remote.context import switch\nfrom pycov_harvest_remote.registry import registrations\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict, Optional, Tuple\n\n# The same bounds as serve and the agent put on a context name and a wait.\nMAX_NAME_BYTES = 256\nMAX_TIMEOUT = 3600.0\n\n\ndef request_of(line: str) -> Tuple[Optional[int], Optional[Dict[str, Any]], str]:\n    """(id, the request, \'\') or (id if readable, None, why the line cannot be served)."""\n    try:\n        value = json.loads(line)\n    except ValueError as e:\n        return None, None, "the line is not JSON (%s)" % e\n    if not isinstance(value, dict):\n        return None, None, "the line is not a JSON object"\n    ident = value.get("id")\n    if not isinstance(ident, int) or isinstance(ident, bool):\n        return None, None, "the line has no integer `id`"\n    name = value.get("context")\n    timeout = value.get("timeout")\n    if not isinstance(name, str) or len(name.encode("utf-8")) > MAX_NAME_BYTES \\\n            or any(ord(c) < 32 or ord(c) == 127 for c in name):\n        return ident, None, "`context` must be a string of at most 256 bytes without control characters"\n    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= MAX_TIMEOUT:\n        return ident, None, "`timeout` must be seconds in (0, 3600]"\n    return ident, {"context": name, "timeout": float(timeout)}, ""\n\n\ndef main(args: Dict[str, Any]) -> int:\n    data_dir = output.require(args, "data_dir", str)\n    output.emit("ready")\n    for line in sys.stdin:\n        if not line.strip():\n            continue\n        began = time.time()\n        ident, request, problem = request_of(line)\n        if request is None:\n            output.emit("result", id=ident, ok=False, seq=None, processes=0, detail=problem, ms=0)\n            continue\n        agents, _ = registrations(data_dir)\n        result = switch(agents, data_dir, request["context"], request["timeout"])\n        result.setdefault("seq", None)\n        result.setdefault("processes", 0)\n        output.emit("result", id=ident, ms=int(round((time.time() - began) * 1000)), **result)\n    return output.EXIT_OK\n';

// src/remote/pycov_harvest_remote/connections.py
var connections_default = `"""What can hold a server's shutdown, read from /proc before any signal: the connections open on
its listening sockets, and the server's Python, uvicorn version and graceful timeout, which decide
whether uvicorn's force quit can end that shutdown (docs/action.md, "Which servers can be stopped
with a stream open").

Connections come from /proc/<pid>/net/tcp and tcp6, which show the server's own network namespace
(a container's, seen from inside it or from the host), matched to the socket inodes among the
server's open files. Paths are read as this program sees them: it runs in the server's own mount
namespace (the target). Standard library only, Python 3.8+."""

from __future__ import annotations

import os
import re
import socket
import sys

from pycov_harvest import procfs

from pycov_harvest_remote import sockdiag
from pycov_harvest_remote.processes import option

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, Iterator, List, Optional, Set, Tuple, TypedDict

    class Endpoint(TypedDict):
        address: str
        port: int
        family: str  # "ipv4" or "ipv6" (an IPv4-mapped IPv6 address is reported as IPv4)

    class Connection(TypedDict):
        peer: str  # "address:port", "[address]:port" for IPv6
        local: str
        state: str
        inode: int
        owned: bool  # one of the given processes holds the socket open
        # From tcp_info (sockdiag.py), None when netlink is refused: a connection that never
        # received a byte carried no request; one whose data last left it long ago sends nothing.
        received: Optional[int]
        last_sent_ms: Optional[int]
        last_received_ms: Optional[int]

    class Server(TypedDict):
        python: Optional[str]  # "3.12", or "3.12.1" when it is this program's own interpreter
        interpreter: Optional[str]
        venv: Optional[str]
        uvicorn: Optional[str]
        uvicorn_path: Optional[str]
        graceful_timeout: Optional[float]
        graceful_source: Optional[str]  # "argv", "env" or None (not set: uvicorn waits forever)
        loop: Optional[str]  # "asyncio" or "uvloop" (what \`--loop auto\` picks), None: not uvicorn's CLI

# include/net/tcp_states.h
TCP_STATES = {
    1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
    7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
}
LISTEN = 10
TABLES = (("tcp", "ipv4"), ("tcp6", "ipv6"))
WILDCARDS = ("0.0.0.0", "::")
# A version is text from the target: only the characters a version may hold (PEP 440) are read.
VERSION_LINE = re.compile(r"""^__version__\\s*=\\s*["']([0-9A-Za-z.+!_-]{1,40})["']""", re.M)


def socket_inodes(pid: int) -> Set[int]:
    """The inodes of the sockets among the process's open files. Raises OSError when its fd table
    cannot be read (another user's process without CAP_SYS_PTRACE)."""
    found = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def decode_endpoint(text: str, family: str) -> Endpoint:
    """An address:port of /proc/net/tcp(6): the address in hex as the kernel prints it (network-order
    bytes read as 32-bit words in host byte order), the port in hex."""
    hex_address, hex_port = text.split(":")
    raw = bytes.fromhex(hex_address)
    if sys.byteorder == "little":
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    words = raw
    if family == "ipv4":
        return {"address": socket.inet_ntop(socket.AF_INET, words), "port": int(hex_port, 16), "family": "ipv4"}
    if words[:12] == b"\\0" * 10 + b"\\xff\\xff":
        return {"address": socket.inet_ntop(socket.AF_INET, words[12:]), "port": int(hex_port, 16),
                "family": "ipv4"}
    return {"address": socket.inet_ntop(socket.AF_INET6, words), "port": int(hex_port, 16), "family": "ipv6"}


def show(endpoint: Endpoint) -> str:
    if ":" in endpoint["address"]:
        return "[%s]:%d" % (endpoint["address"], endpoint["port"])
    return "%s:%d" % (endpoint["address"], endpoint["port"])


def tcp_rows(pid: int) -> Iterator[Tuple[str, Endpoint, Endpoint, int, int]]:
    """(table, local, remote, state, inode) for every row of the process's tcp and tcp6 tables;
    a table that does not exist (IPv6 disabled) is skipped."""
    for table, family in TABLES:
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            yield (table, decode_endpoint(fields[1], family), decode_endpoint(fields[2], family),
                   int(fields[3], 16), int(fields[9]))


def _accepted_on(listener: Endpoint, local: Endpoint) -> bool:
    if listener["port"] != local["port"]:
        return False
    return listener["address"] in WILDCARDS or listener["address"] == local["address"]


def open_connections(pid: int, owners: Optional[List[int]] = None,
                     known: Optional[List[Endpoint]] = None) -> Tuple[List[Endpoint], List[Connection]]:
    """The server's listening sockets, and every connection on their ports that is not itself
    listening, with its peer and state. \`owned\` says whether the server (or one of \`owners\`, e.g.
    its workers) holds the socket: only an owned one can hold a shutdown (a TIME_WAIT row has
    no owner). \`known\`: the listeners it had, for a server in its shutdown (it closed them).
    Raises OSError when the server's fd table cannot be read."""
    inodes = socket_inodes(pid)
    owned: Set[int] = set(inodes)
    for other in owners or []:
        try:
            owned |= socket_inodes(other)
        except OSError:
            pass  # a worker that just exited
    rows = list(tcp_rows(pid))
    infos = sockdiag.tcp_info_by_inode() or {}
    listeners = [(table, local) for table, local, _, state, inode in rows if state == LISTEN and inode in inodes]
    listeners += [(table, on) for on in known or [] for table, _ in TABLES]
    found: List[Connection] = []
    for table, local, remote, state, inode in rows:
        if state == LISTEN or not any(t == table and _accepted_on(on, local) for t, on in listeners):
            continue
        info = infos.get(inode) if inode else None
        found.append({"peer": show(remote), "local": show(local), "state": TCP_STATES.get(state, str(state)),
                      "inode": inode, "owned": inode != 0 and inode in owned,
                      "received": info["bytes_received"] if info else None,
                      "last_sent_ms": info["last_sent_ms"] if info else None,
                      "last_received_ms": info["last_received_ms"] if info else None})
    return [local for _, local in listeners], found


def _python_minor(exe: Optional[str]) -> Optional[str]:
    match = re.search(r"python(\\d+\\.\\d+)$", os.path.basename(exe or ""))
    if match:
        return match.group(1)
    prefix = os.path.dirname(os.path.dirname(exe or "/"))
    names = sorted(n for n in _listdir(os.path.join(prefix, "lib")) if re.match(r"python\\d+\\.\\d+$", n))
    return names[-1][len("python"):] if names else None


def _listdir(path: str) -> List[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _resolve(command: str, env: Dict[str, str], cwd: str) -> str:
    """Where the process found argv[0] or its script: as given, or on its PATH."""
    if "/" in command:
        return os.path.join(cwd, command)
    for folder in env.get("PATH", "").split(":"):
        candidate = os.path.join(cwd, folder or ".", command)
        if os.path.isfile(candidate):
            return candidate
    return command


def find_venv(argv: List[str], env: Dict[str, str], cwd: str) -> Optional[str]:
    """The venv the process runs in: the one whose bin/ holds argv[0] (a venv's python is a link,
    so /proc/<pid>/exe names the base interpreter instead) or its script (a console script such
    as bin/uvicorn), else VIRTUAL_ENV."""
    candidates = [_resolve(argv[0], env, cwd)] if argv else []
    if len(argv) > 1 and not argv[1].startswith("-"):
        candidates.append(os.path.join(cwd, argv[1]))
    for path in candidates:
        venv = os.path.dirname(os.path.dirname(path))
        if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
            return os.path.normpath(venv)
    virtual = env.get("VIRTUAL_ENV")
    return virtual if virtual and os.path.isfile(os.path.join(virtual, "pyvenv.cfg")) else None


def _system_site(venv: Optional[str]) -> bool:
    try:
        with open(os.path.join(venv or "", "pyvenv.cfg")) as f:
            return bool(re.search(r"^include-system-site-packages\\s*=\\s*true\\s*$", f.read(), re.M | re.I))
    except OSError:
        return False


def import_path(argv: List[str], env: Dict[str, str], cwd: str, exe: Optional[str], minor: Optional[str],
                venv: Optional[str]) -> List[str]:
    """Where the process imports from, in sys.path's order: its script's folder (or the working
    folder for -m and -c), PYTHONPATH, the user site, the venv's and the base site-packages
    (Debian's dist-packages too). .pth files are not followed."""
    script = next((i for i, a in enumerate(argv) if i and not a.startswith("-")), len(argv))
    flags = argv[1:script]
    isolated = "-I" in flags or "-E" in flags
    in_cwd = script == len(argv) or "-m" in flags or "-c" in flags
    path = [cwd if in_cwd else os.path.dirname(os.path.join(cwd, argv[script]))]
    if not isolated:
        path += [os.path.join(cwd, p) for p in env.get("PYTHONPATH", "").split(":") if p]
    lib = "python%s" % minor
    prefix = os.path.dirname(os.path.dirname(exe or "/"))
    base = [os.path.join(prefix, "lib", lib, "site-packages"), os.path.join(prefix, "local", "lib", lib,
            "dist-packages"), os.path.join(prefix, "lib", "python3", "dist-packages")]
    if venv:
        path.append(os.path.join(venv, "lib", lib, "site-packages"))
        path += base if _system_site(venv) else []
        return path
    if not isolated and not env.get("PYTHONNOUSERSITE") and env.get("HOME"):
        path.append(os.path.join(env["HOME"], ".local", "lib", lib, "site-packages"))
    return path + base


def uvicorn_version(folders: List[str]) -> Tuple[Optional[str], Optional[str]]:
    """(version, folder) of the first uvicorn package on the path: \`__version__\` of the package
    it would import, else the name of a uvicorn-*.dist-info beside it."""
    for folder in folders:
        init = os.path.join(folder, "uvicorn", "__init__.py")
        if not os.path.isfile(init):
            continue
        try:
            with open(init, encoding="utf-8", errors="replace") as f:
                match = VERSION_LINE.search(f.read())
        except OSError:
            match = None
        if match:
            return match.group(1), folder
        infos = [n for n in _listdir(folder) if re.match(r"uvicorn-[0-9A-Za-z.+!_]{1,40}\\.dist-info$", n)]
        return (infos[0][len("uvicorn-"):-len(".dist-info")] if infos else None), folder
    return None, None


def uvicorn_graceful_timeout(argv: List[str], env: Dict[str, str]) -> Tuple[Optional[float], Optional[str]]:
    """uvicorn's --timeout-graceful-shutdown, and where it came from. UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN
    counts only for uvicorn's command line (\`-m uvicorn\` or the \`uvicorn\` script: click's
    auto_envvar_prefix), not for uvicorn.run() in a script. None: uvicorn waits without bound."""
    value, source = option(argv, "--timeout-graceful-shutdown"), "argv"
    cli = "uvicorn" in [os.path.basename(a) for a in argv[1:]]
    if value is None and cli:
        value, source = env.get("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"), "env"
    try:
        return (float(value), source) if value is not None else (None, None)
    except ValueError:
        return None, None


def uvicorn_loop(argv: List[str], env: Dict[str, str], folders: List[str]) -> Optional[str]:
    """The event loop uvicorn's command line runs on: \`--loop\` (or UVICORN_LOOP), and for \`auto\`
    (the default) uvloop when the process would import it, else asyncio. \`fastapi run\` and
    \`fastapi dev\` call uvicorn.run() with the default loop. None for other starters (uvicorn.run()
    in a script may name a loop, gunicorn's worker class picks one)."""
    names = [os.path.basename(a) for a in argv[1:]]
    if "uvicorn" in names:
        loop = option(argv, "--loop") or env.get("UVICORN_LOOP") or "auto"
    elif "fastapi" in names and names[names.index("fastapi") + 1:][:1] in (["run"], ["dev"]):
        loop = "auto"
    else:
        return None
    if loop != "auto":
        return loop
    found = any(os.path.isfile(os.path.join(folder, "uvloop", "__init__.py")) for folder in folders)
    return "uvloop" if found else "asyncio"


def server_facts(pid: int) -> Server:
    """The server's interpreter, venv, uvicorn version and graceful timeout, from /proc."""
    argv, env, exe = procfs.cmdline(pid), procfs.environ(pid), procfs.exe(pid)
    try:
        cwd = os.readlink("/proc/%d/cwd" % pid)
    except OSError:
        cwd = env.get("PWD", "/")
    minor = _python_minor(exe)
    venv = find_venv(argv, env, cwd)
    folders = import_path(argv, env, cwd, exe, minor, venv) if minor else []
    version, folder = uvicorn_version(folders)
    python = minor
    if exe and os.path.realpath(exe) == os.path.realpath(sys.executable):
        python = "%d.%d.%d" % sys.version_info[:3]
    seconds, source = uvicorn_graceful_timeout(argv, env)
    return {"python": python, "interpreter": exe, "venv": venv, "uvicorn": version, "uvicorn_path": folder,
            "graceful_timeout": seconds, "graceful_source": source, "loop": uvicorn_loop(argv, env, folders)}
`;

// src/remote/pycov_harvest_remote/context_marks.py
var context_marks_default = `"""Which contexts in the data the harness switched: the agent marks every data file it writes with
a meta row mapping each context label in it to the harness's context name (agent/pycov_harvest/
owned.py). A file without the mark was written by coverage.py alone (\`coverage run\`, an older
agent), and its contexts are coverage.py's own (\`dynamic_context = test_function\`). Standard
library only."""

from __future__ import annotations

import json
import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional, Tuple

MARK_KEY = "pycov-harvest:contexts"
MAX_NAME = 1024


def read_mark(path: str) -> Optional[Dict[str, str]]:
    """The file's label \u2192 context map, or None when it has no (usable) mark."""
    try:
        from urllib.parse import quote

        db = sqlite3.connect("file:%s?mode=ro" % quote(path), uri=True)
        try:
            row = db.execute("select value from meta where key = ?", (MARK_KEY,)).fetchone()
        finally:
            db.close()
        value = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None
    if not isinstance(value, dict):
        return None
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)
            and len(k) <= MAX_NAME and len(v) <= MAX_NAME}


def harness_labels(paths: List[str]) -> Tuple[Dict[str, str], int]:
    """The union of the marks (label \u2192 the harness's context, '' for none) and how many files
    had one."""
    labels: Dict[str, str] = {}
    marked = 0
    for path in paths:
        mark = read_mark(path)
        if mark is not None:
            marked += 1
            labels.update(mark)
    return labels, marked
`;

// src/remote/pycov_harvest_remote/convert.py
var convert_default = '"""Program `convert`, run in the conversion container with the working directory (the workspace, or\n`working-directory`) as the current directory: every data file checked and combined (combine.py),\nthen the reports written by coverage.py\'s own API from the project\'s own coverage config\n(project_config.py), with only `relative_files` and the plugins this image cannot import changed,\neach said in one log line, and no configuration text ever written. With `extra_data_files` (the\n`extra-data` input) the E2E-only JSON report is written first and those files are then combined in;\na `.coverage` `baseline` gets a JSON report of its own, against the base commit\'s sources.\n\nThe combined data holds only the files the reports cover (those in the working directory), so\n`coverage report` run by hand on it in the checkout gives the reports\' total. With `coverage_path`\n(a directory the `install` program filled, mounted read-only) that coverage.py is used."""\n\nfrom __future__ import annotations\n\nimport os\nimport shutil\nimport site\nimport sys\nimport tempfile\nfrom typing import Any, Dict, List, Optional, Tuple\n\nfrom pycov_harvest_remote import context_marks, output\nfrom pycov_harvest_remote.combine import merge, one_line, plan\nfrom pycov_harvest_remote.coverage_install import coverage_version\nfrom pycov_harvest_remote.project_config import ProjectConfigError, log_line, open_project\nfrom pycov_harvest_remote.reporting import named_contexts, report_all\n\n\ndef project_coverage(args: Dict[str, Any], data_file: str) -> Tuple[Any, Any]:\n    return open_project(data_file, args.get("config_file") or None, args.get("image") or "the conversion image")\n\n\ndef e2e_report(args: Dict[str, Any], combined_file: str, contexts: bool) -> List[Dict[str, Any]]:\n    """With `extra-data`: the JSON report of the E2E data alone, before the other data is added."""\n    cov, _ = project_coverage(args, combined_file)\n    e2e = report_all(cov, {"json": output.require(args, "e2e_json", str)}, contexts, args.get("share_analysis", True))\n    return e2e["steps"]\n\n\ndef convert(args: Dict[str, Any], scratch: str) -> Dict[str, Any]:\n    """Combine, then report; returns the result event\'s fields."""\n    from coverage import CoverageData\n\n    combined_file = output.require(args, "combined", str)\n    try:\n        cov, layered = project_coverage(args, combined_file)\n    except ProjectConfigError as e:\n        return {"ok": False, "config_error": str(e)}\n    extra_files = args.get("extra_data_files") or []\n    p = plan(cov, output.require(args, "data_files", list), extra_files, args.get("path_map"),\n             output.require(args, "workspace", str), scratch)\n    if os.path.exists(combined_file):\n        os.unlink(combined_file)\n    combined = CoverageData(basename=combined_file)\n    merge(combined, p["e2e"], p["mapper"])\n    # Contexts of the E2E data only: unit-test contexts in `extra-data` do not turn them on.\n    contexts = named_contexts(combined)\n    # The contexts the harness switched, from the agent\'s mark in each (checked copy of a) data file.\n    labels, marked = context_marks.harness_labels([f.copy for f in p["e2e"].files]) if contexts else ({}, 0)\n    kept = p["stats"]["kept"] > 0\n    steps: List[Dict[str, Any]] = []\n    if kept and extra_files:\n        combined.write()\n        steps = e2e_report(args, combined_file, bool(contexts))\n    merge(combined, p["extra"], p["mapper"])\n    combined.write()\n    fields: Dict[str, Any] = dict(\n        p["stats"], bad_files=p["e2e"].bad + p["extra"].bad, dropped=p["e2e"].dropped() + p["extra"].dropped(),\n        tracer_conflicts=p["e2e"].conflicts() + p["extra"].conflicts(),\n        config_file=layered["config_file"], overridden=layered["overridden"],\n        plugins_missing=layered["plugins_missing"], log=[log_line(layered)] + layered["plugins_missing"],\n        contexts=len(contexts), context_labels=labels, marked_files=marked, steps=steps)\n    if not kept or any(s["exit"] != 0 for s in steps):\n        return dict(fields, ok=False)\n    reported = report_all(cov, output.require(args, "outputs", dict), bool(contexts), args.get("share_analysis", True))\n    fields["log"] += reported.pop("log")\n    reported["steps"] = steps + reported["steps"]\n    return dict(fields, ok=all(s["exit"] == 0 for s in reported["steps"]), **reported)\n\n\ndef converted(args: Dict[str, Any]) -> Dict[str, Any]:\n    """`convert` with a scratch directory of its own (the checked copies of the data files), removed after."""\n    scratch = tempfile.mkdtemp(prefix="pycov-harvest-convert-")\n    try:\n        return convert(args, scratch)\n    finally:\n        shutil.rmtree(scratch, True)\n\n\ndef baseline_config(explicit: Optional[str], workspace: str, cwd: str) -> Optional[str]:\n    """The base commit\'s copy of an explicit `coverage-config` (the same path under the base\n    checkout) when it has one, else the head\'s."""\n    if not explicit:\n        return None\n    inside = os.path.relpath(explicit, workspace)\n    there = os.path.join(cwd, inside)\n    return there if not inside.startswith("..") and os.path.isfile(there) else explicit\n\n\ndef report_baseline(args: Dict[str, Any]) -> Optional[Dict[str, Any]]:\n    """`baseline` as a data file (the base branch\'s combined `.coverage`, relative names): its JSON\n    report with the project\'s config, read against the base commit\'s sources in their own directory.\n    Files those sources lack are skipped (`ignore_errors`): the baseline only gives a delta."""\n    baseline = args.get("baseline")\n    if not baseline:\n        return None\n    cwd = output.require(baseline, "cwd", str)\n    config = baseline_config(args.get("config_file"), output.require(args, "workspace", str), cwd)\n    here = os.getcwd()\n    os.chdir(cwd)\n    try:\n        cov, _ = open_project(output.require(baseline, "data_file", str), config, "")\n        cov.load()\n        cov.json_report(outfile=output.require(baseline, "output", str), ignore_errors=True)\n        return {"step": "json", "exit": 0, "output": ""}\n    except Exception as e:\n        return {"step": "json", "exit": 1, "output": one_line(e)[-2000:]}\n    finally:\n        os.chdir(here)\n\n\ndef main(args: Dict[str, Any]) -> int:\n    want = args.get("version") or None\n    installed = args.get("coverage_path") or None\n    # coverage.py lives in site-packages, which `python -S` left out (PYCOV_HARVEST=0 is already set).\n    site.main()\n    if installed:\n        sys.path.insert(0, installed)\n    have = coverage_version()\n    facts: Dict[str, Any] = {"python": "%d.%d.%d" % sys.version_info[:3]}\n    if have is None or (want is not None and have != want):\n        output.emit("result", ok=False, need_install=True, have=have, want=want, coverage=have, **facts)\n        return output.EXIT_OK\n    import coverage\n\n    fields = converted(args)\n    baseline = report_baseline(args)\n    if baseline is not None:\n        fields["baseline"] = baseline\n    output.emit("result", coverage=coverage.__version__, installed=bool(installed), **fields, **facts)\n    return output.EXIT_OK\n';

// src/remote/pycov_harvest_remote/coverage_install.py
var coverage_install_default = '"""The conversion image\'s coverage.py: its version, read without importing it; and program\n`install`, which installs the version the services measured with into a directory of its own. The\naction runs it in a container of its own, the only one with network, with nothing of the workspace\nor the harvested data mounted; the conversion then mounts that directory read-only."""\n\nfrom __future__ import annotations\n\nimport re\nimport subprocess\nimport sys\nfrom typing import Any, Dict, Optional\n\nfrom pycov_harvest_remote import output\n\n# A release version as PyPI spells it (the version a target reports is checked before pip sees it).\nVERSION = re.compile(r"^\\d{1,4}\\.\\d{1,4}(\\.\\d{1,4})?((a|b|rc)\\d{1,4})?(\\.post\\d{1,4})?(\\.dev\\d{1,4})?$")\n\n\ndef coverage_version() -> Optional[str]:\n    """The installed coverage.py version, read without importing it (the import comes once the\n    right version is on the path)."""\n    try:\n        from importlib.metadata import PackageNotFoundError, version\n    except ImportError:  # Python < 3.8 has no importlib.metadata\n        return None\n    try:\n        return version("coverage")\n    except PackageNotFoundError:\n        return None\n\n\ndef install(want: Optional[str], target: str) -> Dict[str, Any]:\n    # Before 3.11 coverage.py reads a project\'s pyproject.toml only with tomli (its `toml` extra).\n    name = "coverage[toml]" if sys.version_info < (3, 11) else "coverage"\n    spec = name + "==" + want if want else name\n    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",\n                          "--no-cache-dir", "--retries", "2", "--timeout", "20", "--target", target, spec],\n                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)\n    return {"spec": spec, "exit": pip.returncode, "output": pip.stdout.decode("utf-8", "replace")[-2000:]}\n\n\ndef main(args: Dict[str, Any]) -> int:\n    want = args.get("version") or None\n    target = output.require(args, "target", str)\n    if want is not None and not VERSION.match(str(want)):\n        raise output.BadArguments("version %r is not a release version" % (want,))\n    output.emit("result", **install(want, target))\n    return output.EXIT_OK\n';

// src/remote/pycov_harvest_remote/diagnosis.py
var diagnosis_default = '"""Why no agent answered, in one sentence with the fix, from what the probe saw."""\n\nfrom __future__ import annotations\n\nfrom pycov_harvest import procfs\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import List\n\n    from pycov_harvest_remote.processes import Process\n\n\ndef no_agent(data_dir: str, processes: List[Process]) -> str:\n    with_env = [p for p in processes if p["agent_env"]]\n    under_coverage = [p for p in with_env if p["coverage_run"]]\n    if under_coverage:\n        return (\n            "PYCOV_HARVEST=1 is set, but pid %d runs under `coverage run`, which keeps the agent out; "\n            "drop `coverage run` from the server\'s command (the agent measures by itself)" % under_coverage[0]["pid"]\n        )\n    for proc in with_env:\n        elsewhere = procfs.environ(proc["pid"]).get("PYCOV_HARVEST_DATA_DIR")\n        if elsewhere and elsewhere.rstrip("/") != data_dir.rstrip("/"):\n            return (\n                "pid %d has PYCOV_HARVEST=1 but writes to %s (PYCOV_HARVEST_DATA_DIR); set `data-dir: %s`"\n                % (proc["pid"], elsewhere, elsewhere)\n            )\n    if with_env:\n        return (\n            "pid %d has PYCOV_HARVEST=1 but no agent registered in %s/.pycov-harvest; install the agent "\n            "into the server\'s Python (`pip install pycov_harvest-*.whl`) and check that %s is writable "\n            "for the service\'s user (the service log has a `pycov-harvest:` line saying why)"\n            % (with_env[0]["pid"], data_dir, data_dir)\n        )\n    return (\n        "no agent registered in %s/.pycov-harvest and no process has PYCOV_HARVEST=1; install the agent "\n        "in the image and set PYCOV_HARVEST=1 in the service\'s environment" % data_dir\n    )\n';

// src/remote/pycov_harvest_remote/force_quit.py
var force_quit_default = '"""Whether a uvicorn server can be stopped while a connection is open, and which open connections\nwould hold its shutdown: the rule of the force-quit table (docs/action.md, "Which servers can be\nstopped with a stream open"), checked before the `sigterm` program signals anything.\n\nOn asyncio\'s event loop since Python 3.12 (gh-79033), `asyncio.Server.wait_closed()` waits for every\nconnection, and uvicorn (0.29 to the newest) awaits it even after its force quit (a SIGINT during\nthe shutdown): one open stream holds the process, and with it coverage\'s save, forever. uvicorn\n0.43 and 0.44 end streaming responses on shutdown (#2829, reverted in 0.45); uvloop\'s\n`wait_closed()` returns at once; a graceful timeout cancels the wait. Standard library only."""\n\nfrom __future__ import annotations\n\nimport re\nimport time\n\nfrom pycov_harvest_remote import connections\nfrom pycov_harvest_remote.processes import option\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Dict, List, Optional\n\n    from pycov_harvest_remote.connections import Connection, Endpoint, Server\n\n# uvicorn\'s shutdown closes an idle connection (no request yet, or its response ended) at once; a\n# connection whose response is still going holds it. Both states still carry the socket.\nHOLDING_STATES = ("ESTABLISHED", "CLOSE_WAIT")\n# uvicorn\'s --timeout-keep-alive default: an idle connection is closed this long after its response.\nKEEP_ALIVE_DEFAULT = 5.0\n# Past an idle connection\'s keep-alive, a connection still open is one whose response is going.\nKEEP_ALIVE_SLACK = 1.0\nPOLL = 0.5\n# uvicorn releases whose shutdown ends streaming responses (#2829, reverted in 0.45.0 by #2913).\nSTREAMS_END_ON_SHUTDOWN = ((0, 43), (0, 44))\n# The oldest uvicorn the table measured; before 0.29 uvicorn never re-raises SIGTERM to coverage.\nOLDEST_MEASURED = (0, 29)\n\n\ndef _numbers(text: Optional[str], count: int) -> tuple:\n    return tuple(int(x) for x in re.findall(r"\\d+", text or "")[:count])\n\n\ndef cannot_force_quit(facts: Server) -> bool:\n    """True when no signal ends this server\'s shutdown while a connection is open: uvicorn 0.29+\n    (but 0.43/0.44) on asyncio\'s event loop, Python 3.12+, no graceful timeout."""\n    version = _numbers(facts["uvicorn"], 2)\n    return (facts["loop"] == "asyncio" and _numbers(facts["python"], 2) >= (3, 12)\n            and version >= OLDEST_MEASURED and version not in STREAMS_END_ON_SHUTDOWN\n            and facts["graceful_timeout"] is None)\n\n\ndef describe(facts: Server) -> str:\n    """"uvicorn 0.30.6 on Python 3.12 (asyncio event loop)"."""\n    return "uvicorn %s on Python %s (%s event loop)" % (facts["uvicorn"], facts["python"], facts["loop"])\n\n\ndef keep_alive(argv: List[str], env: Dict[str, str]) -> float:\n    """uvicorn\'s --timeout-keep-alive (or UVICORN_TIMEOUT_KEEP_ALIVE for its command line)."""\n    value = option(argv, "--timeout-keep-alive") or env.get("UVICORN_TIMEOUT_KEEP_ALIVE")\n    try:\n        return float(value) if value is not None else KEEP_ALIVE_DEFAULT\n    except ValueError:\n        return KEEP_ALIVE_DEFAULT\n\n\ndef candidates(pid: int, owners: List[int], known: Optional[List[Endpoint]] = None) -> List[Connection]:\n    """Open connections of the server (or its workers) that may hold its shutdown: a request came\n    on them (tcp_info; without it every open one counts). `known`: its listeners before the\n    shutdown closed them. Raises OSError when the server\'s fd table cannot be read."""\n    _, found = connections.open_connections(pid, owners, known)\n    return [c for c in found if c["owned"] and c["state"] in HOLDING_STATES and c["received"] != 0]\n\n\ndef _may_be_idle(conn: Connection, keep_alive_ms: float) -> bool:\n    """An idle keep-alive connection is closed by uvicorn within its keep-alive of its last\n    response; one that sent nothing for longer is a response still going (or unknown)."""\n    last = conn["last_sent_ms"]\n    return last is None or last <= keep_alive_ms\n\n\ndef holding(pid: int, owners: List[int], keep_alive_s: float, bound_s: float) -> List[Connection]:\n    """The connections that hold the shutdown: `candidates`, after waiting (at most the keep-alive\n    and a second, within `bound_s`) for those that may be idle keep-alive connections to be\n    closed by uvicorn itself."""\n    keep_alive_ms = (keep_alive_s + KEEP_ALIVE_SLACK) * 1000\n    deadline = time.monotonic() + min(keep_alive_s + KEEP_ALIVE_SLACK, bound_s)\n    found = candidates(pid, owners)\n    while found and any(_may_be_idle(c, keep_alive_ms) for c in found) and time.monotonic() < deadline:\n        time.sleep(POLL)\n        found = candidates(pid, owners)\n    return found\n\n\ndef peers(found: List[Connection]) -> str:\n    """"10.88.0.1:34434, 10.88.0.1:34436" (addresses formatted here, never text from the target)."""\n    return ", ".join(c["peer"] for c in found)\n\n\ndef _open_clause(found: List[Connection]) -> str:\n    """"1 connection is open (10.88.0.1:34434)"; "may be" without tcp_info (an unused one counts)."""\n    known = all(c["received"] is not None for c in found)\n    verb = ("is" if known else "may be") if len(found) == 1 else ("are" if known else "may be")\n    return "%d connection%s %s open (%s)" % (len(found), "" if len(found) == 1 else "s", verb, peers(found))\n\n\ndef cannot_stop_reason(facts: Server, found: List[Connection]) -> str:\n    """The one sentence for a service left running because no signal could save it."""\n    return ("%s cannot be stopped while a connection is open (asyncio\'s Server.wait_closed() waits for "\n            "it, and uvicorn\'s force quit awaits that too: docs/action.md, the force-quit table), and "\n            "%s, so the service was left running; add `--timeout-graceful-shutdown 5` to the uvicorn "\n            "command, use the agent (PYCOV_HARVEST=1), or let the `attach` method save it (list it in "\n            "`methods` before `sigterm`)" % (describe(facts), _open_clause(found)))\n\n\ndef held_clause(found: List[Connection]) -> str:\n    """Appended to a hanging shutdown\'s reason: what holds it."""\n    return ", held by %d open connection%s (%s)" % (len(found), "" if len(found) == 1 else "s", peers(found))\n\n\ndef shown(found: List[Connection]) -> List[Dict[str, str]]:\n    return [{"peer": c["peer"], "state": c["state"]} for c in found]\n';

// src/remote/pycov_harvest_remote/harvest.py
var harvest_default = `"""Program \`harvest\`: what the flush chain needs to know about the target, the
in-target methods of the chain (\`http\`, \`signal\`) in the order given until one
is confirmed, then the data files as a tar stream with a manifest. One exec
does what used to take three (docs/protocol.md, "Programs")."""

from __future__ import annotations

import json
import os
import re
import sys
import time

from pycov_harvest import datafiles, signames, tarstream

from pycov_harvest_remote import diagnosis, local_http, output, signal_save
from pycov_harvest_remote.processes import measured_by_coverage, python_processes
from pycov_harvest_remote.registry import registrations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional

    from pycov_harvest_remote.processes import Process
    from pycov_harvest_remote.registry import Registration

METHODS = ("http", "signal")
PACK = ("always", "if-confirmed", "never")

VERSION_SNIPPET = (
    "import json, sys\\n"
    "try:\\n    import coverage; v = coverage.__version__\\nexcept Exception:\\n    v = None\\n"
    "print(json.dumps({'python': '%d.%d.%d' % sys.version_info[:3], 'coverage': v}))\\n"
)


def interpreter_versions(proc: Process) -> Dict[str, Any]:
    """Python and coverage versions of a server's own interpreter (it inherits
    PYCOV_HARVEST=0 from this program, so the agent stays out of it)."""
    candidate = proc["argv"][0]
    if not candidate.startswith("/"):
        from pycov_harvest import procfs

        path = procfs.environ(proc["pid"]).get("PATH", os.environ.get("PATH", ""))
        for folder in path.split(":"):
            if folder and os.access(os.path.join(folder, candidate), os.X_OK):
                candidate = os.path.join(folder, candidate)
                break
    import subprocess  # only here: its import is a good part of a bare harvest's start

    try:
        out = subprocess.run([candidate, "-c", VERSION_SNIPPET], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=20, check=True).stdout
        found = json.loads(out.decode())
        return {"python": found.get("python"), "coverage": found.get("coverage")}
    except Exception as e:
        return {"python": None, "coverage": None, "error": "%s: %s" % (type(e).__name__, e)}


# A version as a registration should hold it; the runner checks again (src/harvest/versions.ts).
VERSION = re.compile(r"^\\d{1,4}(\\.\\d{1,4}){1,2}([a-z]{1,4}\\d{0,4})?(\\.(post|dev)\\d{1,4})*\\+?$")


def versions_of(agents: List[Registration], processes: List[Process]) -> Optional[Dict[str, Any]]:
    """The versions of the first agent whose registration holds versions, else
    of the server's own interpreter. A registration is a file in the target's
    data directory, so a version in it may be anything."""
    for agent in agents:
        if VERSION.match(agent["python"]) and VERSION.match(agent["coverage"]):
            return {"python": agent["python"], "coverage": agent["coverage"]}
    tops = [p for p in processes if p["top"] and (measured_by_coverage(p) or p["server"])]
    return interpreter_versions(tops[0]) if tops else None


def probe(data_dir: str, max_file_bytes: Optional[int] = None, max_files: Optional[int] = None) -> Dict[str, Any]:
    processes = python_processes()
    agents, malformed = registrations(data_dir)
    accepted, skipped = datafiles.scan(data_dir, max_file_bytes, max_files)
    return {
        "time": time.time(),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "data_dir_exists": os.path.isdir(data_dir),
        "agents": agents,
        "malformed": malformed,
        "processes": processes,
        "data_files": accepted,
        "skipped_files": skipped,
        "versions": versions_of(agents, processes),
    }


def attempt(method: str, report: Dict[str, Any], data_dir: str, timeout: float, signal_name: str,
            reset: bool = False) -> bool:
    began = time.time()
    agents, processes = report["agents"], report["processes"]
    facts: Dict[str, Any] = {}
    if method == "http":
        if agents:
            confirmed, detail = local_http.flush(agents, timeout, reset)
        else:
            confirmed, detail = False, diagnosis.no_agent(data_dir, processes)
    else:
        confirmed, detail, facts = signal_save.save(data_dir, agents, processes, signal_name, timeout)
    output.emit("attempt", method=method, confirmed=confirmed, detail=detail,
                ms=int(round((time.time() - began) * 1000)), **facts)
    return confirmed


def main(args: Dict[str, Any]) -> int:
    data_dir = output.require(args, "data_dir", str)
    methods = output.require(args, "methods", list)
    timeout = float(output.require(args, "timeout", (int, float)))
    signal_name = output.require(args, "signal", str)
    pack = output.require(args, "pack", str)
    reset = output.require(args, "reset", bool) if "reset" in args else False
    max_file_bytes = output.require(args, "max_file_bytes", int) if "max_file_bytes" in args else None
    max_files = output.require(args, "max_files", int) if "max_files" in args else None
    if any(m not in METHODS for m in methods) or pack not in PACK:
        raise output.BadArguments("methods must be among %s and pack one of %s" % (METHODS, PACK))
    try:
        signames.parse(signal_name)
    except ValueError:
        raise output.BadArguments("unknown signal %r" % signal_name) from None
    report = probe(data_dir, max_file_bytes, max_files)
    output.emit("probe", **report)
    confirmed = False
    for method in methods:
        if attempt(method, report, data_dir, timeout, signal_name, reset):
            confirmed = True
            break
    if pack == "always" or pack == "if-confirmed" and confirmed:
        out = output.start_tar()
        tarstream.write(data_dir, out, max_file_bytes, max_files)
        out.flush()
    return output.EXIT_OK
`;

// src/remote/pycov_harvest_remote/local_http.py
var local_http_default = '"""The `http` method from inside the target: POST the flush to the agent\'s\nloopback listener, with the listener process\'s own token when it has one.\n\nThe client is a few lines on `socket` rather than urllib.request, whose import\nalone costs more than the rest of the harvest program\'s start: the server is\nalways the agent\'s own listener (agent/pycov_harvest/httpserve.py), which\nanswers one request per connection, with Content-Length (or chunked for a\nstream), then closes."""\n\nfrom __future__ import annotations\n\nimport json\nimport socket\n\nfrom pycov_harvest import procfs\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:\n    from typing import Any, Dict, List, Optional, Tuple\n\n    from pycov_harvest_remote.registry import Registration\n\nMAX_BODY = 1 << 20\nMAX_HEAD = 64 << 10\n\n\nclass BadResponse(Exception):\n    """The listener\'s answer is not HTTP this client understands."""\n\n\ndef listener_of(agents: List[Registration]) -> Optional[Registration]:\n    return next((reg for reg in agents if isinstance(reg.get("port"), int)), None)\n\n\ndef token_of(reg: Registration) -> Optional[str]:\n    return procfs.environ(reg["pid"]).get("PYCOV_HARVEST_TOKEN") or None\n\n\ndef _recv_until_closed(sock: socket.socket, buf: bytearray, limit: int) -> None:\n    while len(buf) < limit:\n        chunk = sock.recv(65536)\n        if not chunk:\n            return\n        buf += chunk\n\n\ndef _head(sock: socket.socket, buf: bytearray) -> Tuple[int, Dict[str, str], bytearray]:\n    """Reads one response head from `buf` (receiving more as needed): (status,\n    lower-cased headers, the bytes after the head)."""\n    while True:\n        end = buf.find(b"\\r\\n\\r\\n")\n        if end >= 0:\n            break\n        if len(buf) > MAX_HEAD:\n            raise BadResponse("the answer\'s head is larger than %d bytes" % MAX_HEAD)\n        chunk = sock.recv(65536)\n        if not chunk:\n            if not buf:\n                raise BadResponse("the listener closed the connection without an answer")\n            raise BadResponse("the answer ended inside its head: %r" % bytes(buf[:200]))\n        buf += chunk\n    lines = bytes(buf[:end]).decode("latin-1").split("\\r\\n")\n    parts = lines[0].split(None, 2)\n    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():\n        raise BadResponse("not an HTTP status line: %r" % lines[0][:200])\n    headers: Dict[str, str] = {}\n    for line in lines[1:]:\n        name, sep, value = line.partition(":")\n        if sep:\n            headers[name.strip().lower()] = value.strip()\n    return int(parts[1]), headers, buf[end + 4:]\n\n\ndef _dechunk(sock: socket.socket, buf: bytearray) -> bytes:\n    """The body of a chunked answer (at most MAX_BODY bytes of it)."""\n    body = bytearray()\n    while len(body) < MAX_BODY:\n        while b"\\r\\n" not in buf:\n            chunk = sock.recv(65536)\n            if not chunk:\n                return bytes(body)  # cut off: what came is what the caller gets\n            buf += chunk\n        line, _, rest = bytes(buf).partition(b"\\r\\n")\n        try:\n            size = int(line.split(b";")[0].strip() or b"x", 16)\n        except ValueError:\n            raise BadResponse("malformed chunk size %r" % line[:40]) from None\n        if size == 0:\n            break\n        buf[:] = rest\n        while len(buf) < size + 2:\n            chunk = sock.recv(65536)\n            if not chunk:\n                body += buf[:size]\n                return bytes(body[:MAX_BODY])\n            buf += chunk\n        body += buf[:size]\n        del buf[:size + 2]\n    return bytes(body[:MAX_BODY])\n\n\ndef exchange(port: int, method: str, path: str, headers: Dict[str, str], data: Optional[bytes],\n             timeout: float) -> Tuple[int, bytes]:\n    """One request to 127.0.0.1:port; (status, body: at most MAX_BODY bytes). Raises\n    OSError (refused, reset, timed out: `timeout` bounds the connect and every read)\n    or BadResponse."""\n    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % port, "Connection: close",\n             "Accept-Encoding: identity"]\n    lines.extend("%s: %s" % item for item in headers.items())\n    if data is not None:\n        lines.append("Content-Length: %d" % len(data))\n    request = ("\\r\\n".join(lines) + "\\r\\n\\r\\n").encode("latin-1") + (data or b"")\n    # A literal address and connect(): no name lookup (and no idna codec to import).\n    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n    try:\n        sock.settimeout(timeout)\n        sock.connect(("127.0.0.1", port))\n        buf = bytearray()\n        try:\n            sock.sendall(request)\n        except (BrokenPipeError, ConnectionResetError):\n            # The listener may answer (413, 431) and close before reading all of it.\n            _recv_until_closed(sock, buf, MAX_HEAD)\n            if not buf:\n                raise\n        status, found, buf = _head(sock, buf)\n        while 100 <= status < 200:  # an interim answer (100 Continue): the real one follows\n            status, found, buf = _head(sock, buf)\n        length = found.get("content-length")\n        if length is not None and length.isdigit():\n            want = min(int(length), MAX_BODY)\n            while len(buf) < want:\n                chunk = sock.recv(min(want - len(buf), 65536))\n                if not chunk:\n                    break  # cut off: what came is what the caller gets\n                buf += chunk\n            return status, bytes(buf[:want])\n        if "chunked" in found.get("transfer-encoding", "").lower():\n            return status, _dechunk(sock, buf)\n        _recv_until_closed(sock, buf, MAX_BODY)  # no length: the body ends with the connection\n        return status, bytes(buf[:MAX_BODY])\n    finally:\n        sock.close()\n\n\ndef post(port: int, path: str, body: Optional[Dict[str, Any]], token: Optional[str], timeout: float) -> Tuple[Optional[int], Any, str]:\n    """(HTTP status or None, parsed JSON or None, error text)."""\n    headers = {"Content-Type": "application/json"}\n    if token:\n        headers["Authorization"] = "Bearer " + token\n    data = json.dumps(body).encode() if body is not None else None\n    try:\n        status, payload = exchange(port, "POST" if data is not None else "GET", "/pycov-harvest/" + path,\n                                   headers, data, timeout)\n    except socket.timeout:\n        return None, None, "TimeoutError: no answer within %g s" % timeout\n    except Exception as e:  # refused, reset, a broken answer: the listener is not there\n        return None, None, "%s: %s" % (type(e).__name__, e)\n    try:\n        return status, json.loads(payload.decode("utf-8")), ""\n    except ValueError:\n        return status, None, payload[:200].decode("utf-8", "replace")\n\n\ndef flush(agents: List[Registration], timeout: float, reset: bool = False) -> Tuple[bool, str]:\n    owner = listener_of(agents)\n    if owner is None:\n        return False, "the agent\'s HTTP listener is off in every process (PYCOV_HARVEST_PORT=off)"\n    port = owner["port"]\n    body: Dict[str, Any] = {"timeout": timeout, "reset": True} if reset else {"timeout": timeout}\n    status, result, error = post(port, "flush", body, token_of(owner), timeout + 10)\n    if status is None:\n        return False, "cannot reach the agent on 127.0.0.1:%d (%s)" % (port, error)\n    if status == 200 and isinstance(result, dict) and result.get("ok") is True:\n        acks = result.get("acks")\n        count = len(acks) if isinstance(acks, list) else 0\n        return True, "%d agent process(es) acknowledged flush #%s%s through the listener on 127.0.0.1:%d" % (\n            count, result.get("seq", "?"), " (reset)" if reset else "", port)\n    missing = result.get("missing") if isinstance(result, dict) else None\n    reasons = "; ".join(\n        "pid %s: %s" % (m.get("pid"), m.get("reason")) for m in missing if isinstance(m, dict)\n    ) if isinstance(missing, list) else ""\n    if status == 401:\n        return False, "the agent on 127.0.0.1:%d refused the token of pid %d (HTTP 401)" % (port, owner["pid"])\n    text = (" (%s)" % reasons) if reasons else ((" (%s)" % result.get("error")) if isinstance(result, dict) and result.get("error") else "")\n    return False, "the agent on 127.0.0.1:%d answered HTTP %d%s" % (port, status, text)\n';

// src/remote/pycov_harvest_remote/output.py
var output_default = `"""How the programs talk back: JSON lines on stdout, then at most one tar
stream, and an exit status that says only whether the program kept its contract
(docs/protocol.md, "Programs")."""

from __future__ import annotations

import json
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, BinaryIO, Dict

# The program ran to its end; what happened is in its JSON lines.
EXIT_OK = 0
# (1 is Python's own status for an uncaught exception: a crash, with a traceback on stderr.)
# The arguments did not match the contract: a bug on the action's side.
EXIT_BAD_ARGUMENTS = 2


class BadArguments(Exception):
    pass


def arguments() -> Dict[str, Any]:
    """The one JSON object the action passes as the program's only argument."""
    if len(sys.argv) != 2:
        raise BadArguments("expected one JSON argument, got %d" % (len(sys.argv) - 1))
    try:
        value = json.loads(sys.argv[1])
    except ValueError as e:
        raise BadArguments("the argument is not JSON (%s)" % e) from None
    if not isinstance(value, dict):
        raise BadArguments("the argument is not a JSON object")
    return value


def require(args: Dict[str, Any], key: str, kind: Any) -> Any:
    value = args.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadArguments("argument %r is missing or not %s" % (key, getattr(kind, "__name__", kind)))
    return value


def emit(event: str, **fields: Any) -> None:
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\\n")
    sys.stdout.flush()


def start_tar() -> BinaryIO:
    """Announces the tar stream; everything after this line on stdout is tar."""
    emit("tar")
    return sys.stdout.buffer


def run(main: Any) -> int:
    """Runs a program's main, turning bad arguments into exit 2 with one line on stderr."""
    try:
        return int(main(arguments()))
    except BadArguments as e:
        sys.stderr.write("pycov-harvest program: bad arguments: %s\\n" % e)
        return EXIT_BAD_ARGUMENTS
`;

// src/remote/pycov_harvest_remote/pathmap.py
var pathmap_default = '"""Container paths onto the workspace: leading prefixes only, never a match in\nthe middle of a path (coverage.py\'s own [paths] rewrote every occurrence of a\nprefix before 7.6, turning /app/backend/app/x.py into backend./x.py).\n\nEverything is decided against the workspace (the current directory), never\nagainst the filesystem this program runs in: the conversion image may contain\nthe service\'s own paths."""\n\nfrom __future__ import annotations\n\nimport os\nfrom typing import Dict, List, Optional, Sequence, Tuple\n\n\ndef _inside(path: str, workspace: str) -> Optional[str]:\n    """`path` relative to the workspace when it lies inside it."""\n    if path == workspace:\n        return ""\n    if path.startswith(workspace.rstrip("/") + "/"):\n        return path[len(workspace.rstrip("/")) + 1:]\n    return None\n\n\nclass PathMap:\n    """Maps measured file names to workspace-relative names (or absolute ones\n    outside the workspace); `rules` are (container prefix, workspace path)."""\n\n    def __init__(self, rules: Sequence[Tuple[str, str]], workspace: str):\n        self.workspace = workspace\n        self.rules = sorted(((r.rstrip("/") or "/", l) for r, l in rules), key=lambda rule: -len(rule[0]))\n\n    def map(self, path: str) -> str:\n        inside = _inside(path, self.workspace) if path.startswith("/") else None\n        if inside is not None:\n            return inside\n        for remote, local in self.rules:\n            if remote == "/" or path == remote or path.startswith(remote + "/"):\n                rest = path[len(remote):].lstrip("/") if remote != "/" else path.lstrip("/")\n                mapped = os.path.normpath(os.path.join(local, rest)) if rest else local\n                inside = _inside(mapped, self.workspace) if mapped.startswith("/") else None\n                return inside if inside is not None else mapped\n        return path\n\n    def found(self, mapped: str) -> bool:\n        """The mapped file exists in the workspace (or at an absolute path the user mapped to)."""\n        if mapped.startswith("/"):\n            return any(mapped.startswith(local.rstrip("/") + "/") for _, local in self.rules\n                       if local.startswith("/")) and os.path.isfile(mapped)\n        return not mapped.startswith("..") and os.path.isfile(os.path.join(self.workspace, mapped))\n\n\ndef infer(measured: Sequence[str], workspace: str) -> List[str]:\n    """Container prefixes whose files exist in the workspace under a shorter\n    path: /app/backend/app/x.py with backend/app/x.py checked out gives /app."""\n    prefixes: Dict[str, int] = {}\n    for path in measured:\n        if not path.startswith("/") or _inside(path, workspace) is not None:\n            continue\n        parts = path.split("/")\n        for i in range(2, len(parts)):\n            if os.path.isfile(os.path.join(workspace, *parts[i:])):\n                prefix = "/".join(parts[:i])\n                prefixes[prefix] = prefixes.get(prefix, 0) + 1\n                break\n    return sorted(prefixes, key=lambda p: (-prefixes[p], p))\n';

// src/remote/pycov_harvest_remote/processes.py
var processes_default = '"""The Python processes of the target, read from /proc: which is a server,\nwhich runs under `coverage run` and how each would save its coverage."""\n\nfrom __future__ import annotations\n\nimport os\n\nfrom pycov_harvest import procfs\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict, List, Optional, Union\n\n    Process = Dict[str, Any]\n\nSERVERS = ("uvicorn", "gunicorn", "hypercorn")\n# Environment variables with which coverage.py starts itself in a process\n# (coverage.process_startup() from a .pth or sitecustomize).\nCOVERAGE_STARTUP_ENV = ("COVERAGE_PROCESS_START",)\n\n\ndef is_python(pid: int, argv: List[str]) -> bool:\n    names = [os.path.basename(argv[0])] if argv else []\n    exe = procfs.exe(pid)\n    if exe:\n        names.append(os.path.basename(exe))\n    return any(n.startswith("python") or n.startswith("pypy") for n in names)\n\n\ndef option(argv: List[str], flag: str) -> Optional[str]:\n    for i, item in enumerate(argv):\n        if item == flag and i + 1 < len(argv):\n            return argv[i + 1]\n        if item.startswith(flag + "="):\n            return item[len(flag) + 1:]\n    return None\n\n\ndef server_of(argv: List[str]) -> Optional[str]:\n    for item in argv[1:]:\n        base = os.path.basename(item)\n        if base in SERVERS:\n            return base\n    return None\n\n\ndef runs_coverage(argv: List[str]) -> bool:\n    """`coverage run ...`, `python -m coverage run ...` or `.../bin/coverage run ...`."""\n    head = [os.path.basename(a) for a in argv[1:3]]\n    return "coverage" in head and "run" in argv\n\n\ndef graceful_timeout(argv: List[str], env: Dict[str, str], server: Optional[str]) -> Union[float, str, None]:\n    """Seconds the server waits for connections on SIGTERM: a number, "default"\n    (the server has a bound of its own) or None (it may wait forever)."""\n    value: Optional[str]\n    if server == "uvicorn":\n        value = option(argv, "--timeout-graceful-shutdown") or env.get("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN")\n    elif server in ("gunicorn", "hypercorn"):\n        value = option(argv, "--graceful-timeout") or "default"\n    else:\n        return None\n    if value is None or value == "default":\n        return value\n    try:\n        return float(value)\n    except ValueError:\n        return None\n\n\ndef python_processes() -> List[Process]:\n    """Every Python process but this program, with its parent links resolved."""\n    me = os.getpid()\n    found: List[Process] = []\n    for pid in procfs.pids():\n        if pid == me:\n            continue\n        argv = procfs.cmdline(pid)\n        if not argv or not is_python(pid, argv):\n            continue\n        env = procfs.environ(pid)\n        server = server_of(argv)\n        coverage_run = runs_coverage(argv)\n        found.append({\n            "pid": pid,\n            "ppid": procfs.ppid(pid),\n            # For `attach`: the interpreter to run beside it, and the start time that tells a\n            # reused pid apart.\n            "executable": procfs.exe(pid),\n            "starttime": procfs.start_ticks(pid),\n            "argv": argv,\n            "server": server,\n            "coverage_run": coverage_run,\n            "coverage_startup": any(name in env for name in COVERAGE_STARTUP_ENV),\n            "agent_env": env.get("PYCOV_HARVEST") == "1",\n            "save_signal": option(argv, "--save-signal") if coverage_run else None,\n            "graceful_timeout": graceful_timeout(argv, env, server),\n        })\n    pids = set(p["pid"] for p in found)\n    for proc in found:\n        proc["top"] = proc["ppid"] not in pids\n    return found\n\n\ndef measured_by_coverage(proc: Process) -> bool:\n    """coverage.py runs in this process without the agent: it saves at exit."""\n    return bool(proc["coverage_run"] or proc["coverage_startup"])\n\n\ndef descendants(procs: List[Process], pid: int) -> List[Process]:\n    children: Dict[int, List[Process]] = {}\n    for proc in procs:\n        children.setdefault(proc["ppid"], []).append(proc)\n    found: List[Process] = []\n    stack = [pid]\n    while stack:\n        for child in children.get(stack.pop(), []):\n            found.append(child)\n            stack.append(child["pid"])\n    return found\n';

// src/remote/pycov_harvest_remote/project_config.py
var project_config_default = '"""The project\'s own coverage config as the base of every report: found as coverage.py finds it\n(an explicit file, else `.coveragerc`, `setup.cfg`, `tox.ini`, `pyproject.toml` in the current\ndirectory), read by coverage.py itself, with only what the harvest needs layered on top through\ncoverage.py\'s config object, never by writing config text (a measured file name comes from the\ntarget and must never be read as configuration)."""\n\nfrom __future__ import annotations\n\nimport importlib\nimport os\nimport sys\nfrom typing import TYPE_CHECKING, Any, List, Optional, Tuple\n\nif TYPE_CHECKING:\n    from typing import TypedDict\n\n    class Layered(TypedDict):\n        """What `open_project` reports: the file used, the settings the harvest changed, and one\n        sentence per plugin the conversion image cannot import."""\n\n        config_file: Optional[str]\n        overridden: List[str]\n        plugins_missing: List[str]\n\n# The files coverage.py tries when no file is named, in its order (coverage/config.py\n# `config_files_to_try`); setup.cfg and tox.ini count only with `[coverage:...]` sections and\n# pyproject.toml only with `[tool.coverage...]` tables.\nSEARCHED = (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml")\n\n\nclass ProjectConfigError(Exception):\n    """A project coverage config that coverage.py rejects (the message names file and setting)."""\n\n\ndef open_project(data_file: str, explicit: Optional[str], image: str) -> Tuple[Any, "Layered"]:\n    """A `coverage.Coverage` on `data_file` with the project\'s config and the harvest\'s layer:\n    `relative_files`, and the plugins this image cannot import taken out (each named in one\n    sentence)."""\n    import coverage\n\n    # The runner\'s own choice of config must not leak in: only `explicit` names a file.\n    os.environ.pop("COVERAGE_RCFILE", None)\n    try:\n        cov = coverage.Coverage(data_file=data_file, config_file=explicit or True)\n    except Exception as e:  # ConfigError is no CoverageException before 7.5; a bad value is a ValueError\n        raise ProjectConfigError(rejected(explicit or searched_file(), e)) from e\n    config = cov.config\n    overridden: List[str] = []\n    if not config.relative_files:\n        config.set_option("run:relative_files", True)\n        overridden.append("[run] relative_files = true")\n    missing = [plugin for plugin in config.plugins if not importable(plugin)]\n    if missing:\n        config.set_option("run:plugins", [p for p in config.plugins if p not in missing])\n        overridden.append("[run] plugins -= %s" % ", ".join(missing))\n    where = config.config_file\n    return cov, {\n        "config_file": os.path.relpath(where) if where else None,\n        "overridden": overridden,\n        "plugins_missing": [plugin_sentence(p, where, image) for p in missing],\n    }\n\n\ndef orphans(cov: Any) -> List[str]:\n    """Measured files whose data names a plugin (`module.Class`) that is not loaded: coverage.py\n    cannot report them at all (its `_get_file_reporter` raises KeyError on the plugin\'s name, for\n    every measured file, before `omit` applies)."""\n    loaded = set(cov.config.plugins)\n    data = cov.get_data()\n    return sorted(name for name in data.measured_files()\n                  if data.file_tracer(name) and data.file_tracer(name).rpartition(".")[0] not in loaded)\n\n\ndef log_line(layered: "Layered") -> str:\n    """One line: the config file used and what the harvest changed in it."""\n    source = layered["config_file"] or "no coverage config file (%s: none has coverage settings)" % ", ".join(SEARCHED)\n    changes = "; ".join(layered["overridden"]) or "nothing"\n    return "coverage config: %s; the harvest overrides: %s" % (source, changes)\n\n\ndef importable(module: str) -> bool:\n    try:\n        importlib.import_module(module)\n    except Exception:  # an ImportError, or the plugin\'s own import failing without its framework\n        return False\n    return True\n\n\ndef plugin_sentence(plugin: str, config_file: Optional[str], image: str) -> str:\n    named = " named in %s" % os.path.relpath(config_file) if config_file else ""\n    return ("the coverage plugin %s%s cannot be imported in the conversion image %s, so the reports "\n            "leave out the files it measured; set `coverage-image` to an image that has it installed "\n            "(the service\'s image has)" % (plugin, named, image))\n\n\ndef searched_file() -> str:\n    """The file coverage.py was reading when it failed, as its own search would pick it."""\n    for name in SEARCHED:\n        if os.path.isfile(name):\n            return name\n    return SEARCHED[0]\n\n\ndef rejected(config_file: str, error: BaseException) -> str:\n    """One sentence: the file, the setting coverage.py rejects (when it can be found) and why."""\n    import coverage\n\n    if "TOML support" in str(error):\n        return ("coverage.py %s cannot read the project\'s coverage config %s on Python %d.%d without tomli; set "\n                "`coverage-image` to an image with `coverage[toml]` installed, or use Python 3.11 or newer"\n                % (coverage.__version__, config_file, sys.version_info[0], sys.version_info[1]))\n    setting = bad_setting(config_file)\n    what = "`%s`" % setting if setting else "a setting"\n    reason = str(error).splitlines()[0] if str(error) else type(error).__name__\n    return ("coverage.py %s rejects %s in the project\'s coverage config %s (%s); fix it there, or name "\n            "another file with `coverage-config`" % (coverage.__version__, what, config_file, reason))\n\n\ndef bad_setting(config_file: str) -> Optional[str]:\n    """The first `[section] option` of the file that coverage.py cannot read with its own type."""\n    from coverage.config import CoverageConfig, HandyConfigParser\n    from coverage.tomlconfig import TomlConfigParser\n\n    our_file = os.path.basename(config_file) not in SEARCHED[1:] or config_file.endswith(".toml")\n    parser: Any = TomlConfigParser(our_file) if config_file.endswith(".toml") else HandyConfigParser(our_file)\n    try:\n        parser.read(config_file)\n    except Exception:\n        return None  # the file itself does not parse: the reason says where\n    probe = CoverageConfig()\n    for spec in CoverageConfig.CONFIG_FILE_OPTIONS:\n        try:\n            probe._set_attr_from_config_option(parser, *spec)\n        except Exception:\n            section, option = spec[1].split(":")\n            return "[%s] %s" % (section, option)\n    return None\n';

// src/remote/pycov_harvest_remote/project_paths.py
var project_paths_default = '"""One mapping of measured file names onto the workspace for the combine: the action\'s\n`path-map` first, then the project\'s own `[paths]` (applied by coverage.py\'s own `PathAliases`,\nas `coverage combine` would), then the prefixes inferred from the workspace. A rule counts only\nwhen the name it gives is a file of the workspace."""\n\nfrom __future__ import annotations\n\nimport os\nfrom typing import Any, Dict, List, Optional\n\nfrom pycov_harvest_remote.pathmap import PathMap\n\n\ndef project_aliases(paths: Dict[str, List[str]]) -> Optional[Any]:\n    """coverage.py\'s aliases for the project\'s `[paths]`, built as its `combine` builds them\n    (first entry the result, the others its patterns); None without `[paths]`."""\n    if not paths:\n        return None\n    from coverage.files import PathAliases\n\n    aliases = PathAliases(relative=True)\n    for entries in paths.values():\n        for pattern in entries[1:]:\n            aliases.add(pattern, entries[0])\n    return aliases\n\n\nclass ProjectMap(PathMap):\n    """A PathMap (its `map` and `found`), so it serves the combine and the omit decision alike."""\n\n    def __init__(self, explicit: Optional[PathMap], aliases: Optional[Any], inferred: PathMap):\n        super().__init__(inferred.rules, inferred.workspace)\n        self.explicit = explicit\n        self.aliases = aliases\n        self.inferred = inferred\n        self.workspace = inferred.workspace\n\n    def map(self, path: str) -> str:\n        if self.explicit is not None:\n            mapped = self.explicit.map(path)\n            if self.explicit.found(mapped):\n                return mapped\n        if self.aliases is not None:\n            project = self._project(path)\n            if project is not None:\n                return project\n        return (self.explicit or self.inferred).map(path)\n\n    def found(self, mapped: str) -> bool:\n        return (self.explicit or self.inferred).found(mapped) or self._in_workspace(mapped)\n\n    def _project(self, path: str) -> Optional[str]:\n        mapped: str = self.aliases.map(path, exists=self._in_workspace) if self.aliases is not None else path\n        if mapped == path:\n            return None\n        if os.path.isabs(mapped):\n            inside = os.path.relpath(mapped, self.workspace)\n            mapped = inside if not inside.startswith("..") else mapped\n        return mapped if self._in_workspace(mapped) else None\n\n    def _in_workspace(self, name: str) -> bool:\n        full = name if os.path.isabs(name) else os.path.join(self.workspace, name)\n        inside = not os.path.relpath(full, self.workspace).startswith("..")\n        return inside and os.path.isfile(full)\n';

// src/remote/pycov_harvest_remote/registry.py
var registry_default = `"""The agent's registrations and acknowledgements, read as untrusted input:
a file in the data directory never decides alone which process is signalled
or with what (docs/protocol.md)."""

from __future__ import annotations

import json
import os
import socket

from pycov_harvest import auth, procfs

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional, Tuple

    Registration = Dict[str, Any]

REGISTRY = ".pycov-harvest"

# field -> the JSON types it may have
_FIELDS: Dict[str, Tuple[type, ...]] = {
    "pid": (int,),
    "host": (str,),
    "port": (int, type(None)),
    "signal": (str, type(None)),
    "sigterm": (bool,),
    "python": (str,),
    "coverage": (str,),
    "executable": (str,),
    "data_file": (str,),
}


def read_json(path: str) -> Any:
    try:
        with open(path, "rb") as f:
            return json.loads(f.read(1 << 20).decode("utf-8"))
    except (OSError, ValueError):
        return None


def _problem(reg: Any) -> Optional[str]:
    if not isinstance(reg, dict):
        return "not a JSON object"
    for key, types in _FIELDS.items():
        if key not in reg and key not in ("sigterm", "executable", "data_file"):
            return "no %r" % key
        if key in reg and (not isinstance(reg[key], types) or isinstance(reg[key], bool) and bool not in types):
            return "%r is not %s" % (key, "/".join(t.__name__ for t in types))
    if reg["pid"] <= 0:
        return "'pid' is not a process id"
    start = reg.get("start_ticks")
    if start is not None and (not isinstance(start, int) or isinstance(start, bool)):
        return "'start_ticks' is not int"
    cmdline = reg.get("cmdline")
    if cmdline is not None and not (isinstance(cmdline, list) and all(isinstance(a, str) for a in cmdline)):
        return "'cmdline' is not a list of strings"
    return None


def is_live_agent_process(reg: Registration) -> bool:
    """The registration names a live process of this host that is still the one
    that registered (same start time and command line when the agent recorded them)."""
    if reg["host"] != socket.gethostname() or not procfs.alive(reg["pid"]):
        return False
    start = reg.get("start_ticks")
    if start is not None and procfs.start_ticks(reg["pid"]) != start:
        return False
    cmdline = reg.get("cmdline")
    return cmdline is None or procfs.cmdline(reg["pid"]) == cmdline


def registrations(data_dir: str) -> Tuple[List[Registration], List[Dict[str, str]]]:
    """(live agent processes of this host, malformed files with the reason)."""
    reg_dir = os.path.join(data_dir, REGISTRY)
    found: List[Registration] = []
    malformed: List[Dict[str, str]] = []
    try:
        names = sorted(os.listdir(reg_dir))
    except OSError:
        return found, malformed
    me = os.getpid()
    for name in names:
        if not (name.startswith("proc-") and name.endswith(".json")):
            continue
        reg = read_json(os.path.join(reg_dir, name))
        problem = "unreadable or not JSON" if reg is None else _problem(reg)
        if problem is not None:
            malformed.append({"name": name, "reason": problem})
            continue
        if reg["pid"] != me and is_live_agent_process(reg):
            found.append(reg)
    return found, malformed


def ack_since(data_dir: str, reg: Registration, t0: float, token: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The process's acknowledgement of a save that finished at or after t0 (signed
    with the service's token, when it has one)."""
    ack = read_json(os.path.join(data_dir, REGISTRY, "ack-%s-%d.json" % (reg["host"], reg["pid"])))
    if not isinstance(ack, dict) or ack.get("pid") != reg["pid"] or not auth.verified(token, ack):
        return None
    when = ack.get("time")
    if not isinstance(when, (int, float)) or isinstance(when, bool) or when < t0:
        return None
    return ack
`;

// src/remote/pycov_harvest_remote/reporting.py
var reporting_default = '"""The reports, by coverage.py\'s own API with the project\'s settings (`ignore_errors` among them):\nlcov, Cobertura XML, JSON and HTML, one analysis per file shared while it succeeds\n(shared_analysis.py). Measured files that are not Python (templates) are left out as coverage.py\nleaves them out, and counted; files whose plugin the image lacks are left out by name. A failing\nreport names the report and the measured file."""\n\nfrom __future__ import annotations\n\nimport os\nfrom typing import Any, Dict, List, Optional\n\nfrom pycov_harvest_remote.project_config import orphans\nfrom pycov_harvest_remote.screen import printable\nfrom pycov_harvest_remote.shared_analysis import SharedAnalysis\n\nNAMED = 3\nSHOWN = 20\nREPORTS = (\n    ("lcov", "lcov_report", "outfile"),\n    ("xml", "xml_report", "outfile"),\n    ("json", "json_report", "outfile"),\n    ("html", "html_report", "directory"),\n)\n# The reports that show which context ran each line (`--show-contexts`), when the data has contexts.\nSHOWS_CONTEXTS = ("json", "html")\n\n\ndef named_contexts(data: Any) -> List[str]:\n    """The contexts the agent\'s switches recorded (\'\' is coverage.py\'s name for none)."""\n    return sorted(name for name in data.measured_contexts() if name)\n\n\ndef not_python(cov: Any, left_out: List[str]) -> List[str]:\n    """Measured files coverage.py\'s reports skip because they are not Python: no plugin reports\n    them, their name does not say Python (coverage.py\'s `should_be_python`) and they do not parse."""\n    from coverage.exceptions import NotPython\n\n    skipped = []\n    for name in sorted(cov.get_data().measured_files()):\n        ext = os.path.splitext(name)[1]\n        if name in left_out or not ext or ext.startswith(".py") or not reported(cov, name):\n            continue\n        try:\n            cov.analysis2(name)\n        except NotPython:\n            skipped.append(name)\n        except Exception:  # a plugin\'s or a missing file\'s failure: the report says which\n            continue\n    return skipped\n\n\ndef reported(cov: Any, name: str) -> bool:\n    """The project\'s `[report] include` and `omit` let this file into the reports (coverage.py\'s\n    own matchers, as its reports apply them)."""\n    from coverage.files import GlobMatcher, prep_patterns\n\n    path = os.path.abspath(name)\n    include, omit = cov.config.report_include, cov.config.report_omit\n    if include and not GlobMatcher(prep_patterns(include), "include").match(path):\n        return False\n    return not (omit and GlobMatcher(prep_patterns(omit), "omit").match(path))\n\n\ndef some(names: List[str]) -> str:\n    return ", ".join(names[:NAMED]) + (", ..." if len(names) > NAMED else "")\n\n\ndef failing_file(cov: Any, fmt: str, error: BaseException) -> Optional[str]:\n    """The measured file a report failed on: the one coverage.py\'s message names, else the first\n    whose analysis (or, for JSON, code regions) fails on its own."""\n    names = sorted(cov.get_data().measured_files())\n    for name in names:\n        if name in str(error):\n            return name\n    for name in names:\n        try:\n            cov.analysis2(name)\n            reporter = cov._get_file_reporter(name)\n            if fmt == "json" and hasattr(reporter, "code_regions"):\n                reporter.code_regions()\n        except Exception:\n            return name\n    return None\n\n\ndef write(cov: Any, outputs: Dict[str, str], show_contexts: bool,\n          morfs: Optional[List[str]] = None) -> List[Dict[str, Any]]:\n    """Each report asked for, in order; stops at the first that fails (named with its file)."""\n    steps: List[Dict[str, Any]] = []\n    for fmt, method, where in REPORTS:\n        if fmt not in outputs:\n            continue\n        options: Dict[str, Any] = {where: outputs[fmt], "morfs": morfs}\n        if show_contexts and fmt in SHOWS_CONTEXTS:\n            options["show_contexts"] = True\n        try:\n            getattr(cov, method)(**options)\n            steps.append({"step": fmt, "exit": 0, "output": ""})\n        except Exception as e:\n            text = printable(("%s: %s" % (type(e).__name__, e)).strip(), 2000)\n            steps.append({"step": fmt, "exit": 1, "output": text, "file": failing_file(cov, fmt, e)})\n            break\n    return steps\n\n\ndef report_all(cov: Any, outputs: Dict[str, str], show_contexts: bool, share: bool = True) -> Dict[str, Any]:\n    """Loads the data and writes the reports (with the contexts of each line in JSON and HTML when\n    `show_contexts`); returns the result\'s report fields and log lines."""\n    cov.load()\n    log: List[str] = []\n    # coverage.py cannot even list a file whose plugin is missing (a KeyError before any omit\n    # applies), so the reports get the other files by name (`morfs`, as `coverage json FILE...`).\n    unreportable = orphans(cov)\n    morfs = sorted(set(cov.get_data().measured_files()) - set(unreportable)) if unreportable else None\n    if unreportable:\n        log.append("%d measured file(s) need a plugin this image lacks (%s): left out"\n                   % (len(unreportable), some(unreportable)))\n    skipped = not_python(cov, unreportable)\n    if skipped:\n        log.append("%d measured file(s) are not Python (%s): left out, as coverage.py does" % (len(skipped), some(skipped)))\n    if share:\n        SharedAnalysis(cov)\n    steps = write(cov, outputs, show_contexts, morfs)\n    return {"steps": steps, "log": log, "orphans": unreportable[:SHOWN], "orphans_count": len(unreportable),\n            "not_python": skipped[:SHOWN], "not_python_count": len(skipped)}\n';

// src/remote/pycov_harvest_remote/screen.py
var screen_default = `"""Every data file is checked before coverage.py reads it, because a target made it and a target may
be compromised or broken. The check reads the file with Python's sqlite3 only (never the sqlite3
shell, whose \`writefile()\` a view could call), read-only and immutable, with a bound on the work:
a file that holds anything coverage.py never writes (a view, a trigger, another table), values of
the wrong type, or more rows than any service writes, is refused with one sentence. What coverage.py
then reads is a copy in the scratch directory, with the measured names that are not plausible file
names taken out (counted and reported per data file), and later the files the reports leave out."""

from __future__ import annotations

import os
import re
import sqlite3
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

# A longer name is no path (PATH_MAX).
MAX_NAME_LENGTH = 4096
# Per data file: our largest services (site-packages measured) record about 10,000 files.
MAX_MEASURED_FILES = 200_000
# Per data file: one context per test of a big suite.
MAX_CONTEXTS = 100_000
# One file's executed lines as coverage.py's numbits: 256 KiB holds line numbers up to two million.
MAX_NUMBITS_BYTES = 256 * 1024
# SQLite VM steps for the checks of one file (a few seconds), whatever the file holds.
STEP_BUDGET = 50_000_000
STEPS_PER_CALL = 10_000

COVERAGE_TABLES = ("coverage_schema", "meta", "file", "context", "line_bits", "arc", "tracer")
# C0, DEL, C1, the line and paragraph separators, and the bidi overrides that make a name read as
# another one.
UNSAFE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]")

# (query that counts offending rows, what they are): values of types coverage.py never writes.
TYPE_CHECKS = (
    ("SELECT count(*) FROM file WHERE typeof(id) != 'integer'", "file ids that are not integers"),
    ("SELECT count(*) FROM context WHERE typeof(id) != 'integer' OR typeof(context) != 'text'",
     "contexts that are not text"),
    ("SELECT count(*) FROM line_bits WHERE typeof(numbits) != 'blob' OR length(numbits) > %d" % MAX_NUMBITS_BYTES,
     "line records that are not coverage.py's numbits (or hold line numbers beyond two million)"),
    ("SELECT count(*) FROM arc WHERE typeof(fromno) != 'integer' OR typeof(tono) != 'integer'",
     "arcs whose line numbers are not integers"),
    ("SELECT count(*) FROM tracer WHERE typeof(tracer) != 'text'", "file tracers that are not text"),
    ("SELECT count(*) FROM meta WHERE typeof(key) != 'text' OR typeof(value) != 'text'",
     "meta entries that are not text"),
)


class Refused(Exception):
    """A data file that is not coverage.py's data, as one sentence (no text from the file in it)."""


class Screened:
    """A checked data file: the copy coverage.py reads, and what the check took out of it."""

    def __init__(self, original: str, copy: str, size: int, has_arcs: Optional[bool],
                 dropped: List[str]):
        self.original = original
        self.copy = copy
        self.size = size
        self.has_arcs = has_arcs
        self.dropped = dropped
        # Measured files taken out because their file tracer disagrees with the other data files.
        self.conflicts: List[str] = []


def plausible(name: Any) -> bool:
    """A file name coverage.py could have recorded: text, not empty, no longer than PATH_MAX, no
    control or bidi character, no \`..\` component (relative names come from \`relative_files\`)."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH or UNSAFE.search(name):
        return False
    return ".." not in name.split("/")


def printable(text: str, limit: int = 300) -> str:
    """Text for a one-line message: control and bidi characters as visible escapes, cut to \`limit\`."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    return UNSAFE.sub(lambda m: "\\\\u%04x" % ord(m.group(0)), cut)


def _budget(db: sqlite3.Connection) -> None:
    calls = [0]

    def tick() -> int:
        calls[0] += 1
        return 1 if calls[0] * STEPS_PER_CALL > STEP_BUDGET else 0

    db.set_progress_handler(tick, STEPS_PER_CALL)


def _count(db: sqlite3.Connection, query: str) -> int:
    return int(db.execute(query).fetchone()[0])


def _check(db: sqlite3.Connection) -> Optional[bool]:
    """Refuses what coverage.py never writes; returns whether the data holds arcs (None: empty)."""
    objects = db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger')").fetchall()
    foreign = sorted(kind for kind, name in objects if kind != "table")
    if foreign:
        raise Refused("holds a %s, which coverage.py never writes" % foreign[0])
    tables = set(name for _, name in objects)
    missing = [t for t in COVERAGE_TABLES if t not in tables]
    if missing:
        raise Refused("is not coverage.py data (it has no \`%s\` table)" % missing[0])
    extra = sorted(t for t in tables if t not in COVERAGE_TABLES and not str(t).startswith("sqlite_"))
    if extra:
        raise Refused("holds %d table(s) coverage.py never writes" % len(extra))
    version = db.execute("SELECT version FROM coverage_schema").fetchall()
    if len(version) != 1 or not isinstance(version[0][0], int):
        raise Refused("has no schema version coverage.py could have written")
    for table, bound in (("file", MAX_MEASURED_FILES), ("context", MAX_CONTEXTS)):
        rows = _count(db, "SELECT count(*) FROM %s" % table)
        if rows > bound:
            raise Refused("lists %d rows in its \`%s\` table, over the bound of %d" % (rows, table, bound))
    for query, what in TYPE_CHECKS:
        bad = _count(db, query)
        if bad:
            raise Refused("holds %d %s" % (bad, what))
    arcs = db.execute("SELECT value FROM meta WHERE key = 'has_arcs'").fetchall()
    return None if not arcs else arcs[0][0] not in ("0", "")


def screen(path: str, copy: str) -> Screened:
    """Checks the data file at \`path\` and writes the copy coverage.py reads to \`copy\`, without the
    measured names that are not plausible. Raises Refused (or sqlite3's error for a file that is no
    database at all)."""
    size = os.path.getsize(path)
    source = sqlite3.connect("file:%s?mode=ro&immutable=1" % quote(os.path.abspath(path)), uri=True)
    try:
        _budget(source)
        try:
            has_arcs = _check(source)
        except sqlite3.OperationalError as e:
            if "interrupted" in str(e):
                raise Refused("takes more than %d SQLite steps to check" % STEP_BUDGET) from None
            raise
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            dropped = drop_files(target, lambda name: not plausible(name))
        finally:
            target.close()
    finally:
        source.close()
    return Screened(path, copy, size, has_arcs, dropped)


def drop_files(db: sqlite3.Connection, unwanted: Callable[[Any], bool]) -> List[str]:
    """Deletes the measured files (and their lines, arcs and tracers) whose name is \`unwanted\`;
    returns their names."""
    rows: List[Tuple[int, Any]] = db.execute("SELECT id, path FROM file").fetchall()
    gone = [(file_id, name) for file_id, name in rows if unwanted(name)]
    if gone:
        ids = [(file_id,) for file_id, _ in gone]
        with db:
            for table in ("line_bits", "arc", "tracer"):
                db.executemany("DELETE FROM %s WHERE file_id = ?" % table, ids)
            db.executemany("DELETE FROM file WHERE id = ?", ids)
    return [name if isinstance(name, str) else repr(name) for _, name in gone]


def drop_from_copy(copy: str, unwanted: Callable[[str], bool]) -> List[str]:
    db = sqlite3.connect(copy)
    try:
        return drop_files(db, unwanted)
    finally:
        db.close()


def tracers_of(copy: str) -> Dict[str, str]:
    """Each measured file of a copy and the file tracer (plugin) its data names ('' for none)."""
    db = sqlite3.connect(copy)
    try:
        rows = db.execute("SELECT file.path, coalesce(tracer.tracer, '') FROM file "
                          "LEFT JOIN tracer ON tracer.file_id = file.id").fetchall()
        return {str(path): str(tracer) for path, tracer in rows}
    finally:
        db.close()


def named_entry(screened: Screened, names: List[str]) -> Dict[str, Any]:
    """The result's record of names taken out of one data file: the count and one example, printable."""
    return {"file": screened.original, "count": len(names), "example": printable(names[0], 120)}
`;

// src/remote/pycov_harvest_remote/shared_analysis.py
var shared_analysis_default = '"""One parse and one analysis per measured file for all the reports of one process, where that\ngives the very reports coverage.py gives without it.\n\ncoverage.py\'s `PythonFileReporter.parser` keeps its parser before parsing: after a first parse\nthat failed (a Jinja template, measured under its `.html` name, is not Python), a reused file\nreporter hands out a half-made parser, an analysis with no statements "succeeds", and the JSON\nreport\'s `code_regions` then raises a bare SyntaxError. So a file reporter is shared only while\nevery analysis of it has succeeded: a failure drops it, and the next report starts from a fresh\none and meets the same failure coverage.py meets (and skips, or reports, as it does)."""\n\nfrom __future__ import annotations\n\nfrom typing import Any, Dict, Tuple\n\n\nclass SharedAnalysis:\n    """Wraps `cov._get_file_reporter` and `cov._analyze` (coverage 7.4 to 7.18 shapes: `_analyze(fr)`\n    and `_analyze(morf, file_reporter=fr)`)."""\n\n    def __init__(self, cov: Any):\n        self.reporters: Dict[str, Any] = {}\n        self.analyses: Dict[int, Tuple[Any, Any]] = {}\n        self.morf_of: Dict[int, str] = {}\n        self._reporter: Any = getattr(cov, "_get_file_reporter", None)\n        self._analyze: Any = getattr(cov, "_analyze", None)\n        # A coverage.py without these hooks reports as it always does, each report on its own.\n        if callable(self._reporter) and callable(self._analyze):\n            cov._get_file_reporter = self.file_reporter\n            cov._analyze = self.analyze\n\n    def file_reporter(self, morf: Any) -> Any:\n        if not isinstance(morf, str):\n            return self._reporter(morf)\n        if morf not in self.reporters:\n            reporter = self._reporter(morf)\n            self.reporters[morf] = reporter\n            self.morf_of[id(reporter)] = morf\n        return self.reporters[morf]\n\n    def analyze(self, *args: Any, **kwargs: Any) -> Any:\n        reporter = kwargs.get("file_reporter")\n        if reporter is None and args and not isinstance(args[0], str):\n            reporter = args[0]\n        if reporter is None or id(reporter) not in self.morf_of:\n            return self._analyze(*args, **kwargs)\n        key = id(reporter)\n        if key not in self.analyses:\n            try:\n                self.analyses[key] = (reporter, self._analyze(*args, **kwargs))\n            except BaseException:\n                self.reporters.pop(self.morf_of.pop(key), None)\n                raise\n        return self.analyses[key][1]\n';

// src/remote/pycov_harvest_remote/signal_save.py
var signal_save_default = '"""The `signal` method: the configured save signal to agent processes and to\n`coverage run --save-signal` processes, then proof of a save made after it."""\n\nfrom __future__ import annotations\n\nimport os\nimport time\n\nfrom pycov_harvest import procfs, signames\n\nfrom pycov_harvest_remote import waiting\nfrom pycov_harvest_remote.processes import is_python\nfrom pycov_harvest_remote.registry import ack_since\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict, List, Tuple\n\n    from pycov_harvest_remote.processes import Process\n    from pycov_harvest_remote.registry import Registration\n\nPOLL = 0.05\n\n\ndef _agent_recipient_problem(reg: Registration, signal_name: str) -> str:\n    """Why this registration must not get the signal, or \'\' when it may."""\n    listens = reg.get("signal")\n    if listens is None:\n        return "its save signal is off (PYCOV_HARVEST_SIGNAL=off)"\n    if signames.parse_or_none(listens) != signames.parse(signal_name):\n        return "it listens to %s, not %s; set `signal: %s`" % (listens, signal_name, listens)\n    pid = reg["pid"]\n    argv = procfs.cmdline(pid)\n    if not argv or not is_python(pid, argv):\n        return "pid %d is not a Python process" % pid\n    env = procfs.environ(pid)\n    if env.get("PYCOV_HARVEST") != "1":\n        return "pid %d does not run the agent (no PYCOV_HARVEST=1 in its environment)" % pid\n    return ""\n\n\ndef _coverage_signal(proc: Process, signal_name: str) -> bool:\n    return signames.parse_or_none(proc["save_signal"]) == signames.parse(signal_name)\n\n\ndef save(data_dir: str, agents: List[Registration], processes: List[Process], signal_name: str,\n         timeout: float) -> Tuple[bool, str, Dict[str, Any]]:\n    """(confirmed, detail, facts for the attempt line)."""\n    signum = signames.parse(signal_name)\n    refused = []\n    recipients = []\n    for reg in agents:\n        problem = _agent_recipient_problem(reg, signal_name)\n        if problem:\n            refused.append("pid %d: %s" % (reg["pid"], problem))\n        else:\n            recipients.append(reg)\n    agent_pids = set(reg["pid"] for reg in agents)\n    plain = [p for p in processes if p["save_signal"] and p["pid"] not in agent_pids]\n    plain_ok = [p for p in plain if _coverage_signal(p, signal_name)]\n    refused += ["pid %d: `coverage run --save-signal=%s`, not %s; set `signal: SIG%s`"\n                % (p["pid"], p["save_signal"], signal_name, str(p["save_signal"]).upper().replace("SIG", ""))\n                for p in plain if p not in plain_ok]\n    if refused:\n        # Sending to the others would leave these processes\' data unsaved: never a partial "confirmed".\n        return False, "%s not sent: %s" % (signal_name, "; ".join(refused)), {}\n    if not recipients and not plain_ok:\n        return False, "no agent process and no `coverage run --save-signal` process to send %s to" % signal_name, {}\n    t0 = time.time()\n    sent, failed = [], []\n    for pid in [reg["pid"] for reg in recipients] + [p["pid"] for p in plain_ok]:\n        try:\n            os.kill(pid, signum)\n            sent.append(pid)\n        except OSError as e:\n            failed.append("pid %d: %s" % (pid, e.strerror or e))\n    deadline = t0 + timeout\n    pending = dict((reg["pid"], reg) for reg in recipients if reg["pid"] in sent)\n    acks = []\n    while pending and time.time() < deadline:\n        for pid, reg in list(pending.items()):\n            ack = ack_since(data_dir, reg, t0, procfs.environ(pid).get("PYCOV_HARVEST_TOKEN") or None)\n            if ack is not None:\n                acks.append(ack)\n                del pending[pid]\n            elif not procfs.alive(pid):\n                del pending[pid]\n                failed.append("pid %d exited before it acknowledged" % pid)\n        if pending:\n            time.sleep(POLL)\n    errors = [str(a.get("error")) for a in acks if a.get("error")]\n    files = waiting.wait_stable(data_dir, t0, deadline) if any(p["pid"] in sent for p in plain_ok) else []\n    facts = {"sent": sent, "acks": len(acks)}\n    if pending:\n        return False, "no acknowledgement from pid %s within %gs of %s" % (\n            ", ".join(str(p) for p in pending), timeout, signal_name), facts\n    if errors:\n        return False, "the save failed: %s" % errors[0], facts\n    if failed:\n        return False, "; ".join(failed), facts\n    if files is None:\n        return False, "no data file newer than %s within %gs" % (signal_name, timeout), facts\n    return True, "%d agent ack(s) and %d fresh data file(s) after %s" % (len(acks), len(files), signal_name), facts\n';

// src/remote/pycov_harvest_remote/sigterm.py
var sigterm_default = '"""Program `sigterm`, the last resort: SIGTERM to the Python server process(es)\n(never a non-Python PID 1), then, when no data comes within `escalate_after`\nseconds, the server\'s own force-quit, and proof of a save made after the first\nsignal, all within `timeout` seconds. Progress goes out line by line: the\ncontainer may stop, cutting this program off, once the server exits.\n\nEscalation (docs/action.md, "The sigterm method"): SIGINT to every process of\nthe server\'s tree that is still alive. uvicorn takes a SIGINT during its\ngraceful shutdown as "force quit": it stops waiting for connections, background\ntasks and the lifespan shutdown, and coverage\'s exit path saves. gunicorn\'s\nmaster takes SIGINT as its quick shutdown; hypercorn and a plain `coverage run`\nscript end on it (KeyboardInterrupt), and coverage saves at exit.\n\nBefore any signal, each uvicorn server that would save only at exit is looked at (force_quit.py):\nwhen no signal can end its shutdown while a connection is open (the force-quit table) and one is\nopen, nothing is signalled and the service keeps running."""\n\nfrom __future__ import annotations\n\nimport os\nimport signal\nimport time\n\nfrom pycov_harvest import procfs\n\nfrom pycov_harvest_remote import connections, force_quit, output, waiting\nfrom pycov_harvest_remote.processes import descendants, measured_by_coverage, python_processes\nfrom pycov_harvest_remote.registry import ack_since, registrations\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict, List, Optional\n\n    from pycov_harvest_remote.connections import Connection, Endpoint\n    from pycov_harvest_remote.processes import Process\n    from pycov_harvest_remote.registry import Registration\n\nPOLL = 0.1\n\n\ndef _send(pids: List[int], signum: int) -> List[str]:\n    errors = []\n    for pid in pids:\n        try:\n            os.kill(pid, signum)\n        except OSError as e:\n            errors.append("pid %d: %s" % (pid, e.strerror or e))\n    return errors\n\n\ndef _all_acked(data_dir: str, agents: List[Registration], t0: float) -> bool:\n    return bool(agents) and all(\n        ack_since(data_dir, reg, t0, procfs.environ(reg["pid"]).get("PYCOV_HARVEST_TOKEN") or None) is not None\n        for reg in agents\n    )\n\n\ndef _owners(procs: List[Process], pid: int) -> List[int]:\n    return [d["pid"] for d in descendants(procs, pid)]\n\n\ndef _look(procs: List[Process], servers: List[Process], agents: List[Registration], bound: float,\n          listening: Dict[int, List[Endpoint]]) -> Optional[str]:\n    """Emits what may hold each uvicorn server\'s shutdown (`fastapi run` runs one too), and keeps\n    its listeners in `listening`; returns the reason not to signal when a server cannot be stopped\n    and a connection is open. A server whose agent saves on SIGTERM needs none of this: the agent\n    saves before the shutdown."""\n    saved_by_agent = set(reg["pid"] for reg in agents)\n    for server in servers:\n        pid, owners = server["pid"], _owners(procs, server["pid"])\n        if not measured_by_coverage(server) or saved_by_agent & set([pid] + owners):\n            continue\n        facts = connections.server_facts(pid)\n        if server["server"] != "uvicorn" and facts["loop"] is None:\n            continue  # neither uvicorn\'s command line nor `fastapi run`/`fastapi dev`\n        stuck = force_quit.cannot_force_quit(facts)\n        event = {"pid": pid, "python": facts["python"], "uvicorn": facts["uvicorn"], "loop": facts["loop"],\n                 "graceful": facts["graceful_timeout"], "cannot_force_quit": stuck}\n        try:\n            listening[pid], _ = connections.open_connections(pid, owners)\n            keep_alive = force_quit.keep_alive(procfs.cmdline(pid), procfs.environ(pid))\n            found = (force_quit.holding(pid, owners, keep_alive, bound) if stuck\n                     else force_quit.candidates(pid, owners))\n        except OSError as e:\n            output.emit("connections", error="cannot read its open files (%s)" % (e.strerror or e),\n                        listeners=[], connections=[], **event)\n            continue\n        output.emit("connections", listeners=[connections.show(on) for on in listening[pid]],\n                    connections=force_quit.shown(found), **event)\n        if stuck and found:\n            reason = force_quit.cannot_stop_reason(facts, found)\n            output.emit("result", confirmed=False, sent=False, exited=False, files=[], stuck=True,\n                        held=force_quit.shown(found), reason=reason)\n            return reason\n    return None\n\n\ndef _holders(procs: List[Process], servers: List[Process], listening: Dict[int, List[Endpoint]]) -> List[Connection]:\n    """The open connections of the uvicorn servers still running, for a shutdown that hangs."""\n    found: List[Connection] = []\n    for server in servers:\n        if server["pid"] in listening and procfs.alive(server["pid"]):\n            try:\n                found += force_quit.candidates(server["pid"], _owners(procs, server["pid"]),\n                                               listening[server["pid"]])\n            except OSError:\n                pass  # exited meanwhile: nothing to name\n    return found\n\n\ndef main(args: Dict[str, Any]) -> int:\n    data_dir = output.require(args, "data_dir", str)\n    timeout = float(output.require(args, "timeout", (int, float)))\n    escalate_after = float(output.require(args, "escalate_after", (int, float)))\n    procs = python_processes()\n    agents = [reg for reg in registrations(data_dir)[0] if reg.get("sigterm") is True]\n    measured = [p for p in procs if measured_by_coverage(p)]\n    if not agents and not measured:\n        output.emit("result", confirmed=False, sent=False, exited=False, files=[], reason=(\n            "nothing in the target would save on SIGTERM (no agent registered in %s/.pycov-harvest and no "\n            "process runs under `coverage run`), so the service was not stopped; use the agent "\n            "(PYCOV_HARVEST=1) or run the server under `coverage run` with `[run] sigterm = true`" % data_dir))\n        return output.EXIT_OK\n    tops = [p for p in procs if p["top"]]\n    servers = [p for p in tops if p["server"] or measured_by_coverage(p) or p["agent_env"]] or tops\n    pids = [p["pid"] for p in servers]\n    listening: Dict[int, List[Endpoint]] = {}\n    if _look(procs, servers, agents, timeout / 2, listening) is not None:\n        return output.EXIT_OK\n    t0 = time.time()\n    errors = _send(pids, signal.SIGTERM)\n    output.emit("sent", t0=t0, pids=pids, signal="SIGTERM", errors=errors,\n                servers=[p["server"] for p in servers], graceful=[p["graceful_timeout"] for p in servers])\n    deadline = t0 + timeout\n    escalated: List[int] = []\n    files = None\n    acked = False\n    while time.time() < deadline:\n        if _all_acked(data_dir, agents, t0):\n            acked = True\n            files = waiting.fresh_files(data_dir, t0)\n            break\n        alive = [pid for pid in pids if procfs.alive(pid)]\n        if not alive:\n            # The server is gone: coverage wrote at exit, or never will.\n            files = waiting.wait_stable(data_dir, t0, min(deadline, time.time() + 2.0))\n            break\n        if not escalated and time.time() >= t0 + escalate_after and not waiting.fresh_files(data_dir, t0):\n            tree: List[Process] = [p for p in servers if p["pid"] in alive]\n            for top in list(tree):\n                tree += descendants(procs, top["pid"])\n            escalated = [p["pid"] for p in tree if procfs.alive(p["pid"])]\n            output.emit("escalated", after=round(time.time() - t0, 3), pids=escalated, signal="SIGINT",\n                        errors=_send(escalated, signal.SIGINT))\n        time.sleep(POLL)\n    exited = not any(procfs.alive(pid) for pid in pids)\n    held: List[Connection] = []\n    still = "" if exited else "; the process is still running"\n    if acked:\n        reason = "%d agent process(es) saved on SIGTERM%s" % (len(agents), still)\n    elif files:\n        reason = "%d fresh data file(s) after SIGTERM%s%s" % (\n            len(files), " and SIGINT (force quit)" if escalated else "", still)\n    elif exited:\n        reason = ("the server exited without writing a data file; set `[run] sigterm = true` in its coverage "\n                  "configuration, or use the agent (PYCOV_HARVEST=1)")\n    else:\n        held = _holders(procs, servers, listening)\n        reason = ("no data file within %gs of SIGTERM%s and the server is still running: its shutdown hangs%s; "\n                  "use the agent (PYCOV_HARVEST=1), which saves before the shutdown begins, or give "\n                  "the server a graceful-shutdown timeout (uvicorn: `--timeout-graceful-shutdown 5`)" % (\n                      timeout, " and SIGINT" if escalated else "", force_quit.held_clause(held) if held else ""))\n    output.emit("result", confirmed=acked or bool(files), sent=True, reason=reason, t0=t0,\n                files=files or [], exited=exited, escalated=escalated,\n                held=force_quit.shown(held))\n    return output.EXIT_OK\n';

// src/remote/pycov_harvest_remote/sockdiag.py
var sockdiag_default = '"""What the kernel knows about each TCP connection beyond /proc/net/tcp: bytes received, and how long\nago data last went each way (struct tcp_info, through the sock_diag netlink interface that `ss -ti`\nuses). It tells a connection that never carried a request, or whose response ended, from one whose\nresponse is still being sent. Needs no privilege for the sockets of this network namespace.\nStandard library only, Python 3.8+; Linux only (None elsewhere or when netlink is refused)."""\n\nfrom __future__ import annotations\n\nimport socket\nimport struct\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Dict, Optional, TypedDict\n\n    class TcpInfo(TypedDict):\n        bytes_received: int\n        bytes_acked: int\n        last_sent_ms: int  # since data last left this socket\n        last_received_ms: int  # since data last came in\n\n# linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h\nNETLINK_SOCK_DIAG = 4\nSOCK_DIAG_BY_FAMILY = 20\nNLM_F_REQUEST, NLM_F_DUMP = 0x01, 0x300\nNLMSG_ERROR, NLMSG_DONE = 2, 3\nINET_DIAG_INFO = 2\nALL_STATES = 0xFFF\nNLMSG_HEADER = struct.Struct("=IHHII")  # len, type, flags, seq, pid\n# inet_diag_req_v2: family, protocol, ext, pad, states, then inet_diag_sockid (48 bytes, zero).\nREQUEST = struct.Struct("=BBBBI48x")\n# inet_diag_msg: family, state, timer, retrans, sockid (48), expires, rqueue, wqueue, uid, inode.\nMESSAGE = struct.Struct("=BBBB48xIIIII")\nRTATTR = struct.Struct("=HH")\n# struct tcp_info: 8 bytes of u8 fields, then u32s (last_data_sent is the 10th, last_data_recv the\n# 12th), then from byte 104 u64 pacing_rate, max_pacing_rate, bytes_acked, bytes_received.\nTCP_INFO_MIN = 136\nRECV_TIMEOUT = 2.0\n\n\ndef _align(n: int) -> int:\n    return (n + 3) & ~3\n\n\ndef _parse_info(raw: bytes) -> Optional[TcpInfo]:\n    if len(raw) < TCP_INFO_MIN:\n        return None  # a kernel older than 4.1 has no bytes_received\n    last_sent, _, last_received = struct.unpack_from("=III", raw, 8 + 9 * 4)\n    bytes_acked, bytes_received = struct.unpack_from("=QQ", raw, 120)\n    return {"bytes_received": bytes_received, "bytes_acked": bytes_acked, "last_sent_ms": last_sent,\n            "last_received_ms": last_received}\n\n\ndef _messages(data: bytes, found: Dict[int, TcpInfo]) -> bool:\n    """Parses one netlink datagram into `found` (by socket inode); True at the end of the dump."""\n    offset = 0\n    while offset + NLMSG_HEADER.size <= len(data):\n        length, kind = NLMSG_HEADER.unpack_from(data, offset)[:2]\n        if length < NLMSG_HEADER.size:\n            return True\n        if kind in (NLMSG_DONE, NLMSG_ERROR):\n            return True\n        body = offset + NLMSG_HEADER.size\n        inode = MESSAGE.unpack_from(data, body)[-1]\n        attr = body + MESSAGE.size\n        while attr + RTATTR.size <= offset + length:\n            size, kind = RTATTR.unpack_from(data, attr)\n            if size < RTATTR.size:\n                break\n            if kind == INET_DIAG_INFO:\n                info = _parse_info(data[attr + RTATTR.size:attr + size])\n                if info is not None and inode:\n                    found[inode] = info\n            attr += _align(size)\n        offset += _align(length)\n    return False\n\n\ndef tcp_info_by_inode() -> Optional[Dict[int, TcpInfo]]:\n    """tcp_info of every IPv4 and IPv6 TCP socket of this network namespace, by socket inode; None\n    when the kernel or a seccomp profile refuses the netlink socket."""\n    found: Dict[int, TcpInfo] = {}\n    try:\n        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)\n    except (OSError, AttributeError):\n        return None\n    with sock:\n        sock.settimeout(RECV_TIMEOUT)\n        try:\n            for seq, family in enumerate((socket.AF_INET, socket.AF_INET6), 1):\n                request = REQUEST.pack(family, socket.IPPROTO_TCP, 1 << (INET_DIAG_INFO - 1), 0, ALL_STATES)\n                header = NLMSG_HEADER.pack(NLMSG_HEADER.size + len(request), SOCK_DIAG_BY_FAMILY,\n                                           NLM_F_REQUEST | NLM_F_DUMP, seq, 0)\n                sock.send(header + request)\n                while not _messages(sock.recv(65536), found):\n                    pass\n        except OSError:\n            return None\n    return found\n';

// src/remote/pycov_harvest_remote/token.py
var token_default = '"""Program `token`: the token of the process that owns the agent\'s listener on\n`port`, asked for only after that listener answered 401 through a\nport-forward (so the token leaves the target only when it is needed)."""\n\nfrom __future__ import annotations\n\n\nfrom pycov_harvest_remote import local_http, output\nfrom pycov_harvest_remote.registry import registrations\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:  # the typing module is not imported at run time\n    from typing import Any, Dict\n\n\ndef main(args: Dict[str, Any]) -> int:\n    data_dir = output.require(args, "data_dir", str)\n    port = output.require(args, "port", int)\n    agents, _ = registrations(data_dir)\n    owner = next((reg for reg in agents if reg.get("port") == port), None)\n    output.emit("token", token=local_http.token_of(owner) if owner is not None else None)\n    return output.EXIT_OK\n';

// src/remote/pycov_harvest_remote/waiting.py
var waiting_default = `"""Waiting for data files written after a trigger."""

from __future__ import annotations

import os
import time

from pycov_harvest import datafiles

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional

# File times come from the kernel's coarse clock, which trails time.time() by up
# to a few milliseconds: a save made right after the trigger can carry an mtime
# just before it.
MTIME_SLACK = 0.05
POLL = 0.2


def fresh_files(data_dir: str, t0: float) -> List[Dict[str, object]]:
    accepted, _ = datafiles.scan(data_dir)
    return [f for f in accepted if float(f["mtime"]) >= t0 - MTIME_SLACK]  # type: ignore[arg-type]


def _journal_pending(data_dir: str, names: List[str]) -> bool:
    """SQLite still has a side file beside one of these data files (a save in progress)."""
    return any(
        os.path.exists(os.path.join(data_dir, name + suffix))
        for name in names
        for suffix in datafiles.SIDE_SUFFIXES
    )


def wait_stable(data_dir: str, t0: float, deadline: float) -> Optional[List[Dict[str, object]]]:
    """Polls for whole data files written at or after t0 until none changes
    between two polls; None when none came before the deadline."""
    last = None
    while True:
        fresh = fresh_files(data_dir, t0)
        snapshot = sorted((str(f["name"]), f["size"], f["mtime"]) for f in fresh)
        if fresh and snapshot == last and not _journal_pending(data_dir, [str(f["name"]) for f in fresh]):
            return fresh
        if time.time() >= deadline:
            return None
        last = snapshot
        time.sleep(POLL)
`;

// src/remote/programs.ts
var MODULES = {
  // Only the agent's shared modules travel, never the agent itself.
  pycov_harvest: "# The agent's standard-library-only modules shared with these programs.\n",
  "pycov_harvest.auth": auth_default,
  "pycov_harvest.datafiles": datafiles_default,
  "pycov_harvest.procfs": procfs_default,
  "pycov_harvest.signames": signames_default,
  "pycov_harvest.tarstream": tarstream_default,
  pycov_harvest_remote: init_default,
  "pycov_harvest_remote.attach": attach_default,
  "pycov_harvest_remote.attach_arch": attach_arch_default,
  "pycov_harvest_remote.attach_elf": attach_elf_default,
  "pycov_harvest_remote.attach_inject": attach_inject_default,
  "pycov_harvest_remote.attach_point": attach_point_default,
  "pycov_harvest_remote.attach_program": attach_program_default,
  "pycov_harvest_remote.attach_ptrace": attach_ptrace_default,
  "pycov_harvest_remote.attach_remote": attach_remote_default,
  "pycov_harvest_remote.attach_target": attach_target_default,
  "pycov_harvest_remote.attach_wake": attach_wake_default,
  "pycov_harvest_remote.combine": combine_default,
  "pycov_harvest_remote.context": context_default,
  "pycov_harvest_remote.context_relay": context_relay_default,
  "pycov_harvest_remote.connections": connections_default,
  "pycov_harvest_remote.context_marks": context_marks_default,
  "pycov_harvest_remote.convert": convert_default,
  "pycov_harvest_remote.coverage_install": coverage_install_default,
  "pycov_harvest_remote.diagnosis": diagnosis_default,
  "pycov_harvest_remote.force_quit": force_quit_default,
  "pycov_harvest_remote.harvest": harvest_default,
  "pycov_harvest_remote.local_http": local_http_default,
  "pycov_harvest_remote.output": output_default,
  "pycov_harvest_remote.pathmap": pathmap_default,
  "pycov_harvest_remote.processes": processes_default,
  "pycov_harvest_remote.project_config": project_config_default,
  "pycov_harvest_remote.project_paths": project_paths_default,
  "pycov_harvest_remote.registry": registry_default,
  "pycov_harvest_remote.reporting": reporting_default,
  "pycov_harvest_remote.screen": screen_default,
  "pycov_harvest_remote.shared_analysis": shared_analysis_default,
  "pycov_harvest_remote.signal_save": signal_save_default,
  "pycov_harvest_remote.sigterm": sigterm_default,
  "pycov_harvest_remote.sockdiag": sockdiag_default,
  "pycov_harvest_remote.token": token_default,
  "pycov_harvest_remote.waiting": waiting_default
};
var PROGRAMS = {
  harvest: "pycov_harvest_remote.harvest",
  sigterm: "pycov_harvest_remote.sigterm",
  token: "pycov_harvest_remote.token",
  convert: "pycov_harvest_remote.convert",
  install: "pycov_harvest_remote.coverage_install",
  context: "pycov_harvest_remote.context",
  context_relay: "pycov_harvest_remote.context_relay",
  attach: "pycov_harvest_remote.attach"
};
var PACKAGES = ["pycov_harvest", "pycov_harvest_remote"];
var LOADER = [
  "import json,os,sys,zlib",
  'os.environ["PYCOV_HARVEST"]="0"',
  'for k in ("COVERAGE_PROCESS_START","COVERAGE_PROCESS_CONFIG"):os.environ.pop(k,None)',
  "p=sys.argv.pop(1)",
  'b=json.loads(zlib.decompress(sys.stdin.buffer.read() if p=="-" else __import__("base64").urlsafe_b64decode(sys.stdin.buffer.readline().strip()+b"="*3) if p=="+" else __import__("base64").urlsafe_b64decode(p+"="*(-len(p)%4))))',
  'for n,s in b["m"]:',
  ' m=sys.modules.get(n) or type(sys)(n);m.__file__="<"+n.replace(".","/")+".py>";sys.modules[n]=m',
  ' if n in b["p"]:m.__path__=[]',
  ' a,_,c=n.rpartition(".")',
  " if a:setattr(sys.modules[a],c,m)",
  "def h(*e):",
  " import linecache",
  ' for n,s in b["m"]:f=sys.modules[n].__file__;linecache.cache[f]=(len(s),None,s.splitlines(True),f)',
  " sys.__excepthook__(*e)",
  "sys.excepthook=h",
  'for n,s in b["m"]:exec(compile(s,sys.modules[n].__file__,"exec"),sys.modules[n].__dict__)',
  'sys.exit(sys.modules["pycov_harvest_remote.output"].run(sys.modules[b["e"]].main))'
].join("\n");
var IMPORT = /^[ \t]*(?:from[ \t]+(pycov_harvest(?:_remote)?)((?:\.\w+)?)[ \t]+import[ \t]+(\([\w\s,]+\)|[\w \t,]+)|import[ \t]+(pycov_harvest(?:_remote)?\.\w+))/gm;
function importsOf(name) {
  const source = MODULES[name];
  if (source === void 0) throw new Error(`no Python module ${name} in the bundle`);
  const found = /* @__PURE__ */ new Set();
  for (const match of source.matchAll(IMPORT)) {
    const [, pkg, sub, names, plain] = match;
    if (plain !== void 0) {
      found.add(plain);
    } else if (pkg !== void 0 && sub) {
      found.add(`${pkg}${sub}`);
    } else if (pkg !== void 0 && names !== void 0) {
      for (const item of names.replace(/[()]/g, "").split(",")) {
        const module = `${pkg}.${item.trim().split(/\s+/)[0] ?? ""}`;
        if (MODULES[module] !== void 0) found.add(module);
      }
    }
  }
  for (const module of found) {
    if (MODULES[module] === void 0)
      throw new Error(`${name} imports ${module}, which is not in the bundle`);
  }
  return [...found];
}
function modulesOf(entry) {
  const ordered = [];
  const visit = (name, path) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`import cycle: ${[...path, name].join(" -> ")}`);
    for (const dependency of importsOf(name)) visit(dependency, [...path, name]);
    ordered.push(name);
  };
  visit("pycov_harvest_remote.output", []);
  visit(entry, []);
  const packages = PACKAGES.filter((pkg) => MODULES[pkg] !== void 0);
  return [...packages, ...ordered.filter((name) => !packages.includes(name))];
}
var payloads = /* @__PURE__ */ new Map();
function payloadOf(program) {
  let payload = payloads.get(program);
  if (payload === void 0) {
    const entry = PROGRAMS[program];
    const modules = modulesOf(entry).map((name) => [name, MODULES[name] ?? ""]);
    const json2 = JSON.stringify({ m: modules, p: PACKAGES, e: entry });
    payload = deflateSync(Buffer.from(json2), { level: 9 });
    payloads.set(program, payload);
  }
  return payload;
}
function invocation(python, program, args, transport = "stdin") {
  const payload = payloadOf(program);
  const head = [python, "-S", "-c", LOADER];
  if (transport === "line")
    return {
      argv: [...head, "+", JSON.stringify(args)],
      firstLine: `${payload.toString("base64url")}
`
    };
  return transport === "stdin" ? { argv: [...head, "-", JSON.stringify(args)], stdin: payload } : { argv: [...head, payload.toString("base64url"), JSON.stringify(args)] };
}

// src/harvest/tar-format.ts
var BLOCK = 512;
var UnsafeArchiveError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "UnsafeArchiveError";
  }
};
function field(header, start2, length) {
  const raw = header.subarray(start2, start2 + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString("utf8");
}
function numeric(header, start2, length) {
  const first = header[start2] ?? 0;
  if (first & 128) {
    let value = first & 127;
    for (let i = start2 + 1; i < start2 + length; i++) value = value * 256 + (header[i] ?? 0);
    return value;
  }
  const text2 = field(header, start2, length).trim();
  if (text2 === "") return 0;
  if (!/^[0-7]+$/.test(text2))
    throw new UnsafeArchiveError(`not a tar stream (bad number ${quoted(text2, 20)})`);
  return parseInt(text2, 8);
}
function checksumOk(header) {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i] ?? 0;
  return sum === stored;
}
function parsePax(data) {
  const records = /* @__PURE__ */ new Map();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(32, offset);
    if (space < 0) break;
    const length = Number(data.subarray(offset, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0)
      throw new UnsafeArchiveError("malformed pax header");
    const record3 = data.subarray(space + 1, offset + length - 1).toString("utf8");
    const eq = record3.indexOf("=");
    if (eq > 0) records.set(record3.slice(0, eq), record3.slice(eq + 1));
    offset += length;
  }
  return records;
}
function safeEntryName(raw) {
  if (raw.includes("\0") || raw.includes("\\"))
    throw new UnsafeArchiveError(`unsafe entry name ${quoted(raw)} (NUL or backslash)`);
  if (raw.startsWith("/")) throw new UnsafeArchiveError(`absolute entry name ${quoted(raw)}`);
  const parts = raw.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new UnsafeArchiveError(`entry name with \`..\`: ${quoted(raw)}`);
  return parts.join("/");
}
var TYPE_NAMES = {
  "1": "hard link",
  "2": "symbolic link",
  "3": "character device",
  "4": "block device",
  "6": "FIFO",
  "7": "contiguous file"
};

// src/harvest/tar-reader.ts
var BLOCK2 = 512;
var MAX_META_BYTES = 1024 * 1024;
var TarReader = class {
  constructor(limits, handlers) {
    this.limits = limits;
    this.handlers = handlers;
  }
  limits;
  handlers;
  state = { kind: "header" };
  pending = Buffer.alloc(0);
  total = 0;
  entries = 0;
  offset = 0;
  longName;
  pax = /* @__PURE__ */ new Map();
  globalPax = /* @__PURE__ */ new Map();
  push(chunk) {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      const state = this.state;
      if (state.kind === "done") return;
      if (state.kind === "data") {
        const take = Math.min(state.remaining, data.length);
        state.sink?.write(data.subarray(0, take));
        state.remaining -= take;
        data = data.subarray(take);
        this.offset += take;
        if (state.remaining === 0) this.endEntry(state);
        continue;
      }
      if (state.kind === "pad") {
        const take = Math.min(state.remaining, data.length);
        state.remaining -= take;
        data = data.subarray(take);
        this.offset += take;
        if (state.remaining === 0) this.state = { kind: "header" };
        continue;
      }
      const need = state.kind === "header" ? BLOCK2 : state.size;
      if (data.length < need) {
        this.pending = Buffer.from(data);
        return;
      }
      const block = data.subarray(0, need);
      data = data.subarray(need);
      if (state.kind === "header") this.header(block);
      else this.meta(state.typeflag, block);
      this.offset += need;
    }
  }
  /** The stream ended: it must not end inside an entry. */
  end() {
    const state = this.state;
    if (state.kind === "done" || state.kind === "header" && this.pending.length === 0) return;
    if (state.kind === "pad" && state.remaining > 0 && this.pending.length === 0) {
      return;
    }
    throw new UnsafeArchiveError("truncated tar stream");
  }
  endEntry(state) {
    state.sink?.close();
    const pad = (BLOCK2 - this.offset % BLOCK2) % BLOCK2;
    this.state = pad > 0 ? { kind: "pad", remaining: pad } : { kind: "header" };
  }
  header(header) {
    if (header.every((byte) => byte === 0)) {
      this.state = { kind: "done" };
      return;
    }
    if (!checksumOk(header))
      throw new UnsafeArchiveError(`not a tar stream (bad header checksum at byte ${this.offset})`);
    this.count();
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const size = Number(
      this.pax.get("size") ?? this.globalPax.get("size") ?? numeric(header, 124, 12)
    );
    if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
      if (!(size <= MAX_META_BYTES))
        throw new UnsafeArchiveError(
          `a ${size}-byte tar metadata record, over the ${MAX_META_BYTES}-byte bound of one`
        );
      this.state = size > 0 ? { kind: "meta", typeflag, size } : { kind: "header" };
      if (size === 0) this.afterMeta(typeflag, Buffer.alloc(0));
      return;
    }
    const prefix = field(header, 345, 155);
    const shortName = field(header, 0, 100);
    const rawName = this.pax.get("path") ?? this.longName ?? (prefix && header.subarray(257, 262).toString() === "ustar" ? `${prefix}/${shortName}` : shortName);
    const mtime = Number(this.pax.get("mtime") ?? numeric(header, 136, 12));
    this.pax = /* @__PURE__ */ new Map();
    this.longName = void 0;
    if (!Number.isSafeInteger(size) || size < 0)
      throw new UnsafeArchiveError(`entry ${quoted(rawName)} has no valid size`);
    const special = TYPE_NAMES[typeflag];
    if (special !== void 0) return this.special(rawName, special, size);
    if (typeflag !== "0" && typeflag !== "\0" && typeflag !== "5") {
      throw new UnsafeArchiveError(
        `unsupported entry type ${quoted(typeflag)} for ${quoted(rawName)} in the archive`
      );
    }
    const name = safeEntryName(rawName);
    if (typeflag === "5") {
      this.handlers.onDirectory?.({ name, type: "directory", mtime, size: 0 });
      this.state = { kind: "header" };
      return;
    }
    if (name === "") throw new UnsafeArchiveError("a file entry without a name");
    this.charge(rawName, size);
    const sink = this.handlers.onFile({ name, type: "file", mtime, size });
    this.startData(size, sink);
  }
  /** One more entry, within the bound. */
  count() {
    const max = this.limits.maxEntries;
    if (max !== void 0 && ++this.entries > max)
      throw new UnsafeArchiveError(`the archive holds more than ${max} entries`);
  }
  /** A file's announced size, within the bound of one file and of all together. */
  charge(rawName, size) {
    const one = this.limits.maxFileBytes;
    if (one !== void 0 && size > one)
      throw new UnsafeArchiveError(
        `entry ${quoted(rawName)} announces ${size} bytes, over the ${one}-byte bound of one data file`
      );
    this.total += size;
    if (this.total > this.limits.maxBytes)
      throw new UnsafeArchiveError(
        `archive holds more than ${this.limits.maxBytes} bytes of files (at entry ${quoted(rawName)})`
      );
  }
  special(rawName, kind, size) {
    if (this.limits.special !== "skip")
      throw new UnsafeArchiveError(`${kind} ${quoted(rawName)} in the archive`);
    const name = safeEntryName(rawName);
    this.charge(rawName, size);
    this.handlers.onSpecial?.(name, kind);
    this.startData(size, void 0);
  }
  startData(size, sink) {
    this.state = { kind: "data", remaining: size, sink };
    if (size === 0) this.endEntry(this.state);
  }
  meta(typeflag, data) {
    this.afterMeta(typeflag, data);
    const pad = (BLOCK2 - data.length % BLOCK2) % BLOCK2;
    this.state = pad > 0 ? { kind: "pad", remaining: pad } : { kind: "header" };
  }
  afterMeta(typeflag, data) {
    if (typeflag === "x") this.pax = parsePax(data);
    else if (typeflag === "g") this.globalPax = parsePax(data);
    else if (typeflag === "L") this.longName = data.toString("utf8").replace(/\0+$/, "");
  }
};

// src/harvest/extract.ts
function parseTar(archive, maxBytes) {
  const entries = [];
  const reader = new TarReader(
    { maxBytes },
    {
      onFile: (header) => {
        const chunks = [];
        return {
          write: (chunk) => chunks.push(Buffer.from(chunk)),
          close: () => entries.push({ ...header, data: Buffer.concat(chunks) })
        };
      },
      onDirectory: (header) => entries.push({ ...header, data: Buffer.alloc(0) })
    }
  );
  reader.push(archive);
  reader.end();
  return entries;
}

// src/remote/run.ts
var argvOnly = /* @__PURE__ */ new WeakSet();
var besideArgvOnly = /* @__PURE__ */ new WeakSet();
function isMissingInterpreter(run) {
  return run.exitCode === EXIT.notFound || run.exitCode === EXIT.notExecutable || /executable file not found|no such file or directory|not found in \$PATH/i.test(run.stderr);
}
async function runProgram(target, python, program, args, options) {
  const noStdin = options.beside === void 0 ? argvOnly : besideArgvOnly;
  const transport = noStdin.has(target) ? "argv" : "stdin";
  const { argv, stdin } = invocation(python, program, args, transport);
  const began = performance.now();
  const splitter = new OutputSplitter(program, options.onTar);
  let splitError;
  let result;
  try {
    const execOptions = {
      timeoutMs: options.timeoutMs,
      ...options.maxStdoutBytes === void 0 ? {} : { maxStdoutBytes: options.maxStdoutBytes },
      ...stdin === void 0 ? {} : { stdin },
      onStdout: (chunk) => {
        if (splitError !== void 0) return;
        try {
          splitter.push(chunk);
        } catch (error) {
          splitError = error;
        }
      }
    };
    result = await start(target, argv, execOptions, options.beside);
  } catch (error) {
    if (!(error instanceof StdinUnsupportedError)) throw error;
    debug(`${target.label}: ${error.message}; sending programs inside argv`);
    noStdin.add(target);
    return runProgram(target, python, program, args, options);
  }
  const ms = Math.round(performance.now() - began);
  debug(
    `${target.label}: \`${python} -S -c <loader> <${program}>\` (${transport}) exit ${result.exitCode} in ${ms} ms`
  );
  if (result.stdout.length > 0 && splitError === void 0) splitter.push(result.stdout);
  if (splitError !== void 0) throw splitError;
  const output = result.exitCode === EXIT.ok || result.exitCode >= 128 || result.exitCode < 0 ? splitter.output() : { events: [], tarStarted: false };
  return { program, python, exitCode: result.exitCode, output, stderr: result.stderr };
}
function start(target, argv, options, beside) {
  if (beside === void 0) return target.exec(argv, options);
  if (target.runBeside === void 0)
    throw new Error(`${target.kind} targets have no injector container`);
  return target.runBeside(argv, { ...options, ...beside });
}
function failureOf(run, label) {
  if (run.exitCode === EXIT.ok) return void 0;
  if (run.exitCode === EXIT.badArguments)
    return `the in-target program \`${run.program}\` refused its arguments in ${label} (${lastLine(run.stderr)}); this is a bug in pycov-harvest, please report it with the step's log`;
  if (run.exitCode === EXIT.crashed)
    return `the in-target program \`${run.program}\` failed in ${label} with \`${run.python}\` (${lastLine(run.stderr)}); check that \`${run.python}\` is a working Python 3.8 or later`;
  if (isMissingInterpreter(run))
    return `\`${run.python}\` cannot be run in ${label} (${lastLine(run.stderr)})`;
  return `the in-target program \`${run.program}\` was cut off in ${label} (exit ${run.exitCode}: ${lastLine(run.stderr)})`;
}

// src/harvest/session.ts
var INTERPRETERS = ["python3", "python"];
var VENV_INTERPRETERS = [
  "/app/.venv/bin/python",
  "/opt/venv/bin/python",
  "/venv/bin/python"
];
var MAX_REGISTRY_BYTES = 1024 * 1024;
var NoInterpreterError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "NoInterpreterError";
  }
};
var TargetSession = class {
  constructor(target, dataDir) {
    this.target = target;
    this.dataDir = dataDir;
  }
  target;
  dataDir;
  /** The interpreter that ran the first program; later programs use it too. */
  python;
  /** Interpreters agents registered (from a port-forward's status), tried after the usual names. */
  registered = [];
  /** Runs a program with the known interpreter, or finds one: the first that exists runs it. */
  async run(program, args, options) {
    if (this.python !== void 0)
      return runProgram(this.target, this.python, program, args, options);
    const tried = [];
    const candidates = [...INTERPRETERS];
    for (let i = 0; i < candidates.length; i++) {
      const python = candidates[i] ?? "python3";
      const run = await runProgram(this.target, python, program, args, options);
      if (!isMissingInterpreter(run)) {
        this.python = python;
        return run;
      }
      tried.push(python);
      if (i === INTERPRETERS.length - 1) {
        const more = [
          ...this.registered,
          ...await this.registeredFromOutside(),
          ...VENV_INTERPRETERS
        ];
        candidates.push(
          ...more.filter((p, at) => !candidates.includes(p) && more.indexOf(p) === at)
        );
      }
    }
    throw new NoInterpreterError(
      `${this.target.label} has no Python interpreter (tried ${tried.join(", ")}); pycov-harvest runs the target's own Python, so put python3 on the image's PATH`
    );
  }
  /** The program's failure as an Error, when it did not complete. */
  check(run) {
    const failure = failureOf(run, this.target.label);
    if (failure !== void 0) throw new Error(failure);
    return run;
  }
  /** Interpreters in the agent's registrations, read from outside the target where it can. */
  async registeredFromOutside() {
    if (this.target.copyFromOutside === void 0) return [];
    try {
      const chunks = [];
      await this.target.copyFromOutside(
        `${this.dataDir}/.pycov-harvest`,
        MAX_REGISTRY_BYTES,
        (chunk) => chunks.push(Buffer.from(chunk))
      );
      const entries = parseTar(Buffer.concat(chunks), MAX_REGISTRY_BYTES);
      return entries.flatMap((entry) => {
        if (entry.type !== "file" || !/^proc-[^/]+\.json$/.test(entry.name)) return [];
        try {
          const executable = JSON.parse(entry.data.toString("utf8")).executable;
          return typeof executable === "string" && executable.startsWith("/") ? [executable] : [];
        } catch {
          return [];
        }
      });
    } catch {
      return [];
    }
  }
};

export {
  maskSecretsWith,
  secret,
  UnsafeArchiveError,
  MAX_BYTES_PER_TARGET,
  MAX_BYTES_ALL_TARGETS,
  MAX_DATA_FILE_BYTES,
  MAX_DATA_FILES_PER_TARGET,
  MAX_ENTRIES_PER_STREAM,
  MAX_NAMED_FILES,
  MAX_SKIP_REASONS,
  MAX_FILE_NAME_CHARS,
  TarReader,
  ContractError,
  str,
  num,
  epochSeconds,
  int,
  bool,
  oneOf,
  nullable,
  optional,
  arrayOf,
  object,
  EXEC_SLACK_MS,
  ESCALATE_AFTER_SECONDS,
  PACK_OVERHEAD_BYTES,
  packOptions,
  probeEvent,
  attemptEvent,
  sentEvent,
  escalatedEvent,
  connectionsEvent,
  sigtermResult,
  contextResult,
  convertResult,
  installResult,
  splitOutput,
  eventOf,
  eventsOf,
  AnswerTooLargeError,
  AgentClient,
  json,
  missingText,
  MODULES,
  LOADER,
  invocation,
  runProgram,
  failureOf,
  TargetSession,
  ContainerCli,
  discoverTargets
};
