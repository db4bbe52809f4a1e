// A service image whose coverage.py is the release before the test images' pin, for the cases where
// the targets measured with a version the conversion image does not have (real projects pin an
// older coverage.py than the newest). The wheel is fetched from PyPI once and kept in the cache.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import { images } from './images.js';

export const OLDER_COVERAGE_VERSION = '7.17.5';

const cache = process.env.PYCOV_HARVEST_CACHE ?? join(homedir(), '.cache/pycov-harvest');

function olderCoverageWheel(): string {
  const dir = join(cache, 'wheels', `coverage-${OLDER_COVERAGE_VERSION}-cp311`);
  const wheel = () => readdirSync(dir).find((f) => f.endsWith('.whl'));
  if (existsSync(dir) && wheel() !== undefined) return join(dir, wheel() as string);
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  execFileSync(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '--implementation',
      'cp',
      '--python-version',
      '3.11',
      '--abi',
      'cp311',
      '--platform',
      'manylinux_2_17_x86_64',
      '--platform',
      'manylinux_2_28_x86_64',
      '--dest',
      tmp,
      `coverage==${OLDER_COVERAGE_VERSION}`,
    ],
    { stdio: 'inherit', timeout: 300_000 },
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return join(dir, wheel() as string);
}

/** The service image (py3.11) with coverage OLDER_COVERAGE_VERSION in its venv; the caller removes it. */
export async function olderCoverageImage(engine: Engine): Promise<string> {
  const wheel = olderCoverageWheel();
  const image = `localhost/pycov-harvest/e2e-older-coverage-${process.pid}:1`;
  // The service runs unmeasured while its venv changes; the commit keeps the image's own config.
  const id = await engine.cli('run', '-d', '-e', 'COVERAGE_MODE=none', images.service);
  try {
    const name = wheel.split('/').pop() as string;
    await engine.cli('cp', wheel, `${id}:/tmp/${name}`);
    await engine.cli(
      'exec',
      '--user',
      '0',
      id,
      '/opt/venv/bin/python3',
      '-m',
      'pip',
      'install',
      '--quiet',
      '--no-index',
      '--no-deps',
      '--force-reinstall',
      `/tmp/${name}`,
    );
    await engine.cli('exec', '--user', '0', id, 'rm', `/tmp/${name}`);
    await engine.cli('commit', id, image);
  } finally {
    await engine.cli('rm', '-f', id).catch(() => undefined);
  }
  return image;
}
