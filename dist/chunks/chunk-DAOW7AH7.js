import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);

// src/cli/context-name.ts
function contextNameProblem(name) {
  const control = [...name].some((c) => (c.codePointAt(0) ?? 0) < 32 || c === "\x7F");
  return Buffer.byteLength(name, "utf8") > 256 || control ? "the context name must be at most 256 bytes of UTF-8, without control characters" : void 0;
}

export {
  contextNameProblem
};
