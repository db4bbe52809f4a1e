// The in-target half of the chain in one exec: the probe, the methods that run inside the target
// (`http`, `signal`) until one is confirmed, and the data files.
import {
  attemptEvent,
  eventOf,
  eventsOf,
  probeEvent,
  type ProbeReport,
} from '../remote/contract.js';
import { ContractError } from '../remote/schema.js';
import type { FlushAttempt, FlushMethod } from '../outcome.js';
import type { TargetSession } from './session.js';
import { EXEC_SLACK_MS, type HarvestSettings } from './settings.js';
import { packOptions } from './sigterm.js';

export type PackWhen = 'always' | 'if-confirmed' | 'never';

export interface InTargetResult {
  readonly report: ProbeReport;
  readonly attempts: readonly FlushAttempt[];
  readonly confirmed: boolean;
  /** The packer's stream (with its manifest), when it packed. */
  readonly tar?: Buffer;
}

export async function runInTarget(
  session: TargetSession,
  settings: HarvestSettings,
  methods: readonly Exclude<FlushMethod, 'sigterm'>[],
  pack: PackWhen,
): Promise<InTargetResult> {
  const waits = methods.length * settings.flushTimeoutMs;
  const run = session.check(
    await session.run(
      'harvest',
      {
        data_dir: settings.dataDir,
        methods,
        timeout: settings.flushTimeoutMs / 1000,
        signal: settings.signal,
        pack,
      },
      {
        ...packOptions(settings),
        timeoutMs: packOptions(settings).timeoutMs + waits + EXEC_SLACK_MS,
      },
    ),
  );
  const report = eventOf('harvest', run.output, 'probe', probeEvent);
  if (report === undefined) throw new ContractError('harvest', 'probe', 'printed first', undefined);
  const attempts = eventsOf('harvest', run.output, 'attempt', attemptEvent);
  const confirmed = attempts.some((a) => a.confirmed);
  if ((pack === 'always' || (pack === 'if-confirmed' && confirmed)) && run.output.tar === undefined)
    throw new ContractError('harvest', 'tar', 'a tar stream after the attempts', undefined);
  return {
    report,
    attempts,
    confirmed,
    ...(run.output.tar === undefined ? {} : { tar: run.output.tar }),
  };
}
