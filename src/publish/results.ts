// What the stages before publish found, as publish reads it.
import type { TargetOutcome } from '../harvest/outcome.js';
import type { RunEvent } from '../pr/event.js';
import type { PullRequestView } from '../pr/view.js';
import type { ConvertResult } from '../report/conversion.js';
import type { CoverageJson } from '../report/coverage-json.js';
import type { Contexts } from '../report/reports.js';

/** Everything the run found, for the summary, the artifact and the outputs. */
export interface RunResults {
  readonly outcomes: readonly TargetOutcome[];
  readonly warnings: readonly string[];
  readonly converted: ConvertResult;
  readonly coverage: CoverageJson;
  readonly percent: number;
  readonly view: PullRequestView;
  readonly contexts: Contexts | undefined;
  readonly event: RunEvent;
}
