// What each in-target program prints (docs/protocol.md, "Programs"), as types with runtime checks.
// Programs print JSON lines on stdout, each an object with an `event`; `harvest` may end with an
// `{"event": "tar"}` line followed by a tar stream. Exit 0 means the program kept its contract.
import {
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
  /** `attach`: `/proc/<pid>/exe`, and the start time that tells a reused pid apart. */
  executable: optional(nullable(str)),
  starttime: optional(nullable(int)),
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

/** One report (or the baseline's); a failed one names the measured file it failed on, when known. */
const reportStep = object({
  step: str,
  exit: int,
  output: str,
  file: optional(nullable(str)),
});
export const convertResult = object({
  ok: bool,
  python: str,
  coverage: nullable(str),
  need_install: optional(bool),
  have: optional(nullable(str)),
  want: optional(nullable(str)),
  installed: optional(bool),
  steps: optional(arrayOf(reportStep)),
  measured: optional(int),
  kept: optional(int),
  unmapped: optional(arrayOf(str)),
  unmapped_count: optional(int),
  /** Data files left out: `error` completes "data file X (N bytes) ..." (one sentence). */
  bad_files: optional(arrayOf(object({ file: str, size: int, error: str }))),
  /** Per data file, how many measured names were not plausible paths (dropped), and one of them. */
  dropped: optional(arrayOf(object({ file: str, count: int, example: str }))),
  /** Per data file, the measured files left out because it names another file tracer for them. */
  tracer_conflicts: optional(arrayOf(object({ file: str, count: int, example: str }))),
  inferred: optional(arrayOf(str)),
  extra_measured: optional(int),
  extra_kept: optional(int),
  baseline: optional(reportStep),
  /** How many named contexts the E2E data recorded (0: no switches). */
  contexts: optional(int),
  /** The project's coverage config coverage.py rejects, as one sentence naming file and setting. */
  config_error: optional(str),
  /** The project's coverage config used (relative to the working directory), or null: none. */
  config_file: optional(nullable(str)),
  /** What the harvest changed in it (`[run] relative_files = true`, plugins taken out). */
  overridden: optional(arrayOf(str)),
  /** One sentence per plugin of the config that the conversion image cannot import. */
  plugins_missing: optional(arrayOf(str)),
  /** Lines for the step's log: the config used and overridden, files left out and why. */
  log: optional(arrayOf(str)),
  /** Measured files whose plugin the image lacks (left out), the first of them, and how many. */
  orphans: optional(arrayOf(str)),
  orphans_count: optional(int),
  /** Measured files that are not Python (templates), left out as coverage.py does. */
  not_python: optional(arrayOf(str)),
  not_python_count: optional(int),
  /**
   * With `contexts`: each context label the agent wrote → the harness's context ('' for none),
   * from the agent's mark in its data files, and how many files had the mark.
   */
  context_labels: optional(record(str)),
  marked_files: optional(int),
});

/** `install`: pip's exit status and its last output, for `coverage==<version>`. */
export const installResult = object({ spec: str, exit: int, output: str });

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
export type InstallResult = Typed<typeof installResult>;
