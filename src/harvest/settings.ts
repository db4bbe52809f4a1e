import type { FlushMethod } from '../inputs/types.js';
import type { ByteBudget } from './byte-budget.js';

/** What one target's harvest needs to know, from the inputs. */
export interface HarvestSettings {
  readonly dataDir: string;
  readonly agentPort: number;
  readonly flushTimeoutMs: number;
  /** The `reset` input: the http flush also starts a fresh window in every agent process. */
  readonly reset?: boolean;
  readonly gracefulTimeoutMs: number;
  /** The save signal of the `signal` method (a name such as `SIGUSR1`). */
  readonly signal: string;
  /** The flush chain; `sigterm`, when present, is last (the inputs make sure). */
  readonly methods: readonly FlushMethod[];
  /** `attach-image`: the injector container's image ('' or absent: the target's own). */
  readonly attachImage?: string;
  /** `attach-start`: with no coverage running, start it (Python 3.14+, "measure from now"). */
  readonly attachStart?: boolean;
  /** Copy-out cap per target. */
  readonly maxBytes: number;
  /** The run's bytes of all targets together (MAX_BYTES_ALL_TARGETS); none in tests. */
  readonly budget?: ByteBudget;
}

/** Slack for an exec round trip on top of a program's own wait. */
export const EXEC_SLACK_MS = 30_000;
/** Seconds after SIGTERM without data before the server's force-quit (docs/action.md). */
export const ESCALATE_AFTER_SECONDS = 3;

/** How long the packer may stream the data: it reads at disk speed, 512 MiB in seconds. */
export const PACK_TIMEOUT_MS = 120_000;
/**
 * What a packer's stdout holds besides the files: its JSON lines, the tar headers and padding
 * (1 KiB at most per entry, MAX_ENTRIES_PER_STREAM of them) and the manifest (16 MiB at most).
 */
export const PACK_OVERHEAD_BYTES = 48 * 1024 * 1024;

/** How long the packer may take, and how much it may send (the cap plus the overhead). */
export function packOptions(settings: HarvestSettings): {
  timeoutMs: number;
  maxStdoutBytes: number;
} {
  return { timeoutMs: PACK_TIMEOUT_MS, maxStdoutBytes: settings.maxBytes + PACK_OVERHEAD_BYTES };
}
