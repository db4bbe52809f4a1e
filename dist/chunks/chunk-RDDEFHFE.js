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
  TargetGoneError,
  StdinUnsupportedError
};
