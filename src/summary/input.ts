/** What the job summary is rendered from, and its size limits. */
import type { TargetOutcome } from '../harvest/outcome.js';
import type { PullRequestFigures } from '../pr/view.js';
import type { ContextsSummary } from '../report/contexts.js';
import type { CoverageJson } from '../report/coverage-json.js';

export interface SummaryInput extends PullRequestFigures {
  coverage: CoverageJson;
  targets: readonly TargetOutcome[];
  warnings: readonly string[];
  /** Paths of the reports that were written, as the user should see them. */
  reports: { lcov?: string; xml?: string; json?: string; html?: string };
  /** When the agent's switches recorded contexts: the "E2E tests" figures. */
  contexts?: ContextsSummary;
}

export interface RenderOptions {
  /** Files shown in the open table; the rest are folded into `<details>`. */
  readonly filesShown?: number;
  /** Replace the file lists with this note (used for the short summary of the fallback). */
  readonly filesNote?: string;
  /** Only the headline and `filesNote` (the fallback when even the short summary is too large). */
  readonly headlineOnly?: boolean;
}

/** GitHub's limit for one step's summary. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const FALLBACK_FILE_NAME = 'summary.md';
export const DEFAULT_FILES_SHOWN = 10;
/** Rows of the files table, open and folded together; the rest are in the reports. */
export const MAX_FILE_ROWS = 100;
/** Linked missed ranges per cell, so that one file cannot fill the summary. */
export const MAX_RANGES_PER_CELL = 20;
