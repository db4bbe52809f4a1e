// A target's relay for `serve`: the `context_relay` program exec'd once and kept running, one
// JSON line in per switch and one result line out. The result is the agent's own answer (every
// process acknowledged, or which did not), so a switch through it is confirmed as an exec'd
// `context` is, without an exec per switch.
import { invocation } from '../remote/programs.js';
import { bool, int, nullable, object, oneOf, optional, str } from '../remote/schema.js';
import { errorText, lastLine } from '../shared/text.js';
import type { ExecStream } from '../targets/exec-stream.js';
import type { Target } from '../targets/target.js';
import { EXEC_SLACK_MS } from './settings.js';

/** What one switch came to in one target (its label and time are added by the caller). */
export interface ChannelAnswer {
  readonly ok: boolean;
  readonly processes: number;
  readonly detail: string;
  /** The switch's own time inside the target (the agent's fan-out), as the relay measured it. */
  readonly insideMs?: number;
}

/** The relay cannot carry switches any more (it exited, its session closed): reopen it. */
export class RelayBrokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayBrokenError';
  }
}

/** How long the relay may take to start (an exec, a Python start, its modules loaded). */
export const RELAY_START_MS = 30_000;
/** Interpreters tried for the relay, as the one-shot programs try them first. */
const RELAY_INTERPRETERS = ['python3', 'python'];

const relayLine = object({
  event: oneOf('ready', 'result'),
  id: optional(nullable(int)),
  ok: optional(bool),
  processes: optional(int),
  detail: optional(str),
  ms: optional(int),
});

interface Waiting {
  readonly resolve: (answer: ChannelAnswer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class Relay {
  private pending = '';
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private onReady: (() => void) | undefined;
  /** Why the relay cannot carry switches any more, once it cannot. */
  private broken: string | undefined;

  private constructor(
    private readonly stream: ExecStream,
    readonly label: string,
    readonly python: string,
  ) {
    stream.onStdout((chunk) => this.read(chunk));
    void stream.ended.then((end) => {
      this.fail(`the relay in ${label} exited (status ${end.exitCode}: ${lastLine(end.stderr)})`);
    });
  }

  /** Starts the relay with the first interpreter that runs it; rejects with why none did. */
  static async open(target: Target, dataDir: string): Promise<Relay> {
    if (target.openStream === undefined)
      throw new Error(`${target.label} cannot keep a command running`);
    const problems: string[] = [];
    for (const python of RELAY_INTERPRETERS) {
      // The modules travel as the first line of its input: the exec request stays small.
      const { argv, firstLine } = invocation(
        python,
        'context_relay',
        { data_dir: dataDir },
        'line',
      );
      const stream = await target.openStream(argv);
      stream.write(firstLine ?? '');
      const relay = new Relay(stream, target.label, python);
      try {
        await relay.ready();
        return relay;
      } catch (error) {
        problems.push(`${python}: ${errorText(error)}`);
        await relay.close();
      }
    }
    throw new Error(`no relay started in ${target.label} (${problems.join('; ')})`);
  }

  /** Switches the target's agent processes; rejects with RelayBrokenError when it cannot. */
  switch(name: string, timeoutMs: number): Promise<ChannelAnswer> {
    if (this.broken !== undefined) return Promise.reject(new RelayBrokenError(this.broken));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new RelayBrokenError(
            `the relay in ${this.label} gave no answer within ${timeoutMs + EXEC_SLACK_MS} ms`,
          ),
        );
      }, timeoutMs + EXEC_SLACK_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.stream.write(`${JSON.stringify({ id, context: name, timeout: timeoutMs / 1000 })}\n`);
    });
  }

  /** Ends the relay's input; it exits, and nothing is left running in the target. */
  async close(): Promise<void> {
    this.fail(`the relay in ${this.label} was closed`);
    await this.stream.close();
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`it printed no ready line within ${RELAY_START_MS} ms`));
      }, RELAY_START_MS);
      this.onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      void this.stream.ended.then((end) => {
        clearTimeout(timer);
        reject(new Error(`exit ${end.exitCode}: ${lastLine(end.stderr)}`));
      });
    });
  }

  private read(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== '') this.take(line);
    }
  }

  private take(line: string): void {
    let event;
    try {
      event = relayLine(JSON.parse(line) as unknown, 'line', 'context_relay');
    } catch (error) {
      this.fail(
        `the relay in ${this.label} printed a line outside its contract (${errorText(error)})`,
      );
      return;
    }
    if (event.event === 'ready') {
      this.onReady?.();
      return;
    }
    const waiting =
      event.id === undefined || event.id === null ? undefined : this.waiting.get(event.id);
    if (waiting === undefined) return; // an answer that came after its switch gave up
    this.waiting.delete(event.id ?? 0);
    clearTimeout(waiting.timer);
    waiting.resolve({
      ok: event.ok === true,
      processes: event.processes ?? 0,
      detail: event.detail ?? 'the relay gave no detail',
      ...(event.ms === undefined ? {} : { insideMs: event.ms }),
    });
  }

  /** Marks the relay broken and rejects every switch still waiting for it. */
  private fail(reason: string): void {
    if (this.broken !== undefined) return;
    this.broken = reason;
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new RelayBrokenError(reason));
      this.waiting.delete(id);
    }
  }
}
