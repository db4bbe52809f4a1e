// The ordered flush chain: each method either confirms a save or falls through with a reason.
import type { FlushAttempt, FlushMethod } from '../outcome.js';

export interface MethodResult {
  readonly confirmed: boolean;
  /** What confirmed it, or why not, in one line. */
  readonly detail: string;
  readonly warnings?: readonly string[];
}

export type MethodRunner = () => Promise<MethodResult>;

export interface ChainResult {
  readonly method: FlushMethod | null;
  readonly attempts: readonly FlushAttempt[];
  /** From the first trigger to the confirmation, or to giving up. */
  readonly ms: number;
  readonly warnings: readonly string[];
}

/** Tries the methods in order until one is confirmed; a method that throws falls through too. */
export async function runChain(
  methods: readonly FlushMethod[],
  runners: Readonly<Record<FlushMethod, MethodRunner>>,
  now: () => number = () => performance.now(),
): Promise<ChainResult> {
  const attempts: FlushAttempt[] = [];
  const warnings: string[] = [];
  const start = now();
  for (const method of methods) {
    const began = now();
    let result: MethodResult;
    try {
      result = await runners[method]();
    } catch (error) {
      result = { confirmed: false, detail: error instanceof Error ? error.message : String(error) };
    }
    attempts.push({
      method,
      confirmed: result.confirmed,
      ms: Math.round(now() - began),
      detail: result.detail,
    });
    warnings.push(...(result.warnings ?? []));
    if (result.confirmed) return { method, attempts, ms: Math.round(now() - start), warnings };
  }
  return { method: null, attempts, ms: Math.round(now() - start), warnings };
}
