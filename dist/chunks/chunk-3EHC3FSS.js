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
  StdinUnsupportedError
};
