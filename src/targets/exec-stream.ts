// A command kept running inside a target and talked to over its standard input and output: what
// `serve` keeps per target so that a context switch is one line each way instead of one exec.
import { spawn } from 'node:child_process';

/** How the command ended: its exit status (-1 when the session ended without one) and stderr. */
export interface StreamEnd {
  readonly exitCode: number;
  readonly stderr: string;
}

export interface ExecStream {
  /** Writes to the command's standard input. */
  write(data: string): void;
  /** Takes every stdout chunk as it arrives. */
  onStdout(listener: (chunk: Buffer) => void): void;
  /** Settles once the command ended or its session closed. */
  readonly ended: Promise<StreamEnd>;
  /** Ends the command's input (it sees end of file) and waits, bounded, until it ended. */
  close(): Promise<void>;
}

/** How long a command may take to end after its input ended before it is killed. */
export const STREAM_CLOSE_MS = 5_000;
/** stderr kept per stream: enough for the last lines of a traceback. */
const STDERR_LIMIT = 16 * 1024;

/** `<cli> exec -i <id> argv...` as an ExecStream (docker and podman alike). */
export function spawnStream(program: string, args: readonly string[]): ExecStream {
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_LIMIT);
  });
  child.stdin.on('error', () => {
    // The command ended without reading its input: `ended` tells why.
  });
  const ended = new Promise<StreamEnd>((resolve) => {
    child.once('error', (error) => resolve({ exitCode: -1, stderr: `${stderr}${error.message}` }));
    child.once('close', (code) => resolve({ exitCode: code ?? -1, stderr }));
  });
  return {
    write: (data) => void child.stdin.write(data),
    onStdout: (listener) => void child.stdout.on('data', listener),
    ended,
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), STREAM_CLOSE_MS);
      await ended;
      clearTimeout(timer);
    },
  };
}
