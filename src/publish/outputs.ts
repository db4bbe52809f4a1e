import * as core from '@actions/core';
import type { TargetOutcome } from '../harvest/outcome.js';

export interface ActionOutputs {
  readonly lcovFile?: string;
  readonly xmlFile?: string;
  readonly percent?: number;
  readonly targets: readonly TargetOutcome[];
  readonly artifactId?: number;
  readonly artifactUrl?: string;
  /** When the agent's switches recorded contexts: the JSON file context → file → lines. */
  readonly contextsFile?: string;
  /** Pull request outputs; each '' when unknown (not a pull request, no baseline). */
  readonly diffPercent?: string;
  readonly diffLines?: string;
  readonly delta?: string;
  /** The pull request comment written or updated. */
  readonly commentUrl?: string;
}

/** The `targets` output: per target the method that worked, milliseconds, files and bytes. */
export function targetsJson(targets: readonly TargetOutcome[]): string {
  return JSON.stringify(
    targets.map((t) => ({
      target: t.label,
      method: t.method,
      ms: t.ms,
      files: t.files,
      bytes: t.bytes,
      ...(t.error === undefined ? {} : { error: t.error }),
    })),
  );
}

export function setOutputs(outputs: ActionOutputs): void {
  core.setOutput('targets', targetsJson(outputs.targets));
  if (outputs.lcovFile !== undefined) core.setOutput('lcov-file', outputs.lcovFile);
  if (outputs.xmlFile !== undefined) core.setOutput('xml-file', outputs.xmlFile);
  if (outputs.percent !== undefined) core.setOutput('percent', outputs.percent.toFixed(2));
  if (outputs.artifactId !== undefined) core.setOutput('artifact-id', String(outputs.artifactId));
  if (outputs.artifactUrl !== undefined) core.setOutput('artifact-url', outputs.artifactUrl);
  core.setOutput('contexts-file', outputs.contextsFile ?? '');
  core.setOutput('diff-percent', outputs.diffPercent ?? '');
  core.setOutput('diff-lines', outputs.diffLines ?? '');
  core.setOutput('delta', outputs.delta ?? '');
  core.setOutput('comment-url', outputs.commentUrl ?? '');
}
