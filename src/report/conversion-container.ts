// The conversion container: coverage.py's own image, run with only what it needs. No network (the
// pip install is a run of its own, with nothing of the workspace or the data mounted), no
// capabilities, no new privileges, a read-only root with a private /tmp, as the runner's user, and
// each runner path mounted for one reason (docs/action.md, "The conversion container").
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

/** One runner path in the container, at the same path: read-only unless the run writes there. */
export interface Mount {
  readonly path: string;
  readonly writable: boolean;
}

export function mountArgs(mounts: readonly Mount[]): string[] {
  return mounts.flatMap((m) => ['-v', `${m.path}:${m.path}${m.writable ? '' : ':ro'}`]);
}

/** Options every run gets: nothing but the mounts is writable, and nothing gains privileges. */
export const CONFINED = [
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
  '--read-only',
  // HOME, pip's temporary files, the checked copies of the data files.
  '--tmpfs',
  '/tmp:rw,nosuid,nodev,mode=1777',
  '-e',
  'HOME=/tmp',
  '-e',
  'PYTHONDONTWRITEBYTECODE=1',
] as const;

export interface ContainerRun {
  readonly toolchain: Toolchain;
  readonly mounts: readonly Mount[];
  /** The current directory inside the container. */
  readonly workdir: string;
  /** pip needs the network: only the install run gets it. */
  readonly network: boolean;
  /** The program's argv after `python3`, and its standard input. */
  readonly args: readonly string[];
  readonly stdin: Buffer | undefined;
  readonly log: (line: string) => void;
}

/** The engine's argv for one run (exported for the unit tests). */
export function containerArgv(command: string, run: ContainerRun): string[] {
  return [
    'run',
    '-i',
    '--rm',
    // The image is used as it is locally; only when it is missing is it pulled (below).
    '--pull',
    'never',
    ...(run.network ? [] : ['--network', 'none']),
    ...CONFINED,
    ...userArgs(command, process.getuid?.(), process.getgid?.()),
    ...mountArgs(run.mounts),
    '-w',
    run.workdir,
    '--entrypoint',
    'python3',
    run.toolchain.image,
    ...run.args,
  ];
}

/** Runs python3 with `args` in the conversion image, pulling the image once when it is missing. */
export async function runInConversionContainer(
  cli: ContainerCli,
  run: ContainerRun,
): Promise<RunResult> {
  const argv = containerArgv(cli.command, run);
  const runOptions = {
    timeoutMs: CONVERSION_TIMEOUT_MS,
    ...(run.stdin ? { stdin: run.stdin } : {}),
  };
  const began = performance.now();
  let result = await cli.run(argv, runOptions);
  if (result.exitCode === 125 && IMAGE_MISSING.test(result.stderr)) {
    await pullImage(cli, run.toolchain, run.log);
    result = await cli.run(argv, runOptions);
  }
  core.debug(
    `conversion container: exit ${result.exitCode} in ${Math.round(performance.now() - began)} ms`,
  );
  return result;
}
