// What the `attach` program prints (docs/protocol.md, "`attach`"): one event per process asked.
import { epochSeconds, int, nullable, object, oneOf, optional, str } from './schema.js';
import type { Typed } from './contract.js';

/** How `attach` reached a process (docs/protocol.md, "attach"). */
const attachFacts = {
  route: optional(oneOf('ptrace', 'remote_exec')),
  trigger_ms: optional(int),
  answer_ms: optional(int),
  tid: optional(int),
  syscall: optional(str),
  tries: optional(int),
  wakes: optional(int),
  busy: optional(int),
  remote_exec_refused: optional(str),
};

/**
 * One process saved its own coverage, confirmed by its answer and the data file. `started`: when
 * `attach` started that coverage (`attach-start`); lines run before then are not measured.
 */
export const attachedEvent = object({
  pid: int,
  data_file: str,
  bytes: int,
  coverage: nullable(str),
  core: nullable(str),
  python: nullable(str),
  started: optional(nullable(epochSeconds)),
  ...attachFacts,
});

/** `attach-start`: coverage started in a process that ran none; nothing it measures ran yet. */
export const startedEvent = object({
  pid: int,
  data_file: str,
  coverage: nullable(str),
  core: nullable(str),
  ...attachFacts,
});

/** `attach`: one process not saved: a sentence with the cause and the fix; `cause` as a field. */
export const refusedEvent = object({
  pid: int,
  reason: str,
  cause: oneOf('denied', 'disabled', 'no-coverage', ''),
  ...attachFacts,
});

export type AttachedEvent = Typed<typeof attachedEvent>;
export type RefusedEvent = Typed<typeof refusedEvent>;
export type StartedEvent = Typed<typeof startedEvent>;
