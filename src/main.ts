// The action's run: the pipeline's stages (src/pipeline/pipeline.ts) with GitHub as the reporter.
// Lower modules throw; this is the one place that turns an error into a failed step, and a failed
// step still gets a summary that says why.
import * as core from '@actions/core';
import { getInputs } from './inputs/get-inputs.js';
import type { Inputs } from './inputs/types.js';
import { actionReporter, pipeline, type RunState } from './pipeline/pipeline.js';
import { maskSecretsWith } from './shared/secrets.js';
import { info } from './shared/log.js';
import { errorText, logLine } from './shared/text.js';
import { Warnings } from './shared/warnings.js';
import { writeFailureSummary } from './summary/summary.js';

/** The action's entry point: every failure below surfaces here, as one failed step. */
export async function run(): Promise<void> {
  const state: RunState = { warnings: new Warnings(), outcomes: [] };
  let inputs: Inputs | undefined;
  maskSecretsWith((value) => core.setSecret(value));
  try {
    inputs = getInputs();
    await pipeline(inputs, state, actionReporter);
  } catch (error) {
    const message = errorText(error);
    core.setFailed(logLine(message));
    if (inputs?.summary !== false) {
      try {
        await writeFailureSummary({
          error: message,
          targets: state.outcomes,
          warnings: state.warnings.all(),
        });
      } catch (summaryError) {
        info(`could not write the job summary: ${errorText(summaryError)}`);
      }
    }
  }
}
