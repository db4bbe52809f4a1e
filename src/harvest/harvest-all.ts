// The harvest stage: every target through the flush chain and the copy-out, a few at a time.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inputs } from '../inputs/types.js';
import { info } from '../shared/log.js';
import { dataDirOf, targetDirName } from '../shared/paths.js';
import { mapPool } from '../shared/pool.js';
import { ByteBudget } from './byte-budget.js';
import { MAX_BYTES_ALL_TARGETS, MAX_BYTES_PER_TARGET } from './limits.js';
import type { Target } from '../targets/target.js';
import { harvestTarget } from './harvest-target.js';
import type { TargetOutcome } from './outcome.js';
import type { TargetHarvest } from './types.js';

/**
 * Targets harvested at once: enough to overlap the waits on exec and port-forward round trips,
 * few enough that a fleet does not open dozens of sessions on a 2-core runner.
 */
const HARVEST_CONCURRENCY = 8;

/** Every target, eight at a time, into `output-dir`; each yields its outcome once, failures included. */
export async function harvestAll(
  inputs: Inputs,
  targets: readonly Target[],
): Promise<readonly TargetHarvest[]> {
  const dataRoot = dataDirOf(inputs.outputDir);
  await rm(dataRoot, { recursive: true, force: true });
  await mkdir(dataRoot, { recursive: true });
  const settings = {
    dataDir: inputs.dataDir,
    agentPort: inputs.agentPort,
    flushTimeoutMs: inputs.flushTimeoutMs,
    reset: inputs.reset,
    gracefulTimeoutMs: inputs.gracefulTimeoutMs,
    signal: inputs.signal,
    methods: inputs.methods,
    attachImage: inputs.attachImage,
    attachStart: inputs.attachStart,
    maxBytes: MAX_BYTES_PER_TARGET,
    budget: new ByteBudget(MAX_BYTES_ALL_TARGETS),
  };
  return mapPool(targets, HARVEST_CONCURRENCY, (target, index) =>
    harvestTarget(target, {
      settings,
      destDir: join(dataRoot, targetDirName(index, target.label)),
      log: info,
    }),
  );
}

/** Why no target yielded a data file, as one sentence with the fix. */
/**
 * The failure when `sigterm` left a service running because no signal could save it: that
 * sentence (the connections and the fixes) per target, before anything else.
 */
export function stuckMessage(outcomes: readonly TargetOutcome[]): string | undefined {
  const stuck = outcomes.flatMap((o) =>
    o.attempts.filter((a) => a.stuck === true).map((a) => `${o.label}: ${a.detail}`),
  );
  return stuck.length > 0 ? stuck.join('; ') : undefined;
}

export function noDataMessage(harvests: readonly TargetHarvest[], dataDir: string): string {
  const stuck = stuckMessage(harvests.map((h) => h.outcome));
  if (stuck !== undefined) return stuck;
  const failed = harvests.filter((h) => h.outcome.error !== undefined);
  const first = failed[0]?.outcome.error;
  if (first !== undefined && failed.length === harvests.length) return first;
  const reasons = harvests.flatMap((h) => {
    const last = h.outcome.attempts[h.outcome.attempts.length - 1];
    return last !== undefined && !last.confirmed ? [`${last.method}: ${last.detail}`] : [];
  });
  const why =
    reasons.length > 0 ? ` (last flush attempt: ${[...new Set(reasons)].join('; ')})` : '';
  return `no coverage data found in ${dataDir} of ${harvests.length} target(s)${why}; check \`data-dir\` and that the services run with the agent (PYCOV_HARVEST=1) or under \`coverage run\``;
}
