/** What happened to one target: shared by the pipeline, the summary and the `targets` output. */

import type { FlushMethod } from '../inputs/types.js';

export interface FlushAttempt {
  readonly method: FlushMethod;
  readonly confirmed: boolean;
  readonly ms: number;
  /** Why it was not confirmed, or what confirmed it, in one line. */
  readonly detail: string;
  /**
   * `sigterm` did not stop the service: no signal could end its shutdown while these connections
   * are open (the force-quit table). The step's failure leads with this attempt's detail.
   */
  readonly stuck?: boolean;
  /** The connections (peer `address:port`) that hold, or would hold, the server's shutdown. */
  readonly held?: readonly string[];
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
