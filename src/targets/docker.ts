// Containers on the runner, driven through the docker CLI (or podman: same arguments).
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { secret } from '../shared/secrets.js';
import { errorLine } from '../shared/text.js';
import type { ContainerCli } from './container-cli.js';
import { INJECTOR_LABEL, type NetworkListener } from './container-facts.js';
import { spawnStream, type ExecStream } from './exec-stream.js';
import {
  TargetGoneError,
  type AgentRoute,
  type BesideOptions,
  type ExecOptions,
  type ExecResult,
  type Target,
} from './target.js';

/** `cp` during a stop: the engine still has the container running, its process is gone. */
const STOPPING = /\/proc\/\d+\/ns\/mnt: no such file|container state improper/i;

/** How long the runner waits for a container's agent address to accept a connection. */
export const REACH_TIMEOUT_MS = 2000;
/** How long `cp` may read a data directory out of a stopped container: disk speed, seconds. */
const COPY_TIMEOUT_MS = 120_000;

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

  /**
   * The `attach` injector container: the target's own image by the id the engine reports (no
   * pull, the very files the service runs), sharing its PID and network namespaces, root with
   * CAP_SYS_PTRACE (and CHOWN, DAC_OVERRIDE for the private directory it makes in the service's
   * file system), every other capability dropped; removed when it ends, killed on timeout.
   */
  async runBeside(argv: readonly string[], options: BesideOptions): Promise<ExecResult> {
    const [entrypoint, ...args] = argv;
    if (entrypoint === undefined) throw new Error('runBeside needs a program');
    const image = options.image ?? (await this.imageId());
    const name = `pycov-harvest-attach-${this.id.slice(0, 12)}-${randomBytes(4).toString('hex')}`;
    const run = [
      'run',
      '--rm',
      ...(options.stdin === undefined ? [] : ['-i']),
      '--name',
      name,
      '--label',
      `${INJECTOR_LABEL}=attach`,
      '--pid',
      `container:${this.id}`,
      '--network',
      `container:${this.id}`,
      '--cap-drop',
      'ALL',
      '--cap-add',
      'SYS_PTRACE',
      '--cap-add',
      'CHOWN',
      '--cap-add',
      'DAC_OVERRIDE',
      '--security-opt',
      'no-new-privileges',
      '--user',
      '0',
      '--entrypoint',
      entrypoint,
      image,
      ...args,
    ];
    const result = await this.cli.run(run, options);
    // Cut off by the timeout: the CLI is gone, the container may not be.
    if (result.timedOut) await this.cli.run(['rm', '-f', name]).catch(() => undefined);
    if (result.exitCode === 125)
      throw new Error(
        `\`${this.cli.command} run\` could not start the attach injector container beside ${this.label} (${errorLine(result.stderr)}); set \`attach-image\` to an image with python3, or leave \`attach\` out of \`methods\``,
      );
    return result;
  }

  /** The id of the image the container runs, as the engine reports it (no tag to re-resolve). */
  private async imageId(): Promise<string> {
    const result = await this.cli.check(['inspect', '--format', '{{.Image}}', this.id]);
    const id = result.stdout.toString().trim();
    if (id === '')
      throw new Error(`\`${this.cli.command} inspect\` gave no image for ${this.label}`);
    return id;
  }

  /** A command kept running in the container, fed over stdin (`exec -i`). */
  async openStream(argv: readonly string[]): Promise<ExecStream> {
    return spawnStream(this.cli.command, ['exec', '-i', this.id, ...argv]);
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
        maxStdoutBytes: maxBytes,
        timeoutMs: COPY_TIMEOUT_MS,
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
