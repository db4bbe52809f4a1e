// The container CLI named by `docker-command` (docker, or podman: same arguments), run by argv.
import * as core from '@actions/core';
import {
  CommandNotFoundError,
  runCommand,
  type RunOptions,
  type RunResult,
} from '../shared/process.js';
import { errorLine, firstLine } from '../shared/text.js';

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

/** A command line for the debug log: the in-target programs' loader and payload are elided. */
export function shown(args: readonly string[]): string {
  return args
    .map((arg) => (arg.length > 80 || arg.includes('\n') ? `<${arg.length} bytes>` : arg))
    .join(' ');
}
