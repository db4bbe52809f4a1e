// The action as named stages: discover → harvest → combine and convert → report → publish.
// Lower modules throw; this is the one place that turns an error into a failed step, and a failed
// step still gets a summary that says why.
import * as core from '@actions/core';
import { harvestAll, noDataMessage, stuckMessage } from './harvest/harvest-all.js';
import type { TargetOutcome } from './harvest/outcome.js';
import type { TargetHarvest } from './harvest/types.js';
import { getInputs } from './inputs/get-inputs.js';
import type { Inputs } from './inputs/types.js';
import { planPullRequestView } from './pr/plan.js';
import { pullRequestView } from './pr/view.js';
import { setOutputs } from './publish/outputs.js';
import { publish } from './publish/publish.js';
import { linePercent, readCoverageJson } from './report/coverage-json.js';
import { combineAndConvert, readContexts } from './report/reports.js';
import { maskSecretsWith } from './shared/secrets.js';
import { errorText } from './shared/text.js';
import { Warnings } from './shared/warnings.js';
import { writeFailureSummary } from './summary/summary.js';
import { discoverTargets } from './targets/discover.js';
import type { Target } from './targets/target.js';

/** What the stages found so far: what a failure summary can still show. */
interface RunState {
  readonly warnings: Warnings;
  outcomes: readonly TargetOutcome[];
}

/** The action's entry point: every failure below surfaces here, as one failed step. */
export async function run(): Promise<void> {
  const state: RunState = { warnings: new Warnings(), outcomes: [] };
  let inputs: Inputs | undefined;
  maskSecretsWith((value) => core.setSecret(value));
  try {
    inputs = getInputs();
    await pipeline(inputs, state);
  } catch (error) {
    const message = errorText(error);
    core.setFailed(message);
    if (inputs?.summary !== false) {
      try {
        await writeFailureSummary({
          error: message,
          targets: state.outcomes,
          warnings: state.warnings.all(),
        });
      } catch (summaryError) {
        core.info(`could not write the job summary: ${errorText(summaryError)}`);
      }
    }
  }
}

async function pipeline(inputs: Inputs, state: RunState): Promise<void> {
  const targets = await core.group('discover', () => discover(inputs, state));
  if (targets === undefined) return;
  // Before the harvest: a wrong `extra-data` path fails the step while the services still run.
  const plan = await core.group('pull request', () => planPullRequestView(inputs, core.info));
  state.warnings.addAll(plan.warnings);
  const harvests = await core.group(`harvest ${targets.length} target(s)`, () =>
    harvest(inputs, targets, state),
  );
  const converted = await core.group('combine and convert with coverage.py', () =>
    combineAndConvert(inputs, harvests, plan.convert, state.warnings),
  );
  const coverage = await readCoverageJson(converted.reports.json);
  const percent = linePercent(coverage.totals);
  core.info(
    `total line coverage ${percent.toFixed(2)}% over ${Object.keys(coverage.files).length} file(s)`,
  );
  const view = await pullRequestView(plan, coverage, converted, inputs);
  state.warnings.addAll(view.warnings);
  const contexts = await readContexts(converted, coverage, inputs.outputDir);
  const commentWarnings = await core.group('publish', () =>
    publish(inputs, {
      outcomes: state.outcomes,
      warnings: state.warnings.all(),
      converted,
      coverage,
      percent,
      view,
      contexts,
      event: plan.event,
    }),
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
async function discover(inputs: Inputs, state: RunState): Promise<readonly Target[] | undefined> {
  const discovery = await discoverTargets(inputs, (message) => state.warnings.add(message));
  if (discovery.targets.length > 0) {
    core.info(`found ${discovery.targets.map((t) => t.label).join(', ')}`);
    return discovery.targets;
  }
  const message = `no ${discovery.searched} found; ${discovery.hint}`;
  if (inputs.ifNoTargets === 'error') throw new Error(message);
  if (inputs.ifNoTargets === 'warn') state.warnings.add(message);
  else core.info(message);
  setOutputs({ targets: [] });
  return undefined;
}

/** The harvest stage; fails the step when no target yielded a data file. */
async function harvest(
  inputs: Inputs,
  targets: readonly Target[],
  state: RunState,
): Promise<readonly TargetHarvest[]> {
  const harvests = await harvestAll(inputs, targets);
  state.outcomes = harvests.map((h) => h.outcome);
  for (const h of harvests) {
    state.warnings.addAll(h.warnings);
    if (h.outcome.error !== undefined) state.warnings.add(`${h.outcome.label}: ${h.outcome.error}`);
  }
  if (harvests.every((h) => h.files.length === 0)) {
    setOutputs({ targets: state.outcomes });
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
