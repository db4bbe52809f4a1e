// Reading what an in-target program prints: its JSON lines as events, checked one by one, and
// the tar stream after the `tar` event handed on as it arrives (docs/protocol.md, "Programs").
import { ContractError, type Check } from './schema.js';
import type { RemoteProgram } from './programs.js';

/** A program's stdout: its events in order; the tar stream after a `tar` event went to `onTar`. */
export interface ProgramOutput {
  readonly events: readonly { readonly event: string; readonly body: unknown }[];
  /** A `tar` event came (the stream went to the receiver). */
  readonly tarStarted: boolean;
}

const TAR_LINE = Buffer.from('{"event": "tar"}\n');
/** The JSON lines before the tar stream are small; more is a broken program. */
const MAX_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * Splits stdout as it arrives into the JSON lines and the tar stream after the `tar` event: the
 * lines are kept, the tar goes to `onTar`. A program run without `onTar` sends no tar stream; a
 * `tar` line from it breaks the contract (a target that replaced its Python could otherwise make
 * the runner hold any amount of it in memory).
 */
export class OutputSplitter {
  private head: Buffer[] = [];
  private headBytes = 0;
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
      if (this.onTar === undefined)
        throw new ContractError(
          this.program,
          'tar',
          'absent (this program sends no data)',
          'a tar stream',
        );
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
    return { events, tarStarted: this.started };
  }

  private toTar(chunk: Buffer): void {
    if (chunk.length > 0) this.onTar?.(chunk);
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
