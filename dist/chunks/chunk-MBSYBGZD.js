import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);

// src/shared/text.ts
function firstLine(text) {
  return nonEmptyLines(text)[0] ?? "(no output)";
}
function lastLine(text) {
  const lines = nonEmptyLines(text);
  return lines[lines.length - 1] ?? "(no output)";
}
function errorLine(text) {
  const lines = nonEmptyLines(text);
  const errors = lines.filter(
    (line) => /\b(error|failed|denied|refused|not found|no such)\b/i.test(line)
  );
  return errors[errors.length - 1] ?? lines[lines.length - 1] ?? "(no output)";
}
function nonEmptyLines(text) {
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
}
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}
var UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
var NAMED = { "\n": "\\n", "\r": "\\r", "	": "\\t" };
function escapeControl(c) {
  return NAMED[c] ?? `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;
}
function withoutControls(text) {
  return text.replace(UNSAFE, escapeControl);
}
var QUOTED_MAX_CHARS = 200;
function quoted(text, max = QUOTED_MAX_CHARS) {
  const cut = text.length > max ? `${text.slice(0, max)}\u2026` : text;
  return `"${withoutControls(cut.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}
function clipped(text, max = QUOTED_MAX_CHARS) {
  return withoutControls(text.length > max ? `${text.slice(0, max)}\u2026` : text);
}
function logLine(text) {
  const line = withoutControls(text);
  return /^\s*::/.test(line) ? line.replace(/::/, "\\u003a:") : line;
}

// src/targets/exec-stream.ts
import { spawn } from "node:child_process";
var STREAM_CLOSE_MS = 5e3;
var STDERR_LIMIT = 16 * 1024;
function spawnStream(program, args) {
  const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], shell: false });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_LIMIT);
  });
  child.stdin.on("error", () => {
  });
  const ended = new Promise((resolve) => {
    child.once("error", (error) => resolve({ exitCode: -1, stderr: `${stderr}${error.message}` }));
    child.once("close", (code) => resolve({ exitCode: code ?? -1, stderr }));
  });
  return {
    write: (data) => void child.stdin.write(data),
    onStdout: (listener) => void child.stdout.on("data", listener),
    ended,
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), STREAM_CLOSE_MS);
      await ended;
      clearTimeout(timer);
    }
  };
}

// src/targets/target.ts
var TargetGoneError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "TargetGoneError";
  }
};
var StdinUnsupportedError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "StdinUnsupportedError";
  }
};

export {
  firstLine,
  lastLine,
  errorLine,
  errorText,
  withoutControls,
  quoted,
  clipped,
  logLine,
  TargetGoneError,
  StdinUnsupportedError,
  STREAM_CLOSE_MS,
  spawnStream
};
