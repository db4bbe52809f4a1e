// A client of pycov-harvest's `node dist/cli.js serve` for Node harnesses: start it (or use a
// running one) and switch the coverage context of every agent process of every matched target.
// No dependencies; every wait is bounded.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const ENV_URL = 'PYCOV_HARVEST_SERVE_URL';
export const ENV_CLI = 'PYCOV_HARVEST_CLI';
export const ENV_ARGS = 'PYCOV_HARVEST_SERVE_ARGS';

/** serve lets each process take 10 s to confirm, plus discovery and the route that reaches it. */
export const DEFAULT_SWITCH_TIMEOUT_MS = 60_000;
/** Node's start, the bundle's load and the port bind, on a slow runner. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;
/** How long serve may take to end its relays and port-forwards after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
/** How many of serve's last output lines an error quotes. */
const TAIL_LINES = 20;
const READY = /switching contexts on (http:\/\/\S+\/context)/;

/** A switch that was not confirmed by every target; `reason` says why and the fix. */
export class SwitchError extends Error {
  constructor(context, reason, status = 0, targets = []) {
    const what = context === '' ? 'no context' : `context ${JSON.stringify(context)}`;
    super(`pycov-harvest: the switch to ${what} failed: ${reason}`);
    this.name = 'SwitchError';
    this.context = context;
    this.reason = reason;
    this.status = status;
    this.targets = targets;
  }
}

/** serve could not be started or did not become ready. */
export class StartError extends Error {
  constructor(reason, options) {
    super(`pycov-harvest: cannot start serve: ${reason}`, options);
    this.name = 'StartError';
  }
}

/** Why the agent would refuse the name, or undefined. */
export function nameProblem(name) {
  const control = [...name].some((c) => (c.codePointAt(0) ?? 0) < 32 || c === '\u007f');
  return Buffer.byteLength(name, 'utf8') > 256 || control
    ? 'the context name must be at most 256 bytes of UTF-8, without control characters; shorten the test title'
    : undefined;
}

/** Every target's outcome when all confirmed; else a SwitchError naming those that did not. */
function confirmed(name, status, text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null)
    throw new SwitchError(
      name,
      `the answer (HTTP ${status}) is not serve's JSON (${JSON.stringify(text.slice(0, 200))}); check that the URL is pycov-harvest serve's /context`,
      status,
    );
  const targets = Array.isArray(body.targets) ? body.targets : [];
  const failed = targets.filter((t) => t?.ok !== true);
  if (status === 200 && body.ok === true && targets.length > 0 && failed.length === 0)
    return targets;
  if (failed.length > 0)
    throw new SwitchError(
      name,
      `not confirmed by ${failed.map((t) => `${t?.label}: ${t?.detail}`).join('; ')}`,
      status,
      targets,
    );
  if (typeof body.error === 'string' && body.error !== '')
    throw new SwitchError(name, body.error, status, targets);
  throw new SwitchError(
    name,
    `serve answered HTTP ${status} without a confirmation from every target; check serve's output`,
    status,
    targets,
  );
}

export class Client {
  /** A client of the serve at `url` (http://127.0.0.1:PORT or .../context). */
  constructor(url, { switchTimeoutMs = DEFAULT_SWITCH_TIMEOUT_MS } = {}, server = undefined) {
    const trimmed = url.trim().replace(/\/+$/, '');
    if (!trimmed.startsWith('http://'))
      throw new StartError(
        `the serve URL ${JSON.stringify(url)} is not http://HOST:PORT; give the URL serve printed, e.g. http://127.0.0.1:9898/context`,
      );
    this.url = trimmed.endsWith('/context') ? trimmed : `${trimmed}/context`;
    this.switchTimeoutMs = switchTimeoutMs;
    this.server = server;
  }

  /** Switches every process to `name` ('' for none); resolves to every target's outcome. */
  async switch(name) {
    const problem = nameProblem(name);
    if (problem !== undefined) throw new SwitchError(name, problem);
    let response;
    let text;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ context: name }),
        signal: AbortSignal.timeout(this.switchTimeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new SwitchError(name, this.unreachable(error), 0);
    }
    return confirmed(name, response.status, text);
  }

  clear() {
    return this.switch('');
  }

  /** Stops the serve this client started; a connected client leaves its serve alone. */
  async close() {
    await this.server?.stop();
  }

  unreachable(error) {
    if (error?.name === 'TimeoutError')
      return `serve at ${this.url} did not answer within ${this.switchTimeoutMs} ms; raise the switch timeout, or look at serve's output for a target that hangs`;
    if (this.server?.exitCode !== undefined)
      return `serve has exited with status ${this.server.exitCode}:\n${this.server.tail()}`;
    return `no serve answers at ${this.url} (${error?.cause?.code ?? error?.message}); start \`node dist/cli.js serve --port PORT ...\` first, or give the CLI path to start one`;
  }
}

/** A serve process started here; its output is read to the end so that it never blocks. */
class Server {
  constructor(argv, env, output) {
    this.argv = argv;
    this.lines = [];
    this.exitCode = undefined;
    this.child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.exited = new Promise((done) =>
      this.child.once('close', (code, signal) => {
        this.exitCode = code ?? signal;
        done();
      }),
    );
    this.failedToRun = new Promise((done) => this.child.once('error', done));
    this.ready = new Promise((done) => {
      for (const [stream, watch] of [
        [this.child.stdout, true],
        [this.child.stderr, false],
      ]) {
        createInterface({ input: stream }).on('line', (line) => {
          this.lines.push(line);
          if (this.lines.length > TAIL_LINES) this.lines.shift();
          output?.(line);
          const match = watch ? READY.exec(line) : null;
          if (match) done(match[1]);
        });
      }
    });
  }

  tail() {
    return this.lines.join('\n') || '(no output)';
  }

  async stop() {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGTERM');
    const timer = (ms) => new Promise((done) => setTimeout(done, ms).unref());
    if ((await Promise.race([this.exited.then(() => true), timer(STOP_GRACE_MS)])) === true) return;
    this.child.kill('SIGKILL');
    await Promise.race([this.exited, timer(STOP_GRACE_MS)]);
  }
}

/**
 * Starts `node CLI serve --port 0 ARGS` and resolves to a client once serve takes switches.
 * `args` are serve's target options (the action's inputs of the same names), without --port.
 */
export async function start({
  cli = process.env[ENV_CLI],
  args,
  node = process.execPath,
  env = {},
  output,
  startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
  switchTimeoutMs = DEFAULT_SWITCH_TIMEOUT_MS,
}) {
  if (!cli) throw new StartError(`no path of dist/cli.js; pass \`cli\` or set ${ENV_CLI}`);
  if (!args?.length)
    throw new StartError(
      `no target options for serve; pass \`args\` or set ${ENV_ARGS}, e.g. "--target kubernetes --namespace e2e --selector app=api"`,
    );
  if (args.some((a) => a === '--port' || a.startsWith('--port=')))
    throw new StartError("leave --port out of serve's arguments; the client picks a free port");
  const server = new Server([node, cli, 'serve', '--port', '0', ...args], env, output);
  let timer;
  const outcome = await Promise.race([
    server.ready.then((url) => ({ url })),
    server.exited.then(() => ({ exited: true })),
    server.failedToRun.then((error) => ({ error })),
    new Promise((done) => {
      timer = setTimeout(() => done({ timeout: true }), startTimeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome.url !== undefined) return new Client(outcome.url, { switchTimeoutMs }, server);
  await server.stop();
  if (outcome.error !== undefined)
    throw new StartError(
      `\`${node}\` cannot be run (${outcome.error.message}); install Node.js 20 or later, or pass \`node\``,
      { cause: outcome.error },
    );
  if (outcome.exited)
    throw new StartError(
      `\`${server.argv.slice(2).join(' ')}\` exited with status ${server.exitCode} before it was ready:\n${server.tail()}\nfix what it says`,
    );
  throw new StartError(
    `no ready line within ${startTimeoutMs} ms (last output:\n${server.tail()}\n); on a slow machine raise startTimeoutMs`,
  );
}

/**
 * A client from the environment: the serve at $PYCOV_HARVEST_SERVE_URL, or else one started with
 * $PYCOV_HARVEST_CLI and $PYCOV_HARVEST_SERVE_ARGS; undefined when neither is set.
 */
export async function fromEnv(options = {}) {
  const url = process.env[ENV_URL];
  if (url) return new Client(url, options);
  if (!process.env[ENV_CLI]) return undefined;
  const args = (process.env[ENV_ARGS] ?? '').split(/\s+/).filter(Boolean);
  return start({ ...options, args });
}
