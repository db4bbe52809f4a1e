// Service images for the `attach` tests: the first users' stack on Python 3.12 and 3.13 (the
// pyenv-built 3.12.1 in a bookworm root, trixie's 3.13; uvicorn 0.30.6, coverage 7.18.0,
// /first-users-entrypoint.sh, UID 1001), its shell-less copy (test/attach/distroless), and
// test/images' 3.11 and 3.14 (the same entrypoint is in every service image). The 3.12/3.13 images come from versions.env's SERVICE_PY312_IMAGE /
// SERVICE_PY313_IMAGE when test/images builds them, else from the copies test/attach/save-images.sh
// keeps under the cache (the stacks branch's images, which main's build.sh does not make yet).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import { images, imagesDir, repoRoot } from './images.js';

export type AttachImage = '3.11' | '3.12' | '3.13' | '3.14' | '3.12-distroless';

const SAVED = join(
  process.env.PYCOV_HARVEST_CACHE ?? join(homedir(), '.cache/pycov-harvest'),
  'attach-images',
);
const savedName = (key: AttachImage) => `localhost/pycov-harvest/attach-service:py${key}`;

/** versions.env's key for an image, when test/images declares it. */
function declared(key: string): string | undefined {
  const line = readFileSync(join(imagesDir, 'versions.env'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  const value = line?.slice(key.length + 1).trim();
  return value === undefined || value === '' ? undefined : value;
}

function present(engine: Engine, image: string): boolean {
  try {
    execFileSync(engine.command, ['image', 'inspect', image], {
      stdio: 'ignore',
      env: engine.processEnv,
    });
    return true;
  } catch {
    return false;
  }
}

/** The image of `key` in the engine's store (loaded from its saved copy when missing). */
export function attachImage(engine: Engine, key: AttachImage): string {
  if (key === '3.11') return images.service;
  if (key === '3.14') return images.servicePy314;
  const built =
    key === '3.12-distroless' ? undefined : declared(`SERVICE_PY${key.replace('.', '')}_IMAGE`);
  if (built !== undefined && present(engine, built)) return built;
  const image = savedName(key);
  if (present(engine, image)) return image;
  const tar = join(SAVED, `py${key}.tar`);
  if (key === '3.12-distroless' && !existsSync(tar)) {
    // Built from the 3.12 image: no shell, no coreutils, `coverage run` as PID 1.
    const dir = join(repoRoot, 'test/attach/distroless');
    execFileSync(
      engine.command,
      [
        'build',
        '-q',
        '--build-arg',
        `BASE=${attachImage(engine, '3.12')}`,
        '-t',
        image,
        '-f',
        join(dir, 'Containerfile'),
        dir,
      ],
      { stdio: 'ignore', env: engine.processEnv, timeout: 600_000 },
    );
    return image;
  }
  if (!existsSync(tar))
    throw new Error(
      `no image for Python ${key}: build it with test/images/build.sh, or save the stacks images with test/attach/save-images.sh`,
    );
  execFileSync(engine.command, ['load', '-i', tar], {
    stdio: 'ignore',
    env: engine.processEnv,
    timeout: 600_000,
  });
  return image;
}
