/**
 * The pull request reader's view, second stage: after the conversion, the changed lines, the
 * change against the baseline, the links, the outputs and the `fail-under-diff` verdict.
 */
import { rm } from 'node:fs/promises';
import { compareToBaseline, formatDelta, type BaselineComparison } from '../report/baseline.js';
import type { ConvertResult } from '../report/conversion.js';
import { readCoverageJson, type CoverageJson } from '../report/coverage-json.js';
import { formatPercent } from '../shared/format.js';
import { changedLines, diffLinesJson, type ChangedLines } from './changed-lines.js';
import { sourceLinks, type SourceLinks } from './links.js';
import type { PullRequestPlan, ViewInputs } from './plan.js';
import { repoPathOf } from './repo-path.js';
import { readSourceLines, type SourceLines } from './source-lines.js';

/** What the job summary shows a pull request's reader. */
export interface PullRequestFigures {
  /** On pull requests: the changed lines of `coverage` that ran. */
  readonly changed?: ChangedLines;
  /** On pull requests, when the changed lines are unknown: why (one sentence with the fix). */
  readonly changedError?: string;
  /** With `extra-data`: the E2E-only report and its changed lines (`coverage` has both). */
  readonly e2eOnly?: { readonly coverage: CoverageJson; readonly changed?: ChangedLines };
  /** With `baseline`: the change against the base branch's coverage. */
  readonly baseline?: BaselineComparison;
  /** How the baseline was read, when the reader should know (shown beside the change). */
  readonly baselineNote?: string;
  /** Where missed lines link to; no links without it. */
  readonly links?: SourceLinks;
  /** The text of the changed files with missed lines, to show those lines as code. */
  readonly sources?: SourceLines;
}

export interface PullRequestView {
  /** Fields for writeJobSummary's input. */
  readonly summary: PullRequestFigures;
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
  const baseline = await compareBaseline(plan, coverage, reports.baselineJson, pathOf, warnings);
  if (plan.scratch !== undefined) await rm(plan.scratch, { recursive: true, force: true });
  const sources = changed === undefined ? undefined : await readSourceLines(changed, plan.top);
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
      sources,
    },
    outputs: {
      diffPercent: changed === undefined ? '' : changed.percent.toFixed(2),
      diffLines: changed === undefined ? '' : diffLinesJson(changed),
      delta: baseline === undefined ? '' : formatDelta(baseline.delta).replace(/^\+/, ''),
    },
    warnings,
    failure: diffFailure(plan, changed, inputs.failUnderDiff),
  };
}

/** The change against the baseline's report, or undefined (with a warning when it is unusable). */
async function compareBaseline(
  plan: PullRequestPlan,
  coverage: CoverageJson,
  baselineJson: string | undefined,
  pathOf: (name: string) => string | undefined,
  warnings: string[],
): Promise<BaselineComparison | undefined> {
  const baselinePath = plan.baselineIsData ? baselineJson : plan.baselineFile;
  if (baselinePath === undefined) return undefined;
  try {
    const renames = new Map(
      (plan.diff?.changes ?? []).flatMap((c) =>
        c.kind === 'renamed' && c.newPath !== undefined && c.oldPath !== undefined
          ? [[c.newPath, c.oldPath] as const]
          : [],
      ),
    );
    return compareToBaseline(coverage, await readCoverageJson(baselinePath), pathOf, renames);
  } catch (error) {
    warnings.push(
      `\`baseline\` ${plan.baselineFile} cannot be used (${(error as Error).message}); give the base branch's coverage.json or combined .coverage written by this action`,
    );
    return undefined;
  }
}

/** The sentence `fail-under-diff` fails the step with, if the changed lines fall short. */
function diffFailure(
  plan: PullRequestPlan,
  changed: ChangedLines | undefined,
  failUnderDiff: number | undefined,
): string | undefined {
  if (failUnderDiff === undefined || plan.event.pullRequest === undefined) return undefined;
  if (changed === undefined) {
    return `\`fail-under-diff\` is set but the changed lines are unknown: ${plan.diffError ?? 'no diff'}`;
  }
  if (changed.percent < failUnderDiff) {
    return `the tests executed ${formatPercent(changed.percent)}% of the lines this pull request changes (${changed.executed} of ${changed.statements}), below \`fail-under-diff\` ${failUnderDiff}%; add tests that run the lines listed under "Changed lines" in the job summary, or lower \`fail-under-diff\``;
  }
  return undefined;
}
