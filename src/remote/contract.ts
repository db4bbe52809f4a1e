// What each in-target program prints (docs/protocol.md, "Programs"), as types with runtime checks.
// Programs print JSON lines on stdout, each an object with an `event`; `harvest` may end with an
// `{"event": "tar"}` line followed by a tar stream. Exit 0 means the program kept its contract.
import {
  ContractError,
  arrayOf,
  bool,
  either,
  int,
  nullable,
  num,
  object,
  oneOf,
  optional,
  record,
  str,
  type Check,
} from './schema.js';
import type { RemoteProgram } from './programs.js';

/** Exit statuses, one meaning each. */
export const EXIT = {
  /** The program ran to its end; its JSON lines say what happened. */
  ok: 0,
  /** Python's own status for an uncaught exception: a crash, traceback on stderr. */
  crashed: 1,
  /** The arguments broke the contract (a bug on the action's side). */
  badArguments: 2,
  /** docker/podman/kubectl: the interpreter could not be run. */
  notExecutable: 126,
  /** docker/podman/kubectl (and our Kubernetes exec): no such interpreter. */
  notFound: 127,
} as const;

export type Typed<C> = C extends Check<infer T> ? T : never;

const dataFile = object({ name: str, size: int, mtime: num });
const skippedFile = object({ name: str, size: int, reason: str });

const registration = object({
  pid: int,
  host: str,
  port: nullable(int),
  signal: nullable(str),
  sigterm: optional(bool),
  python: str,
  coverage: str,
  executable: optional(str),
  data_file: optional(str),
});

const pythonProcess = object({
  pid: int,
  ppid: int,
  argv: arrayOf(str),
  server: nullable(oneOf('uvicorn', 'gunicorn', 'hypercorn')),
  coverage_run: bool,
  coverage_startup: bool,
  agent_env: bool,
  save_signal: nullable(str),
  graceful_timeout: nullable(either(num, oneOf('default'), 'seconds or "default"')),
  top: bool,
});

const versions = object({ python: nullable(str), coverage: nullable(str) });

export const probeEvent = object({
  time: num,
  python: str,
  executable: str,
  data_dir_exists: bool,
  agents: arrayOf(registration),
  malformed: arrayOf(object({ name: str, reason: str })),
  processes: arrayOf(pythonProcess),
  data_files: arrayOf(dataFile),
  skipped_files: arrayOf(skippedFile),
  versions: nullable(versions),
});

export const attemptEvent = object({
  method: oneOf('http', 'signal'),
  confirmed: bool,
  detail: str,
  ms: int,
});

export const sentEvent = object({ t0: num, pids: arrayOf(int), errors: arrayOf(str) });
export const escalatedEvent = object({ after: num, pids: arrayOf(int), signal: str });
const openConnection = object({ peer: str, state: str });
/** What may hold a uvicorn server's shutdown, read before any signal (force_quit.py). */
export const connectionsEvent = object({
  pid: int,
  python: nullable(str),
  uvicorn: nullable(str),
  loop: nullable(str),
  graceful: nullable(num),
  cannot_force_quit: bool,
  listeners: arrayOf(str),
  connections: arrayOf(openConnection),
  error: optional(str),
});
export const sigtermResult = object({
  confirmed: bool,
  sent: bool,
  reason: str,
  exited: bool,
  files: arrayOf(dataFile),
  t0: optional(num),
  escalated: optional(arrayOf(int)),
  /** Not signalled: the server cannot be stopped while `held` is open (the force-quit table). */
  stuck: optional(bool),
  /** The connections open on the server's listeners that hold (or would hold) its shutdown. */
  held: optional(arrayOf(openConnection)),
});

export const tokenEvent = object({ token: nullable(str) });

/** `context`: whether every agent process of the target switched, and how many did. */
export const contextResult = object({
  ok: bool,
  seq: nullable(int),
  processes: int,
  detail: str,
  ms: int,
});

const reportStep = object({ step: str, exit: int, output: str });
export const convertResult = object({
  ok: bool,
  python: str,
  coverage: nullable(str),
  need_install: optional(bool),
  have: optional(nullable(str)),
  want: optional(nullable(str)),
  install_failed: optional(object({ spec: str, exit: int, output: str })),
  installed: optional(bool),
  steps: optional(arrayOf(reportStep)),
  measured: optional(int),
  kept: optional(int),
  unmapped: optional(arrayOf(str)),
  unmapped_count: optional(int),
  bad_files: optional(arrayOf(object({ file: str, size: int, error: str }))),
  inferred: optional(arrayOf(str)),
  combine_failed: optional(nullable(object({ file: str, error: str }))),
  extra_measured: optional(int),
  extra_kept: optional(int),
  baseline: optional(reportStep),
  /** How many named contexts the E2E data recorded (absent when none: no switches). */
  contexts: optional(int),
  /**
   * With `contexts`: each context label the agent wrote → the harness's context ('' for none),
   * from the agent's mark in its data files, and how many files had the mark.
   */
  context_labels: optional(record(str)),
  marked_files: optional(int),
});

export type Registration = Typed<typeof registration>;
export type PythonProcess = Typed<typeof pythonProcess>;
export type DataFileInfo = Typed<typeof dataFile>;
export type SkippedFile = Typed<typeof skippedFile>;
export type ProbeReport = Typed<typeof probeEvent>;
export type AttemptEvent = Typed<typeof attemptEvent>;
export type SentEvent = Typed<typeof sentEvent>;
export type SigtermResult = Typed<typeof sigtermResult>;
export type ConnectionsEvent = Typed<typeof connectionsEvent>;
export type ConvertResult = Typed<typeof convertResult>;

/** A program's stdout: its events in order, and the tar stream after a `tar` event. */
export interface ProgramOutput {
  readonly events: readonly { readonly event: string; readonly body: unknown }[];
  /** The tar stream, when it was kept (not streamed to a receiver). */
  readonly tar?: Buffer;
  /** A `tar` event came (the stream went to the receiver when one was given). */
  readonly tarStarted: boolean;
}

const TAR_LINE = Buffer.from('{"event": "tar"}\n');
/** The JSON lines before the tar stream are small; more is a broken program. */
const MAX_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * Splits stdout as it arrives into the JSON lines and the tar stream after the `tar` event: the
 * lines are kept, the tar goes to `onTar` (or is kept when there is none).
 */
export class OutputSplitter {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tarChunks: Buffer[] | undefined;
  private started = false;

  constructor(
    private readonly program: RemoteProgram,
    private readonly onTar?: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.started) {
      this.toTar(chunk);
      return;
    }
    const before = this.headBytes;
    this.head.push(Buffer.from(chunk));
    this.headBytes += chunk.length;
    const text = Buffer.concat(this.head);
    // The tar line may straddle two chunks: look from just before this chunk.
    const at = text.indexOf(TAR_LINE, Math.max(0, before - TAR_LINE.length));
    if (at >= 0) {
      this.started = true;
      this.head = [text.subarray(0, at)];
      this.toTar(text.subarray(at + TAR_LINE.length));
    } else if (this.headBytes > MAX_EVENT_BYTES) {
      throw new ContractError(
        this.program,
        'stdout',
        `under ${MAX_EVENT_BYTES} bytes of JSON lines`,
        this.headBytes,
      );
    }
  }

  output(): ProgramOutput {
    const events = parseEvents(this.program, Buffer.concat(this.head).toString('utf8'));
    return this.tarChunks === undefined
      ? { events, tarStarted: this.started }
      : { events, tar: Buffer.concat(this.tarChunks), tarStarted: this.started };
  }

  private toTar(chunk: Buffer): void {
    if (chunk.length === 0 && this.onTar !== undefined) return;
    if (this.onTar !== undefined) this.onTar(chunk);
    else (this.tarChunks ??= []).push(Buffer.from(chunk));
  }
}

/**
 * The JSON lines of a program. Lines that are not JSON objects (a sitecustomize that prints, say)
 * are skipped; an object without `event` breaks the contract.
 */
function parseEvents(program: RemoteProgram, text: string): { event: string; body: unknown }[] {
  const events: { event: string; body: unknown }[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      continue;
    }
    const event = (value as { event?: unknown }).event;
    if (typeof event !== 'string')
      throw new ContractError(program, 'event', 'a string on every JSON line', event);
    events.push({ event, body: value });
  }
  return events;
}

/** Splits a whole stdout held in memory. */
export function splitOutput(program: RemoteProgram, stdout: Buffer): ProgramOutput {
  const splitter = new OutputSplitter(program);
  splitter.push(stdout);
  return splitter.output();
}

/** The one event of this name, checked; undefined when the program did not print it. */
export function eventOf<T>(
  program: RemoteProgram,
  output: ProgramOutput,
  name: string,
  check: Check<T>,
): T | undefined {
  const found = output.events.filter((e) => e.event === name);
  if (found.length > 1) throw new ContractError(program, name, 'printed once', found.length);
  return found[0] === undefined ? undefined : check(found[0].body, name, program);
}

export function eventsOf<T>(
  program: RemoteProgram,
  output: ProgramOutput,
  name: string,
  check: Check<T>,
): T[] {
  return output.events
    .filter((e) => e.event === name)
    .map((e, index) => check(e.body, `${name}[${index}]`, program));
}
