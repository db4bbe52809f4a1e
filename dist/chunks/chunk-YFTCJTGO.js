import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  secret
} from "./chunk-I5RFRLKJ.js";
import {
  getInput
} from "./chunk-X6TKDANH.js";

// src/inputs/get-inputs.ts
import { resolve as resolve3 } from "node:path";

// src/inputs/parse.ts
var InputError = class extends Error {
  constructor(input, problem, fix) {
    super(`input \`${input}\` ${problem}; ${fix}`);
    this.input = input;
    this.problem = problem;
    this.fix = fix;
    this.name = "InputError";
  }
  input;
  problem;
  fix;
};
function splitList(value) {
  return value.split(/[,\n]/).map((item) => item.trim()).filter((item) => item.length > 0);
}
function parseChoice(input, value, choices) {
  const found = choices.find((choice) => choice === value.trim().toLowerCase());
  if (found === void 0) {
    throw new InputError(
      input,
      `is \`${value}\``,
      `use one of ${choices.map((c) => `\`${c}\``).join(", ")}`
    );
  }
  return found;
}
function parseChoiceList(input, value, choices) {
  const items = splitList(value).map((item) => parseChoice(input, item, choices));
  if (items.length === 0) {
    throw new InputError(
      input,
      "is empty",
      `give at least one of ${choices.map((c) => `\`${c}\``).join(", ")}`
    );
  }
  return [...new Set(items)];
}
function parseBoolean(input, value) {
  const normalized = value.trim().toLowerCase();
  if (normalized === "true") return true;
  if (normalized === "false") return false;
  throw new InputError(input, `is \`${value}\``, "use `true` or `false`");
}
var DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
var MAX_SECONDS = 3600;
function parseSeconds(input, value) {
  const text = value.trim();
  const seconds = Number(text);
  if (!DECIMAL.test(text) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new InputError(
      input,
      `is \`${value}\``,
      `give a number of seconds greater than 0 and at most ${MAX_SECONDS}, e.g. \`10\``
    );
  }
  return Math.round(seconds * 1e3);
}
function parsePort(input, value) {
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) {
    throw new InputError(input, `is \`${value}\``, "give a TCP port between 1 and 65535");
  }
  return port;
}
function parsePercent(input, value) {
  if (value.trim() === "") return void 0;
  const text = value.trim().replace(/%$/, "");
  const percent = Number(text);
  if (!DECIMAL.test(text) || percent > 100) {
    throw new InputError(
      input,
      `is \`${value}\``,
      "give a percentage between 0 and 100, or leave it empty"
    );
  }
  return percent;
}
function trimSlash(path) {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
function parseVersion(input, value) {
  const version = value.trim();
  if (version !== "" && !/^\d+(\.\d+){1,2}([a-z]+\d*)?$/.test(version)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      "give a coverage.py version such as `7.6.1`, or leave it empty"
    );
  }
  return version;
}
function required(input, value, example) {
  if (value.trim() === "") throw new InputError(input, "is empty", `set it, e.g. \`${example}\``);
  return value.trim();
}

// src/inputs/comment.ts
var MAX_KEY_LENGTH = 200;
function parseCommentKey(input, value, env, artifactName) {
  const given = value.trim();
  if (given !== "" && !/^[\w .:/=+@,-]+$/.test(given)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      "use letters, digits, spaces and `. : / = + @ , _ -`, e.g. `e2e-py3.12`"
    );
  }
  if (given.length > MAX_KEY_LENGTH) {
    throw new InputError(
      input,
      `is ${given.length} characters long`,
      `keep it under ${MAX_KEY_LENGTH}`
    );
  }
  const key = given || [env.GITHUB_WORKFLOW ?? "", env.GITHUB_JOB ?? "", artifactName].map((part) => part.replace(/[^\w .:/=+@,-]+/g, "_").trim()).filter((part) => part !== "").join("/");
  return key.replace(/-{2,}/g, "-") || "default";
}
function parseGithubToken(value) {
  const token = value.trim();
  return /^\$\{\{.*\}\}$/.test(token) ? "" : secret(token);
}

// src/inputs/flush.ts
var SAVE_SIGNALS = [
  "SIGUSR1",
  "SIGUSR2",
  "SIGHUP",
  "SIGWINCH",
  "SIGURG",
  "SIGPWR",
  "SIGIO",
  "SIGALRM",
  "SIGVTALRM",
  "SIGPROF",
  "SIGTTIN",
  "SIGTTOU",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGPIPE"
];
var NOT_SAVE_SIGNALS = {
  SIGKILL: "cannot be caught",
  SIGSTOP: "cannot be caught",
  SIGTERM: "is the `sigterm` method",
  SIGINT: "makes servers quit (the `sigterm` method uses it to force a hanging shutdown)",
  SIGQUIT: "makes servers quit",
  SIGTSTP: "suspends the process",
  SIGCONT: "resumes a suspended process",
  SIGCHLD: "is how the kernel reports child processes",
  SIGABRT: "aborts the process",
  SIGSEGV: "reports a crash",
  SIGBUS: "reports a crash",
  SIGFPE: "reports a crash",
  SIGILL: "reports a crash",
  SIGTRAP: "is for debuggers",
  SIGSYS: "reports a bad system call"
};
function parseSignal(input, value) {
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const why = NOT_SAVE_SIGNALS[name];
  if (why !== void 0) {
    throw new InputError(input, `is \`${value}\`, which ${why}`, "use `SIGUSR1` or `SIGUSR2`");
  }
  if (!SAVE_SIGNALS.includes(name)) {
    throw new InputError(
      input,
      `is \`${value}\`, not a signal name`,
      "give a name such as `SIGUSR1` or `SIGUSR2` (numbers differ between platforms)"
    );
  }
  return name;
}
function parseMethods(input, value) {
  const methods = parseChoiceList(input, value, ["http", "signal", "attach", "sigterm"]);
  const at = methods.indexOf("sigterm");
  if (at >= 0 && at !== methods.length - 1) {
    throw new InputError(
      input,
      `is \`${value}\`, with \`sigterm\` before ${methods.slice(at + 1).map((m) => `\`${m}\``).join(", ")}`,
      "put `sigterm` last: it stops the service, so no method can run after it"
    );
  }
  const attach = methods.indexOf("attach");
  const before = methods.filter((m, i) => i > attach && (m === "http" || m === "signal"));
  if (attach >= 0 && before.length > 0) {
    throw new InputError(
      input,
      `is \`${value}\`, with \`attach\` before ${before.map((m) => `\`${m}\``).join(", ")}`,
      "put `attach` after `http` and `signal`: they run together in one exec, before `attach`"
    );
  }
  return methods;
}
function parseAttachImage(input, value) {
  const image = value.trim();
  if (image.startsWith("-") || /\s/.test(image)) {
    throw new InputError(
      input,
      `is \`${value}\`, not an image reference`,
      "give one image such as `python:3.12-slim@sha256:<digest>`, or leave it empty for the service's own image"
    );
  }
  return image;
}

// src/inputs/paths.ts
import { realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
function parsePathMap(input, value, workspace) {
  return splitList(value).map((item) => {
    const at = item.indexOf("=");
    const remote = at < 0 ? "" : item.slice(0, at).trim();
    const local = at < 0 ? "" : item.slice(at + 1).trim();
    if (remote === "" || local === "" || !remote.startsWith("/")) {
      throw new InputError(
        input,
        `has \`${item}\``,
        "write each entry as `/absolute/container/prefix=workspace/path`, e.g. `/app=.`"
      );
    }
    return { remote: trimSlash(remote), local: resolve(workspace, local) };
  });
}
function realpathOfNearest(path) {
  let existing = path;
  const rest = [];
  for (; ; ) {
    try {
      return resolve(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(existing.slice(parent.length).replace(/^\//, ""));
      existing = parent;
    }
  }
}
function parseOutputDir(input, value, workspace) {
  const text = value.trim() || "coverage-harvest";
  const dir = isAbsolute(text) ? resolve(text) : resolve(workspace, text);
  const real = realpathOfNearest(dir);
  const realWorkspace = realpathOfNearest(workspace);
  const rel = relative(realWorkspace, real);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new InputError(
      input,
      `is \`${value}\`, which ${rel === "" ? "is the workspace itself" : "resolves outside the workspace"} (${real})`,
      "give a directory inside the workspace of its own, e.g. `coverage-harvest`"
    );
  }
  return dir;
}
function parseDataDir(input, value) {
  const dir = value.trim();
  if (!dir.startsWith("/")) {
    throw new InputError(
      input,
      `is \`${value}\``,
      "give an absolute path inside the targets, e.g. `/coverdata`"
    );
  }
  return trimSlash(dir);
}
function isWithin(path, dir) {
  const rel = relative(realpathOfNearest(dir), realpathOfNearest(path));
  return rel === "" || !rel.startsWith("..") && !isAbsolute(rel);
}
function parseBaseline(input, value, workspace, outputDir) {
  const text = value.trim();
  if (text === "") return void 0;
  if (text.includes("\n")) {
    throw new InputError(
      input,
      `has ${text.split("\n").length} lines`,
      "give one file, the base branch's `coverage.json` or `.coverage`"
    );
  }
  const path = resolve(workspace, text);
  if (isWithin(path, outputDir)) {
    throw new InputError(
      input,
      `is \`${value}\`, inside \`output-dir\`, which this step rewrites`,
      "download the base branch's coverage to another directory, e.g. `baseline/`"
    );
  }
  return path;
}
function globRoot(pattern) {
  const parts = pattern.split("/");
  const at = parts.findIndex((part) => /[*?[\]]/.test(part));
  return at < 0 ? pattern : parts.slice(0, at).join("/") || "/";
}
function parseExtraData(input, value, workspace, outputDir) {
  const items = splitList(value);
  for (const item of items) {
    const why = item.startsWith("!") ? "which begins with `!`, an exclusion this input does not take" : item.startsWith("#") ? "which begins with `#`, which the glob matcher reads as a comment" : isWithin(resolve(workspace, globRoot(item)), outputDir) ? "inside `output-dir`, where this step writes its own data" : void 0;
    if (why !== void 0) {
      throw new InputError(
        input,
        `has \`${item}\`, ${why}`,
        "give paths or globs of the other job's data files elsewhere, e.g. `unit-coverage/.coverage*`"
      );
    }
  }
  return items;
}

// src/inputs/project.ts
import { statSync } from "node:fs";
import { isAbsolute as isAbsolute2, relative as relative2, resolve as resolve2 } from "node:path";
function kindOf(path) {
  try {
    const stat = statSync(path);
    return stat.isFile() ? "file" : stat.isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
}
function parseWorkingDirectory(input, value, workspace) {
  const text = value.trim();
  if (text === "") return workspace;
  const dir = resolve2(workspace, text);
  const rel = relative2(workspace, dir);
  if (rel.startsWith("..") || isAbsolute2(rel)) {
    throw new InputError(
      input,
      `is \`${value}\`, outside the workspace (${dir})`,
      "give a directory of the checkout, relative to the workspace, e.g. `services/api`"
    );
  }
  if (kindOf(dir) !== "directory") {
    throw new InputError(
      input,
      `is \`${value}\`, which is not a directory (${dir})`,
      "check out the sources before this step, and give the directory of the Python project, e.g. `services/api`"
    );
  }
  return dir;
}
function parseCoverageConfig(input, value, workspace) {
  const text = value.trim();
  if (text === "") return void 0;
  const file = resolve2(workspace, text);
  if (kindOf(file) !== "file") {
    throw new InputError(
      input,
      `names ${file}, which is not a file`,
      "give the path of the project's .coveragerc, setup.cfg, tox.ini or pyproject.toml, relative to the workspace"
    );
  }
  return file;
}
function parseProjectInputs(read, workspace) {
  return {
    coverageConfig: parseCoverageConfig("coverage-config", read("coverage-config"), workspace),
    workingDirectory: parseWorkingDirectory(
      "working-directory",
      read("working-directory"),
      workspace
    )
  };
}

// src/inputs/targets.ts
function parseCommand(input, value) {
  const command = value.trim();
  if (command === "" || /\s/.test(command)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      "give one program name, e.g. `docker` or `podman`"
    );
  }
  return command;
}
function parseSelector(input, value, target) {
  const selector = required(input, value, "app=api");
  const items = splitList(selector);
  const option = items.find((item) => item.startsWith("-"));
  if (option !== void 0) {
    throw new InputError(
      input,
      `has \`${option}\`, which begins with \`-\``,
      "give label selectors like `app=api` or container names, which never begin with `-`"
    );
  }
  if (target === "docker" && /(^|[\s,(])(!|\w+\s+(in|notin)\s*\()/.test(selector)) {
    throw new InputError(
      input,
      `is \`${value}\`, a set-based selector that docker label filters cannot express`,
      "use `key=value` or `key` items separated by commas, e.g. `app=api,tier=web`"
    );
  }
  return selector;
}
function parseContainerName(input, value) {
  const name = value.trim();
  if (name.startsWith("-")) {
    throw new InputError(
      input,
      `is \`${value}\`, which begins with \`-\``,
      "give the container name as the pod spec has it, e.g. `api`"
    );
  }
  return name;
}

// src/inputs/get-inputs.ts
var defaultReader = (name) => getInput(name);
var ARTIFACT_NAME_FORBIDDEN = ['"', ":", "<", ">", "|", "*", "?", "\r", "\n", "\\", "/"];
function parseArtifactName(input, value) {
  const name = value.trim();
  const bad = ARTIFACT_NAME_FORBIDDEN.find((c) => name.includes(c));
  if (name === "" || bad !== void 0) {
    throw new InputError(
      input,
      name === "" ? "is empty" : `is \`${value}\`, with ${JSON.stringify(bad)}, which the artifact service refuses`,
      'give a name without " : < > | * ? \\ / or line breaks, e.g. `python-coverage`'
    );
  }
  return name;
}
function getInputs(read = defaultReader, env = process.env) {
  const workspace = resolve3(env.GITHUB_WORKSPACE ?? process.cwd());
  const target = parseChoice("target", required("target", read("target"), "docker"), [
    "docker",
    "kubernetes"
  ]);
  const outputDir = parseOutputDir("output-dir", read("output-dir"), workspace);
  const artifactName = parseArtifactName(
    "artifact-name",
    read("artifact-name") || "python-coverage"
  );
  return {
    target,
    selector: parseSelector("selector", read("selector"), target),
    namespace: read("namespace").trim() || "default",
    container: parseContainerName("container", read("container")),
    kubeconfig: read("kubeconfig").trim(),
    dockerCommand: parseCommand("docker-command", read("docker-command") || "docker"),
    dataDir: parseDataDir("data-dir", read("data-dir") || "/coverdata"),
    methods: parseMethods("methods", read("methods") || "http,signal,attach,sigterm"),
    signal: parseSignal("signal", read("signal") || "SIGUSR1"),
    agentPort: parsePort("agent-port", read("agent-port") || "9797"),
    flushTimeoutMs: parseSeconds("flush-timeout", read("flush-timeout") || "10"),
    reset: parseBoolean("reset", read("reset") || "false"),
    gracefulTimeoutMs: parseSeconds("graceful-timeout", read("graceful-timeout") || "30"),
    attachImage: parseAttachImage("attach-image", read("attach-image")),
    attachStart: parseBoolean("attach-start", read("attach-start") || "false"),
    pathMap: parsePathMap("path-map", read("path-map"), workspace),
    formats: parseChoiceList("formats", read("formats") || "lcov,xml,json", [
      "lcov",
      "xml",
      "json",
      "html"
    ]),
    coverageImage: read("coverage-image").trim(),
    coverageVersion: parseVersion("coverage-version", read("coverage-version")),
    ...parseProjectInputs(read, workspace),
    outputDir,
    workspace,
    artifactName,
    upload: parseBoolean("upload", read("upload") || "true"),
    summary: parseBoolean("summary", read("summary") || "true"),
    failUnder: parsePercent("fail-under", read("fail-under")),
    ifNoTargets: parseChoice("if-no-targets", read("if-no-targets") || "error", [
      "error",
      "warn",
      "ignore"
    ]),
    failUnderDiff: parsePercent("fail-under-diff", read("fail-under-diff")),
    baseline: parseBaseline("baseline", read("baseline"), workspace, outputDir),
    extraData: parseExtraData("extra-data", read("extra-data"), workspace, outputDir),
    comment: parseChoice("comment", read("comment") || "auto", [
      "auto",
      "always",
      "never"
    ]),
    githubToken: parseGithubToken(read("github-token")),
    commentKey: parseCommentKey("comment-key", read("comment-key"), env, artifactName)
  };
}

export {
  InputError,
  getInputs
};
