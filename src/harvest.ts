// One target from start to finish: probe, flush chain, copy-out.
import type { ExtractedFile } from './extract.js';
import type { FlushMethod, TargetOutcome } from './outcome.js';
import { copyOut, type CopyResult } from './copyout.js';
import { runChain, type MethodRunner } from './flush/chain.js';
import {
  httpFlush,
  signalFlush,
  sigtermFlush,
  type FlushContext,
  type FlushSettings,
} from './flush/methods.js';
import { probeTarget, type Probed } from './flush/probe.js';
import type { Target } from './targets/target.js';

export interface Versions {
  readonly python: string | null;
  readonly coverage: string | null;
}

export interface Harvest {
  readonly outcome: TargetOutcome;
  readonly files: readonly ExtractedFile[];
  readonly versions: Versions | null;
  readonly warnings: readonly string[];
}

export interface HarvestOptions {
  readonly methods: readonly FlushMethod[];
  readonly settings: FlushSettings;
  /** This target's own directory on the runner. */
  readonly destDir: string;
  readonly log: (line: string) => void;
}

export async function harvestTarget(target: Target, options: HarvestOptions): Promise<Harvest> {
  const { settings, log } = options;
  if ((await target.isRunning?.()) === false) return harvestStopped(target, options);
  let probed: Probed;
  try {
    probed = await probeTarget(target, settings.dataDir);
  } catch (error) {
    return failedHarvest(target, error, []);
  }
  const { report } = probed;
  log(
    `${target.label}: Python ${report.python}, ${report.agents.length} agent process(es), ` +
      `${report.processes.length} Python process(es), ${report.data_files.length} data file(s) before the flush`,
  );
  const ctx: FlushContext = { target, python: probed.python, report, settings };
  const runners: Record<FlushMethod, MethodRunner> = {
    http: () => httpFlush(ctx),
    signal: () => signalFlush(ctx),
    sigterm: () => sigtermFlush(ctx),
  };
  const chain = await runChain(options.methods, runners);
  for (const attempt of chain.attempts) {
    log(
      `${target.label}: ${attempt.method} ${attempt.confirmed ? 'confirmed' : 'not confirmed'} in ${attempt.ms} ms: ${attempt.detail}`,
    );
  }
  const warnings = [...chain.warnings];
  if (chain.method === null) {
    warnings.push(
      `${target.label}: no flush method confirmed a save (${chain.attempts.map((a) => `${a.method}: ${a.detail}`).join('; ')}); copying the data files already there`,
    );
  }
  let copied: CopyResult;
  try {
    copied = await copyOut(target, probed.python, report, settings, options.destDir);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome: {
        label: target.label,
        method: chain.method,
        ms: chain.ms,
        files: 0,
        bytes: 0,
        attempts: chain.attempts,
        error: message,
      },
      files: [],
      versions: report.versions,
      warnings,
    };
  }
  const bytes = copied.files.reduce((sum, file) => sum + file.bytes, 0);
  log(
    `${target.label}: copied ${copied.files.length} data file(s), ${bytes} bytes (via ${copied.via})`,
  );
  return {
    outcome: {
      label: target.label,
      method: chain.method,
      ms: chain.ms,
      files: copied.files.length,
      bytes,
      attempts: chain.attempts,
    },
    files: copied.files,
    versions: report.versions,
    warnings,
  };
}

/** A target that has already stopped: nothing to flush, but the files it left can be read. */
async function harvestStopped(target: Target, options: HarvestOptions): Promise<Harvest> {
  const warning = `${target.label} is not running, so nothing was flushed; copying the data files it left behind`;
  options.log(warning);
  try {
    const copied = await copyOut(target, undefined, undefined, options.settings, options.destDir);
    const bytes = copied.files.reduce((sum, file) => sum + file.bytes, 0);
    options.log(
      `${target.label}: copied ${copied.files.length} data file(s), ${bytes} bytes (via ${copied.via})`,
    );
    return {
      outcome: {
        label: target.label,
        method: null,
        ms: 0,
        files: copied.files.length,
        bytes,
        attempts: [],
      },
      files: copied.files,
      versions: null,
      warnings: [warning],
    };
  } catch (error) {
    return failedHarvest(target, error, [warning]);
  }
}

/** A target that yielded nothing: its error goes into the outcome, the step goes on. */
function failedHarvest(target: Target, error: unknown, warnings: string[]): Harvest {
  return {
    outcome: {
      label: target.label,
      method: null,
      ms: 0,
      files: 0,
      bytes: 0,
      attempts: [],
      error: error instanceof Error ? error.message : String(error),
    },
    files: [],
    versions: null,
    warnings,
  };
}

/** Why no target yielded a data file, as one sentence with the fix. */
export function noDataMessage(harvests: readonly Harvest[], dataDir: string): string {
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
