// `node dist/cli.js serve --port PORT ...`: switches on a runner loopback port, with the
// port-forwards to the pods (and the token each listener wanted) kept open between switches, so a
// harness's switch costs one POST per pod instead of a node start, a client load and new forwards.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { contextNameProblem } from './context-name.js';
import type { Inputs } from '../inputs/types.js';
import { RouteCache, outcomeLine, switchAll, type SwitchOutcome } from '../harvest/switch.js';
import { discoverTargets } from '../targets/discover.js';
import type { Discovery } from '../targets/target.js';
import { errorText } from '../shared/text.js';

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
 * Takes switches on 127.0.0.1:`port` (0: any free port). Each switch discovers the targets again
 * (a rollout may have replaced pods), switches all of them at once over the kept forwards, and
 * answers 200 with every target's outcome, or 502 when one did not confirm or none matched.
 * Switches run one after another, in the order they came.
 */
export async function startSwitchServer(
  inputs: Inputs,
  port: number,
  log: (line: string) => void,
  discover: Discover = discoverTargets,
): Promise<SwitchServer> {
  const cache = new RouteCache();
  const switchTo = switcher(inputs, cache, discover, log);
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    void (async () => {
      const context = await requestedContext(req, res);
      if (context === undefined) return;
      const turn = queue.then(() => switchTo(context));
      queue = turn.catch(() => undefined);
      try {
        const { status, payload } = await turn;
        send(res, status, payload);
      } catch (error) {
        send(res, 502, { ok: false, context, error: errorText(error) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: bound,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cache.closeAll();
    },
  };
}

type Discover = (inputs: Inputs, warn: (message: string) => void) => Promise<Discovery>;

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

/** One switch: discover the targets again, switch them all over the kept routes. */
function switcher(
  inputs: Inputs,
  cache: RouteCache,
  discover: Discover,
  log: (line: string) => void,
): (name: string) => Promise<{ status: number; payload: object }> {
  const settings = {
    dataDir: inputs.dataDir,
    agentPort: inputs.agentPort,
    timeoutMs: inputs.flushTimeoutMs,
  };
  return async (name) => {
    const discovery = await discover(inputs, (message) => log(`pycov-harvest: ${message}`));
    if (discovery.targets.length === 0) {
      return {
        status: 502,
        payload: {
          ok: false,
          context: name,
          targets: [],
          error: `no ${discovery.searched} found; ${discovery.hint}`,
        },
      };
    }
    await cache.retain(discovery.targets.map((t) => t.id));
    const outcomes: SwitchOutcome[] = await switchAll(discovery.targets, name, settings, cache);
    for (const outcome of outcomes) log(outcomeLine(name, outcome));
    const ok = outcomes.every((o) => o.ok);
    return { status: ok ? 200 : 502, payload: { ok, context: name, targets: outcomes } };
  };
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
