// Runs the bundled action like test/support/run-action.ts does, plus the variables a runner gives
// a step that may upload artifacts (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, GITHUB_SERVER_URL).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './images.js';
import { parseOutputFile, type ActionRun } from './run-action.js';

export function runActionWithEnv(
  inputs: Record<string, string>,
  place: { workspace: string; runnerTemp: string },
  extraEnv: Record<string, string>,
): Promise<ActionRun> {
  const outputFile = join(place.runnerTemp, 'github-output');
  const summaryFile = join(place.runnerTemp, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: place.workspace,
    RUNNER_TEMP: place.runnerTemp,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'example/service',
    GITHUB_RUN_ID: '1',
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolveRun) => {
    // Asynchronous on purpose: the artifact server runs in this process's event loop.
    execFile(
      process.execPath,
      [join(repoRoot, 'dist/index.js')],
      { cwd: place.workspace, env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolveRun({
          exitCode: code,
          stdout,
          stderr,
          outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
          summary: readFileSync(summaryFile, 'utf8'),
          ...place,
        });
      },
    );
  });
}
