// The agent's listener over a route (a pod's port-forward, a container's own address): its
// answers read up to MAX_AGENT_ANSWER_BYTES, the data stream read only while its receiver wants
// it, and the token read inside the target only after the listener answered 401.
import { tokenEvent } from '../remote/contract.js';
import { eventOf } from '../remote/program-output.js';
import { secret } from '../shared/secrets.js';
import { quoted } from '../shared/text.js';
import type { AgentRoute } from '../targets/target.js';
import { DATA_STREAM_SLACK_MS, MAX_AGENT_ANSWER_BYTES } from './limits.js';
import type { TargetSession } from './session.js';
import { EXEC_SLACK_MS, type HarvestSettings } from './settings.js';

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

/** An answer of the agent's listener over MAX_AGENT_ANSWER_BYTES: not read further. */
export class AnswerTooLargeError extends Error {
  constructor(path: string) {
    super(
      `the agent's ${path} answer is larger than ${MAX_AGENT_ANSWER_BYTES} bytes, the bound of an agent answer, so it was not read`,
    );
    this.name = 'AnswerTooLargeError';
  }
}

/** The body of a response, read up to `max` bytes; past that the rest is cancelled unread. */
async function boundedBody(response: Response, path: string, max: number): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.length;
    if (bytes > max) {
      await response.body.cancel().catch(() => undefined);
      throw new AnswerTooLargeError(path);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * The agent's listener through a route; the token is the route's, or read (once) from inside the
 * target after a 401.
 */
export class AgentClient {
  private token: string | undefined;
  private askedInside = false;

  constructor(
    private readonly session: TargetSession,
    readonly route: AgentRoute,
    private readonly settings: Pick<HarvestSettings, 'dataDir' | 'agentPort' | 'flushTimeoutMs'>,
  ) {
    this.token = route.token;
  }

  async request(method: 'GET' | 'POST', path: string, body?: object): Promise<Answer> {
    const send = async (): Promise<Answer> => {
      const response = await fetch(`${this.route.origin}/pycov-harvest/${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(this.token === undefined ? {} : { Authorization: `Bearer ${this.token}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.settings.flushTimeoutMs + EXEC_SLACK_MS),
      });
      const answer = await boundedBody(response, path, MAX_AGENT_ANSWER_BYTES);
      return { status: response.status, body: answer };
    };
    const first = await send();
    if (first.status !== 401 || this.askedInside) return first;
    // No token yet, or the route's (the container's environment) was refused: the target's own.
    this.askedInside = true;
    const token = await this.readToken();
    if (token === undefined || token === this.token) return first;
    this.token = token;
    return send();
  }

  /**
   * A GET whose body goes to `onChunk` as it arrives; returns the status. Reading stops once
   * `enough()` says so (the receiver refused the stream): the rest is not read.
   */
  async stream(
    path: string,
    onChunk: (chunk: Buffer) => void,
    enough: () => boolean = () => false,
  ): Promise<number> {
    const response = await fetch(`${this.route.origin}/pycov-harvest/${path}`, {
      headers: this.token === undefined ? {} : { Authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(
        this.settings.flushTimeoutMs + EXEC_SLACK_MS + DATA_STREAM_SLACK_MS,
      ),
    });
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel();
      return response.status;
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        onChunk(Buffer.from(value));
        if (enough()) break;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return response.status;
  }

  private async readToken(): Promise<string | undefined> {
    const run = this.session.check(
      await this.session.run(
        'token',
        { data_dir: this.settings.dataDir, port: this.settings.agentPort },
        { timeoutMs: EXEC_SLACK_MS },
      ),
    );
    const token = eventOf('token', run.output, 'token', tokenEvent)?.token;
    return token === undefined || token === null ? undefined : secret(token);
  }
}

export function json(answer: Answer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Processes whose reason is quoted in a flush or switch detail; the rest are counted. */
const MAX_MISSING_LISTED = 5;

/** The processes that did not save, with their reasons quoted (the agent's words are data); the rest counted. */
export function missingText(missing: readonly { pid: number; reason: string }[]): string {
  const listed = missing
    .slice(0, MAX_MISSING_LISTED)
    .map((m) => `pid ${m.pid}: ${quoted(m.reason)}`);
  const more = missing.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more} more` : listed.join('; ');
}
