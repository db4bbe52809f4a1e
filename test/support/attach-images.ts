// Service images for the `attach` tests: test/images' first users' stacks on Python 3.12 and 3.13
// (uvicorn 0.30.6, the newest coverage, /first-users-entrypoint.sh, UID 1001), its 3.11 and 3.14
// images (the same entrypoint is in every service image), and a shell-less copy of the 3.12 one
// built here from test/attach/distroless (no /usr/bin, `coverage run` as PID 1).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import { images, repoRoot } from './images.js';

export type AttachImage = '3.11' | '3.12' | '3.13' | '3.14' | '3.12-distroless';

function imageId(engine: Engine, image: string): string | undefined {
  try {
    return execFileSync(engine.command, ['image', 'inspect', '--format', '{{.Id}}', image], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: engine.processEnv,
    }).trim();
  } catch {
    return undefined;
  }
}

/** The image of `key` in the engine's store (the shell-less one built when missing). */
export function attachImage(engine: Engine, key: AttachImage): string {
  if (key === '3.11') return images.service;
  if (key === '3.12') return images.servicePy312;
  if (key === '3.13') return images.servicePy313;
  if (key === '3.14') return images.servicePy314;
  const base = images.servicePy312;
  const id = imageId(engine, base)
    ?.replace(/^sha256:/, '')
    .slice(0, 12);
  if (id === undefined)
    throw new Error(`${base} is not in ${engine.name}'s store: run test/images/build.sh`);
  // Named after its base, so a rebuilt base gets a new shell-less copy.
  const image = `localhost/pycov-harvest/attach-service:py3.12-distroless-${id}`;
  if (imageId(engine, image) !== undefined) return image;
  const dir = join(repoRoot, 'test/attach/distroless');
  execFileSync(
    engine.command,
    [
      'build',
      '-q',
      '--build-arg',
      `BASE=${base}`,
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
