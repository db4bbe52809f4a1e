// The run as named stages: discover → harvest → combine and convert → report → publish. The
// action (src/main.ts) and the CLI's `harvest` (src/cli/harvest.ts) both run it; what is
// GitHub's (log groups, the job summary, step outputs) comes in through the `Reporter`. Lower
// modules throw; the callers turn an error into a failed step or an exit status.
import * as core from '@actions/core';
import { harvestAll, noDataMessage, stuckMessage } from '../harvest/harvest-all.js';
import type { TargetOutcome } from '../harvest/outcome.js';
import type { TargetHarvest } from '../harvest/types.js';
import type { Inputs } from '../inputs/types.js';
import { planPullRequestView } from '../pr/plan.js';
import { pullRequestView } from '../pr/view.js';
import { githubDestination, type Destination } from '../publish/destination.js';
import { publish } from '../publish/publish.js';
import { linePercent, readCoverageJson } from '../report/coverage-json.js';
import { combineAndConvert, readContexts } from '../report/reports.js';
import { info } from '../shared/log.js';
import type { Warnings } from '../shared/warnings.js';
import { discoverTargets } from '../targets/discover.js';
import type { Target } from '../targets/target.js';

/** Where the run shows its progress, its summary and its outputs. */
export interface Reporter extends Destination {
  /** Runs one stage under its name (a collapsible group in the action's log). */
  stage<T>(name: string, run: () => Promise<T>): Promise<T>;
  info(line: string): void;
}

/** The action on a runner. */
export const actionReporter: Reporter = {
  ...githubDestination,
  stage: (name, run) => core.group(name, run),
  info: (line) => info(line),
};

/** What the stages found so far: what a failure summary can still show. */
export interface RunState {
  readonly warnings: Warnings;
  outcomes: readonly TargetOutcome[];
}

export async function pipeline(inputs: Inputs, state: RunState, reporter: Reporter): Promise<void> {
  const targets = await reporter.stage('discover', () => discover(inputs, state, reporter));
  if (targets === undefined) return;
  // Before the harvest: a wrong `extra-data` path fails the step while the services still run.
  const plan = await reporter.stage('pull request', () =>
    planPullRequestView(inputs, (line) => reporter.info(line)),
  );
  state.warnings.addAll(plan.warnings);
  const harvests = await reporter.stage(`harvest ${targets.length} target(s)`, () =>
    harvest(inputs, targets, state, reporter),
  );
  const converted = await reporter.stage('combine and convert with coverage.py', () =>
    combineAndConvert(inputs, harvests, plan.convert, state.warnings),
  );
  const coverage = await readCoverageJson(converted.reports.json);
  const percent = linePercent(coverage.totals);
  reporter.info(
    `total line coverage ${percent.toFixed(2)}% over ${Object.keys(coverage.files).length} file(s)`,
  );
  const view = await pullRequestView(plan, coverage, converted, inputs);
  state.warnings.addAll(view.warnings);
  const contexts = await readContexts(converted, coverage, inputs.outputDir);
  const commentWarnings = await reporter.stage('publish', () =>
    publish(
      inputs,
      {
        outcomes: state.outcomes,
        warnings: state.warnings.all(),
        converted,
        coverage,
        percent,
        view,
        contexts,
        event: plan.event,
      },
      reporter,
    ),
  );
  state.warnings.addAll(commentWarnings);
  failIfUnconfirmed(state.outcomes);
  if (inputs.failUnder !== undefined && percent < inputs.failUnder) {
    throw new Error(
      `total line coverage ${percent.toFixed(2)}% is below \`fail-under\` ${inputs.failUnder}%; add tests that exercise more code or lower \`fail-under\``,
    );
  }
  if (view.failure !== undefined) throw new Error(view.failure);
}

/** The targets, or undefined when none matched and `if-no-targets` lets the step end there. */
async function discover(
  inputs: Inputs,
  state: RunState,
  reporter: Reporter,
): Promise<readonly Target[] | undefined> {
  const discovery = await discoverTargets(inputs, (message) => state.warnings.add(message));
  if (discovery.targets.length > 0) {
    reporter.info(`found ${discovery.targets.map((t) => t.label).join(', ')}`);
    return discovery.targets;
  }
  const message = `no ${discovery.searched} found; ${discovery.hint}`;
  if (inputs.ifNoTargets === 'error') throw new Error(message);
  if (inputs.ifNoTargets === 'warn') state.warnings.add(message);
  else reporter.info(message);
  await reporter.outputs({ targets: [] });
  return undefined;
}

/** The harvest stage; fails the step when no target yielded a data file. */
async function harvest(
  inputs: Inputs,
  targets: readonly Target[],
  state: RunState,
  reporter: Reporter,
): Promise<readonly TargetHarvest[]> {
  const harvests = await harvestAll(inputs, targets);
  state.outcomes = harvests.map((h) => h.outcome);
  for (const h of harvests) {
    state.warnings.addAll(h.warnings);
    if (h.outcome.error !== undefined) state.warnings.add(`${h.outcome.label}: ${h.outcome.error}`);
  }
  if (harvests.every((h) => h.files.length === 0)) {
    await reporter.outputs({ targets: state.outcomes });
    throw new Error(noDataMessage(harvests, inputs.dataDir));
  }
  return harvests;
}

/** A running target whose flush no method confirmed: its data may be stale, so the step fails. */
function failIfUnconfirmed(outcomes: readonly TargetOutcome[]): void {
  const unconfirmed = outcomes.filter((o) => o.method === null && o.attempts.length > 0);
  if (unconfirmed.length === 0) return;
  const stuck = stuckMessage(unconfirmed);
  if (stuck !== undefined) throw new Error(stuck);
  const first = unconfirmed[0];
  const tried = first?.attempts.map((a) => `${a.method}: ${a.detail}`).join('; ') ?? '';
  throw new Error(
    `no flush method confirmed a save in ${unconfirmed.map((o) => o.label).join(', ')} (${tried}); the reports hold only the data that was already there, so the step fails`,
  );
}
