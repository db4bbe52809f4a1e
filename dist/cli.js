import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  runCli
} from "./chunks/chunk-V43P2TTG.js";
import "./chunks/chunk-ZZ4NWWOG.js";
import "./chunks/chunk-KL7IFQUW.js";
import "./chunks/chunk-25FODVPG.js";
import "./chunks/chunk-FSLHNYYV.js";

// src/cli-main.ts
var write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk, ...rest) => typeof chunk === "string" && chunk.startsWith("::debug::") ? true : write(chunk, ...rest));
process.exitCode = await runCli(process.argv.slice(2));
