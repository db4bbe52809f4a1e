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
export const sigtermResult = object({
  confirmed: bool,
  sent: bool,
  reason: str,
  exited: bool,
  files: arrayOf(dataFile),
  t0: optional(num),
  escalated: optional(arrayOf(int)),
});

export const tokenEvent = object({ token: nullable(str) });

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
});

export type Registration = Typed<typeof registration>;
export type PythonProcess = Typed<typeof pythonProcess>;
export type DataFileInfo = Typed<typeof dataFile>;
export type SkippedFile = Typed<typeof skippedFile>;
export type ProbeReport = Typed<typeof probeEvent>;
export type AttemptEvent = Typed<typeof attemptEvent>;
export type SentEvent = Typed<typeof sentEvent>;
export type SigtermResult = Typed<typeof sigtermResult>;
export type ConvertResult = Typed<typeof convertResult>;

/** A program's stdout: its events in order, and the tar stream after a `tar` event. */
export interface ProgramOutput {
  readonly events: readonly { readonly event: string; readonly body: unknown }[];
  readonly tar?: Buffer;
}

const TAR_LINE = Buffer.from('{"event": "tar"}\n');

/**
 * Splits stdout into events and the tar stream. Lines that are not JSON objects (a sitecustomize
 * that prints, say) are skipped; an object without `event` breaks the contract.
 */
export function splitOutput(program: RemoteProgram, stdout: Buffer): ProgramOutput {
  const at = stdout.indexOf(TAR_LINE);
  const text = (at < 0 ? stdout : stdout.subarray(0, at)).toString('utf8');
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
  return at < 0 ? { events } : { events, tar: stdout.subarray(at + TAR_LINE.length) };
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
