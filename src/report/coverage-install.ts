// The coverage.py the services measured with, when the conversion image has another (or none):
// installed with pip in a run of its own, the only one with network, with nothing of the workspace
// or the harvested data mounted, into a directory the conversion then mounts read-only.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installResult } from '../remote/contract.js';
import { eventOf, splitOutput } from '../remote/program-output.js';
import { invocation } from '../remote/programs.js';
import { errorLine, lastLine } from '../shared/text.js';
import type { ContainerCli } from '../targets/container-cli.js';
import { runInConversionContainer } from './conversion-container.js';
import { isReleaseVersion, type Toolchain } from './toolchain.js';

export interface Installed {
  /** The directory with coverage.py in it, or undefined when pip failed. */
  readonly dir: string | undefined;
  /** Why pip failed (its last line), when it did. */
  readonly failure: string | undefined;
}

/** Runs pip for `coverage==<version>` in the conversion image, into a new runner directory. */
export async function installCoverage(
  cli: ContainerCli,
  toolchain: Toolchain,
  log: (line: string) => void,
): Promise<Installed> {
  const version = toolchain.coverageVersion;
  if (version !== '' && !isReleaseVersion(version)) {
    return { dir: undefined, failure: 'not a release version' };
  }
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'pycov-harvest-coverage-'));
  log(
    `installing coverage ${version || '(the newest)'} with pip in its own run of ${toolchain.image} (network; nothing of the workspace mounted)`,
  );
  const program = invocation('python3', 'install', { version: version || null, target: dir });
  const result = await runInConversionContainer(cli, {
    toolchain,
    mounts: [{ path: dir, writable: true }],
    workdir: '/tmp',
    network: true,
    args: program.argv.slice(1),
    stdin: program.stdin,
    log,
  });
  if (result.exitCode !== 0) {
    return { dir: undefined, failure: errorLine(result.stderr) };
  }
  const pip = eventOf('install', splitOutput('install', result.stdout), 'result', installResult);
  if (pip === undefined || pip.exit !== 0) {
    return { dir: undefined, failure: lastLine(pip?.output ?? result.stderr) };
  }
  return { dir, failure: undefined };
}
