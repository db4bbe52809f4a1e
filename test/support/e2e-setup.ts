// Global setup of the e2e project: podman ready and the test images built (both idempotent).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { imagesDir } from './images.js';

export default function setup(): void {
  for (const script of ['setup-podman.sh', 'build.sh']) {
    try {
      execFileSync('bash', [join(imagesDir, script)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 1_800_000,
      });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(
        `test/images/${script} failed; the e2e tests need podman and the test images:\n${stderr}`,
      );
    }
  }
}
