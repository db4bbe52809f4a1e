// Runs one in-target program and hands back its checked output: the one place that knows how a
// program travels (stdin, or argv where the transport has none) and what its exit status means.
import * as core from '@actions/core';
import { lastLine } from '../shared/text.js';
import {
  StdinUnsupportedError,
  type ExecOptions,
  type ExecResult,
  type Target,
} from '../targets/target.js';
import { EXIT } from './contract.js';
import { OutputSplitter, type ProgramOutput } from './program-output.js';
import { invocation, type RemoteProgram, type Transport } from './programs.js';

export interface ProgramRun {
  readonly program: RemoteProgram;
  readonly python: string;
  readonly exitCode: number;
  readonly output: ProgramOutput;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly maxStdoutBytes?: number;
  /** Takes the tar stream after the `tar` event as it arrives, instead of keeping it. */
  readonly onTar?: (chunk: Buffer) => void;
  /** Runs in an injector container beside the target (Target.runBeside) instead of inside it. */
  readonly beside?: { readonly image?: string };
}

/** Targets whose transport turned out to have no stdin (exec, and injector containers apart). */
const argvOnly = new WeakSet<Target>();
const besideArgvOnly = new WeakSet<Target>();

/** docker/podman/kubectl (and our Kubernetes exec) say the interpreter does not exist. */
export function isMissingInterpreter(run: { exitCode: number; stderr: string }): boolean {
  return (
    run.exitCode === EXIT.notFound ||
    run.exitCode === EXIT.notExecutable ||
    /executable file not found|no such file or directory|not found in \$PATH/i.test(run.stderr)
  );
}

export async function runProgram(
  target: Target,
  python: string,
  program: RemoteProgram,
  args: object,
  options: RunOptions,
): Promise<ProgramRun> {
  const noStdin = options.beside === undefined ? argvOnly : besideArgvOnly;
  const transport: Transport = noStdin.has(target) ? 'argv' : 'stdin';
  const { argv, stdin } = invocation(python, program, args, transport);
  const began = performance.now();
  const splitter = new OutputSplitter(program, options.onTar);
  let splitError: unknown;
  let result;
  try {
    const execOptions = {
      timeoutMs: options.timeoutMs,
      ...(options.maxStdoutBytes === undefined ? {} : { maxStdoutBytes: options.maxStdoutBytes }),
      ...(stdin === undefined ? {} : { stdin }),
      onStdout: (chunk: Buffer) => {
        if (splitError !== undefined) return;
        try {
          splitter.push(chunk);
        } catch (error) {
          splitError = error;
        }
      },
    };
    result = await start(target, argv, execOptions, options.beside);
  } catch (error) {
    if (!(error instanceof StdinUnsupportedError)) throw error;
    core.debug(`${target.label}: ${error.message}; sending programs inside argv`);
    noStdin.add(target);
    return runProgram(target, python, program, args, options);
  }
  const ms = Math.round(performance.now() - began);
  core.debug(
    `${target.label}: \`${python} -S -c <loader> <${program}>\` (${transport}) exit ${result.exitCode} in ${ms} ms`,
  );
  // A target that keeps stdout instead of handing it over (tests' stand-ins) is read the same way.
  if (result.stdout.length > 0 && splitError === undefined) splitter.push(result.stdout);
  if (splitError !== undefined) throw splitError;
  const output: ProgramOutput =
    result.exitCode === EXIT.ok || result.exitCode >= 128 || result.exitCode < 0
      ? splitter.output()
      : { events: [], tarStarted: false };
  return { program, python, exitCode: result.exitCode, output, stderr: result.stderr };
}

/** Starts argv inside the target, or beside it in an injector container. */
function start(
  target: Target,
  argv: readonly string[],
  options: ExecOptions,
  beside: RunOptions['beside'],
): Promise<ExecResult> {
  if (beside === undefined) return target.exec(argv, options);
  if (target.runBeside === undefined)
    throw new Error(`${target.kind} targets have no injector container`);
  return target.runBeside(argv, { ...options, ...beside });
}

/** Why a program did not complete, in one sentence with the fix, or undefined when it did. */
export function failureOf(run: ProgramRun, label: string): string | undefined {
  if (run.exitCode === EXIT.ok) return undefined;
  if (run.exitCode === EXIT.badArguments)
    return `the in-target program \`${run.program}\` refused its arguments in ${label} (${lastLine(run.stderr)}); this is a bug in pycov-harvest, please report it with the step's log`;
  if (run.exitCode === EXIT.crashed)
    return `the in-target program \`${run.program}\` failed in ${label} with \`${run.python}\` (${lastLine(run.stderr)}); check that \`${run.python}\` is a working Python 3.8 or later`;
  if (isMissingInterpreter(run))
    return `\`${run.python}\` cannot be run in ${label} (${lastLine(run.stderr)})`;
  return `the in-target program \`${run.program}\` was cut off in ${label} (exit ${run.exitCode}: ${lastLine(run.stderr)})`;
}
