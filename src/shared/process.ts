import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ExecOptions {
  /** Bytes written to the command's standard input, then closed. */
  readonly stdin?: Buffer;
  /** Kill the command (and report it) after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Kill the command once its stdout exceeds this many bytes (copy-out caps). */
  readonly maxStdoutBytes?: number;
  /**
   * Hands stdout over chunk by chunk as it arrives, instead of keeping it: the result's stdout
   * is then empty. For streams too large to hold (the data files).
   */
  readonly onStdout?: (chunk: Buffer) => void;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export type RunOptions = ExecOptions;

export interface RunResult extends ExecResult {
  /** True when the command was killed because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
}

/** The program itself could not be started (missing binary, no permission). */
export class CommandNotFoundError extends Error {
  constructor(
    readonly program: string,
    cause: string,
  ) {
    super(`cannot run \`${program}\`: ${cause}`);
    this.name = 'CommandNotFoundError';
  }
}

const STDERR_LIMIT = 64 * 1024;

/** Runs argv without a shell; stdout is kept as bytes. Rejects only when the program cannot start. */
export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.reject(new Error('runCommand: empty argv'));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const output = collectOutput(child, options);
    let timedOut = false;
    let settled = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdin.on('error', () => {
      // The command may exit without reading its input; its exit status tells the story.
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(
        new CommandNotFoundError(
          program,
          error.code === 'ENOENT' ? 'not found on PATH' : error.message,
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolvePromise({
        exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1),
        ...output.finish(),
        timedOut,
      });
    });
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
  });
}

/** A child's stdout (bounded by `maxStdoutBytes`, killing the child past it) and stderr. */
function collectOutput(
  child: ChildProcessWithoutNullStreams,
  options: RunOptions,
): { finish(): { stdout: Buffer; stderr: string } } {
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = '';
  let overflow = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (overflow) return;
    stdoutBytes += chunk.length;
    if (options.maxStdoutBytes !== undefined && stdoutBytes > options.maxStdoutBytes) {
      overflow = true;
      child.kill('SIGKILL');
      return;
    }
    if (options.onStdout !== undefined) options.onStdout(chunk);
    else stdout.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
  });
  return {
    finish: () => ({
      stdout: Buffer.concat(stdout),
      stderr: (overflow
        ? `${stderr}\noutput exceeded ${options.maxStdoutBytes} bytes`
        : stderr
      ).trim(),
    }),
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1;
}
