import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// src/remote/*.py import as text, as esbuild's `loader: { '.py': 'text' }` does in the bundle.
const pythonAsText = {
  name: 'python-as-text',
  load(id: string) {
    return id.endsWith('.py')
      ? `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`
      : null;
  },
};

// CI (.ci/run) collects the counts of every vitest run as JSON in VITEST_JSON_DIR.
const jsonDir = process.env.VITEST_JSON_DIR;

export default defineConfig({
  test: {
    ...(jsonDir
      ? {
          reporters: ['default', 'json'],
          outputFile: { json: `${jsonDir}/vitest-${process.pid}.json` },
        }
      : {}),
    // e2e and cluster files share podman and the cluster; run files one at a time.
    fileParallelism: false,
    projects: [
      {
        plugins: [pythonAsText],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/runner-env.ts'],
        },
      },
      {
        plugins: [pythonAsText],
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/e2e-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
      {
        plugins: [pythonAsText],
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_800_000,
        },
      },
    ],
  },
});
