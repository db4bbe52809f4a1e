// The conversion container: coverage.py's own image, run with no network unless it must install
// coverage, as the runner's user, with the workspace mounted at the same path.
import * as core from '@actions/core';
import { basename } from 'node:path';
import type { RunResult } from '../shared/process.js';
import { errorLine } from '../shared/text.js';
import type { ContainerCli } from '../targets/container-cli.js';
import type { Toolchain } from './toolchain.js';

/** Longest a conversion may take: a big codebase's combine and reports run for minutes. */
const CONVERSION_TIMEOUT_MS = 900_000;
/** Longest a pull of the conversion image may take. */
const PULL_TIMEOUT_MS = 600_000;

/** How docker and podman say `run --pull never` found no such image locally. */
const IMAGE_MISSING =
  /no such image|image not known|unable to find image|not found locally|does not exist locally/i;

async function pullImage(
  cli: ContainerCli,
  toolchain: Toolchain,
  log: (line: string) => void,
): Promise<void> {
  log(`pulling the conversion image ${toolchain.image}`);
  const pull = await cli.run(['pull', toolchain.image], { timeoutMs: PULL_TIMEOUT_MS });
  if (pull.exitCode !== 0) {
    throw new Error(
      `the conversion image \`${toolchain.image}\` is not available locally and cannot be pulled (${errorLine(pull.stderr)}); set \`coverage-image\` to an image with Python and coverage${toolchain.coverageVersion ? ` ${toolchain.coverageVersion}` : ''} installed`,
    );
  }
}

/**
 * Reports must belong to the runner's user. Rootless podman maps the runner's uid to root inside
 * the container unless told to keep it; docker and rootful podman take the uid:gid as is.
 */
export function userArgs(
  command: string,
  uid: number | undefined,
  gid: number | undefined,
): string[] {
  if (uid === undefined || gid === undefined) return [];
  if (uid !== 0 && basename(command).startsWith('podman')) return ['--userns', 'keep-id'];
  return ['--user', `${uid}:${gid}`];
}

export interface ContainerRun {
  readonly toolchain: Toolchain;
  /** `-v` options: the workspace, and the runner files outside it the program reads. */
  readonly mounts: readonly string[];
  readonly workspace: string;
  /** pip needs the network: only an install run gets it. */
  readonly install: boolean;
  /** The program's argv after `python3`, and its standard input. */
  readonly args: readonly string[];
  readonly stdin: Buffer | undefined;
  readonly log: (line: string) => void;
}

/** Runs python3 with `args` in the conversion image, pulling the image once when it is missing. */
export async function runInConversionContainer(
  cli: ContainerCli,
  run: ContainerRun,
): Promise<RunResult> {
  const { toolchain, workspace } = run;
  const argv = [
    'run',
    '-i',
    '--rm',
    // The image is used as it is locally; only when it is missing is it pulled (below).
    '--pull',
    'never',
    ...(run.install ? [] : ['--network', 'none']),
    ...userArgs(cli.command, process.getuid?.(), process.getgid?.()),
    '-e',
    'HOME=/tmp',
    ...run.mounts,
    '-w',
    workspace,
    '--entrypoint',
    'python3',
    toolchain.image,
    ...run.args,
  ];
  const runOptions = {
    timeoutMs: CONVERSION_TIMEOUT_MS,
    ...(run.stdin ? { stdin: run.stdin } : {}),
  };
  const began = performance.now();
  let result = await cli.run(argv, runOptions);
  if (result.exitCode === 125 && IMAGE_MISSING.test(result.stderr)) {
    await pullImage(cli, toolchain, run.log);
    result = await cli.run(argv, runOptions);
  }
  core.debug(
    `conversion container: exit ${result.exitCode} in ${Math.round(performance.now() - began)} ms`,
  );
  return result;
}
