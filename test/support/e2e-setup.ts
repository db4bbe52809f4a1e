// Global setup of the e2e project: podman ready and the test images built, then, when the Docker
// engine is among PYCOV_HARVEST_ENGINES, the private dockerd started with copies of the images
// (all idempotent).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { engines, setupDocker } from './engine.js';
import { imagesDir } from './images.js';

function step(what: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`${what} failed; the e2e tests need it:\n${stderr}`);
  }
}

export default function setup(): void {
  for (const script of ['setup-podman.sh', 'build.sh']) {
    step(`test/images/${script}`, () =>
      execFileSync('bash', [join(imagesDir, script)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 1_800_000,
      }),
    );
  }
  if (engines.some((engine) => engine.name === 'docker'))
    step('test/images/setup-docker.sh (the private Docker engine)', setupDocker);
}
