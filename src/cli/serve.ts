// `node dist/cli.js serve --port PORT ...`: switches on a runner loopback port. The targets are
// found once (and looked for again in the background), and each keeps a relay running inside it
// (switch-session.ts), so a harness's switch costs one line to each target and one line back
// instead of a node start, a discovery and an exec or a new port-forward per target.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { contextNameProblem } from './context-name.js';
import type { Inputs } from '../inputs/types.js';
import { discoverTargets } from '../targets/discover.js';
import { errorText } from '../shared/text.js';
import { REDISCOVER_MS, SwitchSession, type Discover } from './switch-session.js';

const MAX_BODY = 64 * 1024;

export interface SwitchServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, payload: object): void {
  const body = `${JSON.stringify(payload)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > MAX_BODY) throw new Error('the body is too large');
  }
  return body;
}

/** The context name of a request body, or a sentence saying what is wrong with it. */
function contextOf(body: string): { name: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const name = (parsed as { context?: unknown } | undefined)?.context;
  if (typeof name !== 'string')
    return { error: 'the body must be JSON like {"context": "test_refund"} ("" for none)' };
  const problem = contextNameProblem(name);
  return problem === undefined ? { name } : { error: problem };
}

/**
 * Takes switches on 127.0.0.1:`port` (0: any free port). The targets are found once and every
 * `rediscoverMs` again in the background (a rollout may replace pods: new ones join at the
 * current context, gone ones are dropped); each switch goes to all of them at once and answers
 * 200 with every target's outcome, or 502 when one did not confirm or none matched. Switches run
 * one after another, in the order they came.
 */
export async function startSwitchServer(
  inputs: Inputs,
  port: number,
  log: (line: string) => void,
  discover: Discover = discoverTargets,
  rediscoverMs = REDISCOVER_MS,
): Promise<SwitchServer> {
  const session = await SwitchSession.open(inputs, log, discover, rediscoverMs);
  const server = createServer((req, res) => {
    void (async () => {
      const context = await requestedContext(req, res);
      if (context === undefined) return;
      try {
        const { status, payload } = await session.switchTo(context);
        send(res, status, payload);
      } catch (error) {
        send(res, 502, { ok: false, context, error: errorText(error) });
      }
    })();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await session.close();
    throw error;
  }
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: bound,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await session.close();
    },
  };
}

/** The context a request asks for, or undefined once it has been answered with an error. */
async function requestedContext(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<string | undefined> {
  if (req.method !== 'POST' || req.url !== '/context') {
    send(res, 404, { error: 'POST {"context": NAME} to /context' });
    return undefined;
  }
  let body: string;
  try {
    body = await readBody(req);
  } catch (error) {
    send(res, 400, { error: errorText(error) });
    return undefined;
  }
  const context = contextOf(body);
  if ('error' in context) {
    send(res, 400, { error: context.error });
    return undefined;
  }
  return context.name;
}

/** The `serve` command: runs until SIGTERM or SIGINT; returns the exit status. */
export async function serve(
  inputs: Inputs,
  port: number,
  print: (line: string) => void,
  fail: (line: string) => void,
): Promise<number> {
  let server: SwitchServer;
  try {
    server = await startSwitchServer(inputs, port, print);
  } catch (error) {
    fail(
      `pycov-harvest: cannot serve on 127.0.0.1:${port} (${errorText(error)}); choose a free \`--port\``,
    );
    return 1;
  }
  print(
    `pycov-harvest: switching contexts on http://127.0.0.1:${server.port}/context (POST {"context": NAME})`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}
