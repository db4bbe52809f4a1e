// Containers on the runner, driven through the docker CLI (or podman: same arguments).
import * as core from '@actions/core';
import { connect } from 'node:net';
import { CommandNotFoundError, runCommand, type RunOptions, type RunResult } from '../process.js';
import { secret } from '../secrets.js';
import { errorLine, firstLine } from '../text.js';
import { parseInspect, type ContainerFacts, type NetworkListener } from './container-facts.js';
import {
  TargetGoneError,
  type AgentRoute,
  type ExecOptions,
  type ExecResult,
  type Target,
} from './target.js';

/** The container CLI named by `docker-command`. */
export class ContainerCli {
  constructor(readonly command: string) {}

  /** Runs `<command> ...args`; a missing CLI becomes one sentence naming the input. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const began = performance.now();
    try {
      const result = await runCommand([this.command, ...args], options);
      core.debug(
        `\`${this.command} ${shown(args)}\` exit ${result.exitCode} in ${Math.round(performance.now() - began)} ms`,
      );
      return result;
    } catch (error) {
      if (error instanceof CommandNotFoundError) {
        throw new Error(
          `the container CLI \`${this.command}\` cannot be run (${error.message}); install it on the runner or set \`docker-command\` (e.g. \`podman\`)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Runs and insists on exit status 0. */
  async check(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) {
      this.throwIfUnreachable(result.stderr);
      throw new Error(
        `\`${this.command} ${args[0] ?? ''}\` failed with exit status ${result.exitCode}: ${firstLine(result.stderr)}`,
      );
    }
    return result;
  }

  /** The CLI runs but its engine does not answer (no daemon, a wrong DOCKER_HOST, no access). */
  throwIfUnreachable(stderr: string): void {
    if (!UNREACHABLE.test(stderr)) return;
    throw new Error(
      `\`${this.command}\` cannot reach its container engine (${errorLine(stderr)}); start the engine on the runner, or point the CLI at it (\`DOCKER_HOST\` or a docker context for docker, \`CONTAINER_HOST\` for podman) in the step's environment`,
    );
  }
}

/** How docker and podman say the engine does not answer. */
const UNREACHABLE =
  /cannot connect to the docker daemon|cannot connect to podman|unable to connect to podman|error during connect|permission denied while trying to connect/i;

/** How docker and podman say `inspect` found no container of that name. */
const NO_SUCH_CONTAINER = /no such (container|object)/i;

/** A command line for the debug log: the in-target programs' loader and payload are elided. */
function shown(args: readonly string[]): string {
  return args
    .map((arg) => (arg.length > 80 || arg.includes('\n') ? `<${arg.length} bytes>` : arg))
    .join(' ');
}

export type ContainerSelector =
  | { readonly kind: 'labels'; readonly labels: readonly string[] }
  | { readonly kind: 'names'; readonly names: readonly string[] };

/** `app=api,tier=web` selects by labels; `api,worker` (no `=`) names containers. */
export function parseContainerSelector(selector: string): ContainerSelector {
  const items = selector
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('input `selector` is empty; set it, e.g. `app=api`');
  if (!items.some((item) => item.includes('='))) return { kind: 'names', names: items };
  for (const item of items) {
    if (/!=|\s|^=/.test(item) || /\b(in|notin)\b/.test(item)) {
      throw new Error(
        `input \`selector\` has \`${item}\`, which docker label filters cannot express; use \`key=value\` or \`key\` items separated by commas`,
      );
    }
  }
  return { kind: 'labels', labels: items };
}

export function describeSelector(selector: ContainerSelector): string {
  return selector.kind === 'labels'
    ? `label ${selector.labels.join(',')}`
    : `name ${selector.names.join(',')}`;
}

/** `cp` during a stop: the engine still has the container running, its process is gone. */
const STOPPING = /\/proc\/\d+\/ns\/mnt: no such file|container state improper/i;

/** How long the runner waits for a container's agent address to accept a connection. */
export const REACH_TIMEOUT_MS = 2000;

export class DockerTarget implements Target {
  readonly kind = 'docker' as const;
  /** Only for a container whose agent listens on the container network (see container-facts.ts). */
  readonly routeToAgent?: (port: number) => Promise<AgentRoute>;

  /** Whether it ran when it was found: answers the first isRunning() without another call. */
  private knownRunning: boolean | undefined;

  constructor(
    private readonly cli: ContainerCli,
    readonly id: string,
    readonly label: string,
    runningAtDiscovery?: boolean,
    listener?: NetworkListener,
  ) {
    this.knownRunning = runningAtDiscovery;
    if (listener !== undefined) this.routeToAgent = () => routeTo(listener);
  }

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const interactive = options.stdin === undefined ? [] : ['-i'];
    return this.cli.run(['exec', ...interactive, this.id, ...argv], options);
  }

  async isRunning(): Promise<boolean> {
    const known = this.knownRunning;
    this.knownRunning = undefined;
    if (known !== undefined) return known;
    return this.inspectRunning();
  }

  private async inspectRunning(): Promise<boolean> {
    const result = await this.cli.run(['inspect', '--format', '{{.State.Running}}', this.id]);
    return result.exitCode === 0 && result.stdout.toString().trim() === 'true';
  }

  async copyFromOutside(
    path: string,
    maxBytes: number,
    onChunk: (chunk: Buffer) => void,
  ): Promise<void> {
    const source = `${this.id}:${path.replace(/\/+$/, '')}/.`;
    let streamed = 0;
    const copy = () =>
      this.cli.run(['cp', source, '-'], {
        maxStdoutBytes: maxBytes + 1024 * 1024,
        timeoutMs: 120_000,
        onStdout: (chunk) => {
          streamed += chunk.length;
          onChunk(chunk);
        },
      });
    let result = await copy();
    if (result.exitCode !== 0 && streamed === 0 && STOPPING.test(result.stderr)) {
      // The container's process is gone but the engine has not marked it stopped yet, so `cp`
      // looked for its mounts in a dead process; once it is stopped, `cp` reads the files.
      await this.waitUntilStopped(10_000);
      result = await copy();
    }
    if (result.exitCode === 0) return;
    if (/no such container|does not exist/i.test(result.stderr)) {
      throw new TargetGoneError(
        `${this.label} no longer exists (removed once it stopped, e.g. \`--rm\`), so the files it left are gone; mount \`data-dir\` on a volume, or use the agent so that nothing depends on the shutdown`,
      );
    }
    throw new Error(
      `\`${this.cli.command} cp\` failed with exit status ${result.exitCode}: ${errorLine(result.stderr)}`,
    );
  }

  private async waitUntilStopped(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!(await this.inspectRunning())) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * The route to an agent listening on the container network: its address and port, and the token
 * from the container's environment (masked in the log). The port given by the harvest does not
 * apply: the container's own PYCOV_HARVEST_PORT says where it listens.
 */
async function routeTo(listener: NetworkListener): Promise<AgentRoute> {
  secret(listener.token);
  const { address, port } = listener;
  const shown = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: address, port, timeout: REACH_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(
        new Error(
          `the agent's address on the container network, ${shown}, did not accept a connection within ${REACH_TIMEOUT_MS} ms: the runner cannot reach that network (rootless podman?); leave PYCOV_HARVEST_HOST unset there to skip this wait`,
        ),
      );
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(new Error(`the agent's address on the container network, ${shown}: ${error.message}`));
    });
  });
  return {
    origin: `http://${shown}`,
    via: `the container network (${shown})`,
    token: listener.token,
    close: async () => undefined,
  };
}

/** Finds running containers by labels, or containers by name (any state). */
export async function findContainers(
  cli: ContainerCli,
  selectorText: string,
): Promise<DockerTarget[]> {
  const selector = parseContainerSelector(selectorText);
  if (selector.kind === 'labels') {
    const filters = selector.labels.flatMap((label) => ['--filter', `label=${label}`]);
    const result = await cli.check([
      'ps',
      '--no-trunc',
      '--format',
      '{{.ID}} {{.Names}}',
      ...filters,
    ]);
    // `ps` lists running containers only; one inspect of them all tells where their agents listen.
    const listed = parseIdNameLines(result.stdout.toString());
    const facts = await inspectAll(
      cli,
      listed.map(({ id }) => id),
    );
    return listed.map(({ id, name }) => {
      const known = facts.get(id);
      return new DockerTarget(
        cli,
        id,
        `container ${name}`,
        known?.running ?? true,
        known?.listener,
      );
    });
  }
  const found: DockerTarget[] = [];
  const missing: string[] = [];
  for (const name of selector.names) {
    const result = await cli.run(['inspect', '--type', 'container', '--', name]);
    const [entry] = parseInspect(result.stdout.toString());
    if (result.exitCode !== 0 && !NO_SUCH_CONTAINER.test(result.stderr)) {
      // Not a missing name: the engine's own reason, never "no container named ...".
      cli.throwIfUnreachable(result.stderr);
      throw new Error(
        `\`${cli.command} inspect\` failed with exit status ${result.exitCode}: ${errorLine(result.stderr)}`,
      );
    }
    if (result.exitCode !== 0 || entry === undefined) missing.push(name);
    else
      found.push(
        new DockerTarget(cli, entry.id, `container ${entry.name}`, entry.running, entry.listener),
      );
  }
  if (missing.length > 0 && found.length > 0) {
    throw new Error(
      `no container named ${missing.map((n) => `\`${n}\``).join(', ')}; check \`selector\` (\`${cli.command} ps -a\` lists the containers)`,
    );
  }
  return found;
}

/** The facts of the listed containers by id; a container gone since the listing is left out. */
async function inspectAll(
  cli: ContainerCli,
  ids: readonly string[],
): Promise<Map<string, ContainerFacts>> {
  if (ids.length === 0) return new Map();
  const result = await cli.run(['inspect', '--type', 'container', '--', ...ids], {
    maxStdoutBytes: 64 * 1024 * 1024,
  });
  return new Map(parseInspect(result.stdout.toString()).map((facts) => [facts.id, facts]));
}

/** `ps --format '{{.ID}} {{.Names}}'` lines as ids and names. */
export function parseIdNameLines(text: string): { id: string; name: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', name = id] = line.split(/\s+/);
      return { id, name: name.replace(/^\//, '') };
    });
}
