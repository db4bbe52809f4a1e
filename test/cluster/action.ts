// Runs the bundled action against the cluster the way a runner runs a step (INPUT_* env,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). The bundle is dist/index.js once the Kubernetes target is
// registered in src/targets/discover.ts; until then, the same sources bundled with the same
// esbuild settings from test/cluster/action-entry.ts, which registers it.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/images.js';
import { parseOutputFile, type ActionRun } from '../support/run-action.js';

let bundled: Promise<string> | undefined;

export function kubernetesRegisteredInDist(): boolean {
  const source = readFileSync(join(repoRoot, 'src/targets/discover.ts'), 'utf8');
  return source.includes('discoverPods');
}

async function bundle(): Promise<string> {
  if (kubernetesRegisteredInDist()) return join(repoRoot, 'dist/index.js');
  const outfile = join(mkdtempSync(join(tmpdir(), 'pycov-action-')), 'index.js');
  await build({
    entryPoints: [join(repoRoot, 'test/cluster/action-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    legalComments: 'none',
    loader: { '.py': 'text' },
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __pycovCreateRequire } from 'node:module';\nconst require = __pycovCreateRequire(import.meta.url);",
    },
  });
  return outfile;
}

/** The path of the action bundle these tests run (built once per test file). */
export function actionBundle(): Promise<string> {
  bundled ??= bundle();
  return bundled;
}

export async function runKubernetesAction(
  inputs: Record<string, string>,
  place: { workspace: string; runnerTemp: string },
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  const script = await actionBundle();
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
    execFile(
      process.execPath,
      [script],
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
