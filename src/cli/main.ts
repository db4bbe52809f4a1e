// The entry of dist/cli.js (see cli.ts). The shared target code logs through @actions/core, whose
// debug lines are workflow commands on stdout: the harness gets only its one line per target.
import { runCli } from './cli.js';

const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  typeof chunk === 'string' && chunk.startsWith('::debug::')
    ? true
    : write(chunk, ...rest)) as typeof process.stdout.write;

process.exitCode = await runCli(process.argv.slice(2));
