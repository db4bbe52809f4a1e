import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);

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
  TargetGoneError,
  StdinUnsupportedError
};
