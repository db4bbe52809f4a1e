/**
 * The pull request reader's view, as two stages of the run: `planPullRequestView` before the
 * conversion (git, `extra-data`, `baseline` files the conversion needs) and `pullRequestView`
 * after it (changed lines, baseline change, links, outputs, the `fail-under-diff` verdict).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { baselineKind, compareToBaseline, formatDelta } from './baseline.js';
import { readCoverageJson, type CoverageJson } from './coverage-json.js';
import type { ConvertResult } from './convert.js';
import { changedLines, diffLinesJson, type ChangedLines } from './diff/changed-lines.js';
import { readRunEvent, type RunEvent } from './diff/event.js';
import {
  exportPythonSources,
  pullRequestDiff,
  topLevelOf,
  type PullRequestDiff,
} from './diff/git.js';
import { repoPathOf } from './diff/repo-path.js';
import { resolveExtraData } from './extra-data.js';
import type { Inputs } from './inputs.js';
import { sourceLinks } from './links.js';
import { formatPercent } from './markdown.js';
import type { SummaryInput } from './summary.js';

type ViewInputs = Pick<
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
  readonly convert: {
    readonly extraDataFiles: readonly string[];
    readonly baseline?: { readonly dataFile: string; readonly sourceDir: string };
  };
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

  let baselineFile: string | undefined;
  let baselineIsData = false;
  let baseline: PullRequestPlan['convert']['baseline'];
  let scratch: string | undefined;
  if (inputs.baseline !== undefined) {
    const kind = await baselineKind(inputs.baseline);
    if (kind === undefined) {
      warnings.push(
        `\`baseline\` ${inputs.baseline} does not exist, so no change against the base branch is shown; download the base branch's coverage.json or .coverage before this step (e.g. actions/download-artifact)`,
      );
    } else {
      baselineFile = inputs.baseline;
      baselineIsData = kind === 'data';
    }
    if (baselineIsData && baselineFile !== undefined) {
      let sourceDir: string | undefined = inputs.workspace;
      if (event.pullRequest !== undefined && diff !== undefined) {
        // The baseline's line numbers are the base commit's: coverage.py must read those sources.
        scratch = join(inputs.outputDir, 'baseline-src');
        sourceDir = await baseSources(
          top,
          event.pullRequest.baseSha,
          scratch,
          inputs.workspace,
        ).catch((error: Error) => {
          warnings.push(`\`baseline\` ${baselineFile} is left out: ${error.message}`);
          return undefined;
        });
      }
      if (sourceDir === undefined) baselineFile = undefined;
      else baseline = { dataFile: baselineFile, sourceDir };
    }
  }
  return {
    event,
    top,
    diff,
    diffError,
    baselineFile,
    baselineIsData,
    convert: { extraDataFiles, ...(baseline === undefined ? {} : { baseline }) },
    scratch,
    warnings,
  };
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

export interface PullRequestView {
  /** Fields for writeJobSummary's input. */
  readonly summary: Pick<
    SummaryInput,
    'changed' | 'changedError' | 'e2eOnly' | 'baseline' | 'links' | 'baselineNote'
  >;
  readonly outputs: {
    readonly diffPercent: string;
    readonly diffLines: string;
    readonly delta: string;
  };
  readonly warnings: readonly string[];
  /** The sentence the step fails with at its end (`fail-under-diff`), if any. */
  readonly failure: string | undefined;
}

/** After the conversion: everything the summary, the outputs and the final verdict need. */
export async function pullRequestView(
  plan: PullRequestPlan,
  coverage: CoverageJson,
  converted: Pick<ConvertResult, 'reports' | 'baselineError'>,
  inputs: ViewInputs,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PullRequestView> {
  const pathOf = (name: string): string | undefined => repoPathOf(name, inputs.workspace, plan.top);
  const warnings: string[] = [];
  const changedOf = (report: CoverageJson): ChangedLines | undefined =>
    plan.diff === undefined ? undefined : changedLines(plan.diff.changes, report, pathOf);
  const changed = changedOf(coverage);
  const { reports } = converted;
  const e2eCoverage =
    reports.e2eJson === undefined ? undefined : await readCoverageJson(reports.e2eJson);
  if (converted.baselineError !== undefined) {
    warnings.push(
      `\`baseline\` ${plan.baselineFile} cannot be used (coverage.py: ${converted.baselineError}); give the base branch's coverage.json or combined .coverage written by this action`,
    );
  }

  let baseline: SummaryInput['baseline'];
  const baselinePath = plan.baselineIsData ? reports.baselineJson : plan.baselineFile;
  if (baselinePath !== undefined) {
    try {
      const renames = new Map(
        (plan.diff?.changes ?? []).flatMap((c) =>
          c.kind === 'renamed' && c.newPath !== undefined && c.oldPath !== undefined
            ? [[c.newPath, c.oldPath] as const]
            : [],
        ),
      );
      baseline = compareToBaseline(coverage, await readCoverageJson(baselinePath), pathOf, renames);
    } catch (error) {
      warnings.push(
        `\`baseline\` ${plan.baselineFile} cannot be used (${(error as Error).message}); give the base branch's coverage.json or combined .coverage written by this action`,
      );
    }
  }
  if (plan.scratch !== undefined) await rm(plan.scratch, { recursive: true, force: true });

  let failure: string | undefined;
  if (inputs.failUnderDiff !== undefined && plan.event.pullRequest !== undefined) {
    if (changed === undefined) {
      failure = `\`fail-under-diff\` is set but the changed lines are unknown: ${plan.diffError ?? 'no diff'}`;
    } else if (changed.percent < inputs.failUnderDiff) {
      failure = `the tests executed ${formatPercent(changed.percent)}% of the lines this pull request changes (${changed.executed} of ${changed.statements}), below \`fail-under-diff\` ${inputs.failUnderDiff}%; add tests that run the lines listed under "Changed lines" in the job summary, or lower \`fail-under-diff\``;
    }
  }

  return {
    summary: {
      changed,
      changedError: plan.diffError,
      e2eOnly:
        e2eCoverage === undefined
          ? undefined
          : { coverage: e2eCoverage, changed: changedOf(e2eCoverage) },
      baseline,
      baselineNote:
        baseline !== undefined &&
        plan.baselineIsData &&
        plan.convert.baseline?.sourceDir === inputs.workspace
          ? "the baseline's data was read against the checked-out sources, not the base commit's"
          : undefined,
      links: sourceLinks(env, plan.event.linkSha, pathOf),
    },
    outputs: {
      diffPercent: changed === undefined ? '' : changed.percent.toFixed(2),
      diffLines: changed === undefined ? '' : diffLinesJson(changed),
      delta: baseline === undefined ? '' : formatDelta(baseline.delta).replace(/^\+/, ''),
    },
    warnings,
    failure,
  };
}
