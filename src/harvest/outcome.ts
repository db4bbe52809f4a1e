/** What happened to one target: shared by the pipeline, the summary and the `targets` output. */

import type { FlushMethod } from '../inputs/types.js';

export interface FlushAttempt {
  readonly method: FlushMethod;
  readonly confirmed: boolean;
  readonly ms: number;
  /** Why it was not confirmed, or what confirmed it, in one line. */
  readonly detail: string;
}

export interface TargetOutcome {
  /** Human-readable target name (see Target.label). */
  readonly label: string;
  /** The method that was confirmed, or null when none was. */
  readonly method: FlushMethod | null;
  /** Milliseconds from the first trigger to the confirmation (or to giving up). */
  readonly ms: number;
  /** Data files copied out of this target. */
  readonly files: number;
  readonly bytes: number;
  readonly attempts: readonly FlushAttempt[];
  /** Set when the target failed as a whole (nothing copied out). */
  readonly error?: string;
}
