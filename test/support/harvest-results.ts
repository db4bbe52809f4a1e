// What the e2e and cluster tests read from a finished run of the action: the checkout it ran in,
// its lcov, the hits on a marked line, the per-target outcomes, and the run for a failure message.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Engine } from './engine.js';
import { appSourceDir, images, markerLine } from './images.js';
import { makeWorkspace, parseLcov, runAction, type ActionRun } from './run-action.js';

export type Lcov = Map<string, Map<number, number>>;

export interface Outcome {
  target: string;
  method: string | null;
  ms: number;
  files: number;
  bytes: number;
}

/** A checkout holding the app as the service image has it under /app/src. */
export function checkout(): { workspace: string; runnerTemp: string } {
  return makeWorkspace((workspace) =>
    cpSync(appSourceDir, join(workspace, 'src'), { recursive: true }),
  );
}

/** The run's lcov report, at the default `output-dir`. */
export function lcovOf(run: ActionRun): Lcov {
  expect(run.outputs['lcov-file']).toBe('coverage-harvest/coverage.lcov');
  return parseLcov(readFileSync(join(run.workspace, run.outputs['lcov-file'] ?? ''), 'utf8'));
}

/** Hits on the line of the sample app's `file` marked `# cov:<marker>`. */
export function hits(lcov: Lcov, file: string, marker: string): number | undefined {
  return lcov.get(`src/${file}`)?.get(markerLine(file, marker));
}

/** The `targets` output: one outcome per target. */
export function targetsOf(run: ActionRun): Outcome[] {
  return JSON.parse(run.outputs.targets ?? '[]') as Outcome[];
}

/** The run, for an assertion's message. */
export function explain(run: ActionRun): string {
  return `exit ${run.exitCode}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/** `k=v,k2=v2`: the docker target's label selector for these labels. */
export function selectorOf(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The bundled action harvesting the containers with `labels` on `engine`, no upload. */
export function harvestContainers(
  engine: Engine,
  labels: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction(
    {
      target: 'docker',
      selector: selectorOf(labels),
      ...engine.inputs,
      'path-map': `${images.appDir.replace(/\/src$/, '')}=.`,
      'coverage-image': images.coverage,
      upload: 'false',
      ...extra,
    },
    checkout(),
    engine.env,
  );
}
