// Runs argv in a pod's container over the channel protocol and reads the exit code from the
// status channel (a v1 Status: Success, or NonZeroExitCode with an ExitCode cause).
import type { KubeConfig } from '@kubernetes/client-node';
import { StdinUnsupportedError, type ExecOptions, type ExecResult } from './target.js';
import {
  CLOSE,
  STATUS,
  STDERR,
  STDIN,
  STDOUT,
  V5,
  frame,
  openChannel,
  type ChannelSocket,
} from './kube-channel.js';

export interface ContainerRef {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

export type ExecStatus = { readonly exitCode: number } | { readonly error: string };

interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
}

/** Reads the status channel's JSON. */
export function parseExecStatus(text: string): ExecStatus {
  let status: {
    status?: string;
    reason?: string;
    message?: string;
    details?: { causes?: StatusCause[] };
  };
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    return { error: `unreadable exec status: ${text.slice(0, 200)}` };
  }
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return { error: status.message ?? `exec failed (${status.reason ?? 'unknown reason'})` };
}

export function execPath(ref: ContainerRef, argv: readonly string[], stdin: boolean): string {
  const query = new URLSearchParams();
  for (const arg of argv) query.append('command', arg);
  query.set('container', ref.container);
  query.set('stdin', String(stdin));
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  query.set('tty', 'false');
  return `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.pod)}/exec?${query.toString()}`;
}

/** The command could not be started in the container (missing program, container gone). */
export class ExecStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecStartError';
  }
}

const STDERR_LIMIT = 64 * 1024;
/** The runtime's words for "no such program in the container". */
const MISSING_PROGRAM = /executable file not found|no such file or directory/i;
const STDIN_CHUNK = 64 * 1024;

/**
 * Resolves with the exit code, stdout and stderr (127 when the program does not exist in the
 * container). Rejects with UpgradeError when the API server refuses the session, ExecStartError
 * when the runtime could not start the command for another reason. A timeout
 * or an oversized stdout closes the session (the remote command is not killed: Kubernetes has
 * no way to) and resolves with exit code 137.
 */
export async function execInContainer(
  config: KubeConfig,
  ref: ContainerRef,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<KubeExecResult> {
  const result = await execOnce(config, ref, argv, options);
  if (options.stdin === undefined || result.exitCode !== -1 || result.stdoutBytes > 0) {
    return result;
  }
  // A program that cannot start leaves our stdin unread, and the server's reset for it can
  // drop the status frame before we read it. The same command without stdin cannot race: it
  // says whether the program exists, and the session is run once more if it does.
  const probe = await execOnce(config, ref, argv, withoutStdin(options));
  return probe.exitCode === 127 ? probe : execOnce(config, ref, argv, options);
}

type KubeExecResult = ExecResult & { readonly protocol: string; readonly stdoutBytes: number };

function withoutStdin(options: ExecOptions): ExecOptions {
  return options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
}

async function execOnce(
  config: KubeConfig,
  ref: ContainerRef,
  argv: readonly string[],
  options: ExecOptions,
): Promise<KubeExecResult> {
  const collected = new ExecFrames(options);
  const open = await openChannel(config, execPath(ref, argv, options.stdin !== undefined), (c, p) =>
    collected.onFrame(c, p),
  );
  collected.socket = open;
  const protocol = open.protocol;
  return new Promise((resolve, reject) => {
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            collected.cut = `timed out after ${options.timeoutMs} ms`;
            open.terminate();
          }, options.timeoutMs);
    open.on('error', () => {
      // The close event that follows settles the promise.
    });
    open.on('close', () => {
      if (timer) clearTimeout(timer);
      const outcome = collected.finish(protocol);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    });
    if (options.stdin !== undefined) {
      if (protocol !== V5) {
        open.close();
        reject(
          new StdinUnsupportedError(
            `the API server speaks ${protocol || 'an old channel protocol'}, which cannot close stdin; sending input needs ${V5} (Kubernetes 1.30 or later)`,
          ),
        );
        return;
      }
      for (let at = 0; at < options.stdin.length; at += STDIN_CHUNK) {
        open.send(frame(STDIN, options.stdin.subarray(at, at + STDIN_CHUNK)));
      }
      open.send(Buffer.from([CLOSE, STDIN]));
    }
  });
}

/** What one exec session's frames said: output within its bounds, and the exit status. */
class ExecFrames {
  private readonly stdout: Buffer[] = [];
  private stdoutBytes = 0;
  private stderr = '';
  private status: ExecStatus | undefined;
  /** Why the session was cut short (a timeout, too much output), if it was. */
  cut: string | undefined;
  /** Set once the session is open; frames can only arrive after that. */
  socket: ChannelSocket | undefined;

  constructor(private readonly options: ExecOptions) {}

  onFrame(channel: number, payload: Buffer): void {
    if (channel === STDOUT) {
      if (this.cut !== undefined) return;
      this.stdoutBytes += payload.length;
      const max = this.options.maxStdoutBytes;
      if (max !== undefined && this.stdoutBytes > max) {
        this.cut = `output exceeded ${max} bytes`;
        this.socket?.close();
        return;
      }
      if (this.options.onStdout !== undefined) this.options.onStdout(payload);
      else this.stdout.push(Buffer.from(payload));
    } else if (channel === STDERR) {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += payload.toString('utf8');
    } else if (channel === STATUS) {
      this.status = parseExecStatus(payload.toString('utf8'));
    }
  }

  /** The result once the session closed, or the error the runtime started the command with. */
  finish(protocol: string): KubeExecResult | ExecStartError {
    const { status, stdoutBytes } = this;
    const stdout = Buffer.concat(this.stdout);
    const stderr = this.stderr.trim();
    const result = (exitCode: number, more?: string): KubeExecResult => ({
      exitCode,
      stdout,
      stderr: more === undefined ? stderr : `${stderr}\n${more}`.trim(),
      protocol,
      stdoutBytes,
    });
    if (this.cut !== undefined) return result(137, this.cut);
    if (status === undefined)
      return result(-1, 'the exec session ended without an exit status (did the container stop?)');
    if (!('error' in status)) return result(status.exitCode);
    // As `docker exec` and a shell report it, so callers can try the next interpreter.
    if (MISSING_PROGRAM.test(status.error)) return result(127, status.error);
    return new ExecStartError(status.error);
  }
}
