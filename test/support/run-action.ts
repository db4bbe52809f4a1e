// Runs the bundled action (node dist/index.js) as a GitHub runner runs a step: INPUT_* with the
// input names upper-cased and hyphens kept, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP,
// GITHUB_WORKSPACE.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './images.js';

export interface ActionRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly workspace: string;
  readonly runnerTemp: string;
}

/** Parses the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] ?? '');
    outputs[match[1]] = value.join('\n');
  }
  return outputs;
}

export function makeWorkspace(prepare?: (workspace: string) => void): {
  workspace: string;
  runnerTemp: string;
} {
  const root = mkdtempSync(join(tmpdir(), 'pycov-e2e-'));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  prepare?.(workspace);
  return { workspace, runnerTemp };
}

/**
 * Runs dist/index.js as a step. `extraEnv` adds to (or overrides) the runner variables, e.g. the
 * ACTIONS_RESULTS_URL / ACTIONS_RUNTIME_TOKEN pair for uploads or KUBECONFIG.
 */
export function runAction(
  inputs: Record<string, string>,
  place: { workspace: string; runnerTemp: string },
  extraEnv: NodeJS.ProcessEnv = {},
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
    GITHUB_REPOSITORY: 'example/service',
    GITHUB_RUN_ID: '1',
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolveRun) => {
    // Asynchronous on purpose: servers the test runs (e.g. the artifact server) share this event loop.
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

/** The `::error::` / `::warning::` workflow commands the action printed. */
export function annotations(stdout: string, kind: 'error' | 'warning'): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`::${kind}`))
    .map((line) =>
      line
        .replace(/^::[a-z]+[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%'),
    );
}

/** lcov `DA:` records per source file: line -> hits. */
export function parseLcov(text: string): Map<string, Map<number, number>> {
  const files = new Map<string, Map<number, number>>();
  let current: Map<number, number> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('SF:')) {
      current = new Map();
      files.set(line.slice(3), current);
    } else if (line.startsWith('DA:') && current) {
      const [lineNo, hits] = line.slice(3).split(',');
      current.set(Number(lineNo), Number(hits));
    }
  }
  return files;
}

/**
 * A coverage config with only `relative_files = true`, in the workspace: what coverage.py's own
 * CLI needs to read the combined `.coverage` (its names are workspace-relative), as a user with
 * that setting in the project's config would run it.
 */
export function relativeFilesRc(workspace: string): string {
  const path = join(workspace, 'relative-files.rc');
  writeFileSync(path, '[run]\nrelative_files = true\n');
  return path;
}
