import type { ExtractedFile } from './extract.js';
import type { TargetOutcome } from './outcome.js';

export interface Versions {
  readonly python: string | null;
  readonly coverage: string | null;
}

/** What one target yielded: built once, at the end of its harvest. */
export interface TargetHarvest {
  readonly outcome: TargetOutcome;
  readonly files: readonly ExtractedFile[];
  readonly versions: Versions | null;
  readonly warnings: readonly string[];
}
