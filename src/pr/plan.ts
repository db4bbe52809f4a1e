/**
 * The pull request reader's view, first stage: before the conversion, run git and resolve the
 * runner's files the conversion needs (`extra-data`, a `baseline`). `pullRequestView` (view.ts)
 * finishes it after the conversion.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Inputs } from '../inputs/types.js';
import { baselineKind } from '../report/baseline.js';
import type { RunnerData } from '../report/conversion.js';
import { resolveExtraData } from '../report/extra-data.js';
import { readRunEvent, type RunEvent } from './event.js';
import { exportPythonSources, pullRequestDiff, topLevelOf, type PullRequestDiff } from './git.js';

export type ViewInputs = Pick<
  Inputs,
  'workspace' | 'outputDir' | 'extraData' | 'baseline' | 'failUnderDiff'
>;

export interface PullRequestPlan {
  readonly event: RunEvent;
  /** The repository's top directory; the workspace when it is not a git checkout. */
  readonly top: string;
  readonly diff: PullRequestDiff | undefined;
  /** Why the changed lines are unknown on a pull request (one sentence with the fix). */
  readonly diffError: string | undefined;
  readonly baselineFile: string | undefined;
  readonly baselineIsData: boolean;
  /** Extra options for convertReports: `extra-data` files and a `.coverage` baseline. */
  readonly convert: RunnerData;
  /** Scratch directory with the base commit's sources, removed by `pullRequestView`. */
  readonly scratch: string | undefined;
  readonly warnings: readonly string[];
}

/** Runs git and resolves the files the conversion needs. Throws only on unusable inputs. */
export async function planPullRequestView(
  inputs: ViewInputs,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PullRequestPlan> {
  const event = await readRunEvent(env);
  const extraDataFiles = await resolveExtraData(
    inputs.extraData,
    inputs.workspace,
    inputs.outputDir,
  );
  const top = (await topLevelOf(inputs.workspace).catch(() => undefined)) ?? inputs.workspace;
  const warnings: string[] = [];
  let diff: PullRequestDiff | undefined;
  let diffError: string | undefined;
  if (event.pullRequest !== undefined) {
    try {
      diff = await pullRequestDiff(inputs.workspace, event.pullRequest.baseSha, log);
      log(
        `the pull request changes ${diff.changes.length} file(s) (${diff.from.slice(0, 7)}..${diff.to.slice(0, 7)})`,
      );
    } catch (error) {
      diffError = (error as Error).message;
      warnings.push(diffError);
    }
  }
  const baseSha = diff === undefined ? undefined : event.pullRequest?.baseSha;
  const baseline = await planBaseline(inputs, top, baseSha, warnings);
  return {
    event,
    top,
    diff,
    diffError,
    baselineFile: baseline.file,
    baselineIsData: baseline.isData,
    convert: {
      extraDataFiles,
      ...(baseline.data === undefined ? {} : { baseline: baseline.data }),
    },
    scratch: baseline.scratch,
    warnings,
  };
}

interface BaselinePlan {
  readonly file: string | undefined;
  readonly isData: boolean;
  readonly data: RunnerData['baseline'];
  readonly scratch: string | undefined;
}

/**
 * The `baseline` file and, for a `.coverage` baseline, the sources coverage.py reads it against:
 * the base commit's (`baseSha`, on a pull request whose diff is known), else the workspace's.
 */
async function planBaseline(
  inputs: ViewInputs,
  top: string,
  baseSha: string | undefined,
  warnings: string[],
): Promise<BaselinePlan> {
  const none: BaselinePlan = {
    file: undefined,
    isData: false,
    data: undefined,
    scratch: undefined,
  };
  if (inputs.baseline === undefined) return none;
  const kind = await baselineKind(inputs.baseline);
  if (kind === undefined) {
    warnings.push(
      `\`baseline\` ${inputs.baseline} does not exist, so no change against the base branch is shown; download the base branch's coverage.json or .coverage before this step (e.g. actions/download-artifact)`,
    );
    return none;
  }
  const file = inputs.baseline;
  if (kind !== 'data') return { ...none, file };
  let sourceDir: string | undefined = inputs.workspace;
  let scratch: string | undefined;
  if (baseSha !== undefined) {
    // The baseline's line numbers are the base commit's: coverage.py must read those sources.
    scratch = join(inputs.outputDir, 'baseline-src');
    sourceDir = await baseSources(top, baseSha, scratch, inputs.workspace).catch((error: Error) => {
      warnings.push(`\`baseline\` ${file} is left out: ${error.message}`);
      return undefined;
    });
  }
  if (sourceDir === undefined) return { ...none, isData: true, scratch };
  return { file, isData: true, data: { dataFile: file, sourceDir }, scratch };
}

/** Writes the base commit's Python files under `scratch`; returns the workspace's place there. */
async function baseSources(
  top: string,
  sha: string,
  scratch: string,
  workspace: string,
): Promise<string> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  await exportPythonSources(top, sha, scratch);
  const sourceDir = join(scratch, relative(top, workspace));
  await mkdir(sourceDir, { recursive: true });
  return sourceDir;
}
