// The in-target half of the chain in one exec: the probe, the methods that run inside the target
// (`http`, `signal`) until one is confirmed, and the data files.
import { attemptEvent, probeEvent, type ProbeReport } from '../remote/contract.js';
import { eventOf, eventsOf } from '../remote/program-output.js';
import { ContractError } from '../remote/schema.js';
import { DataReceiver, refusedData, type ReceivedFiles } from './archive.js';
import type { FlushMethod } from '../inputs/types.js';
import type { FlushAttempt } from './outcome.js';
import type { TargetSession } from './session.js';
import { MAX_DATA_FILE_BYTES, MAX_DATA_FILES_PER_TARGET } from './limits.js';
import { EXEC_SLACK_MS, packOptions, type HarvestSettings } from './settings.js';

export type PackWhen = 'always' | 'if-confirmed' | 'never';

export interface InTargetResult {
  readonly report: ProbeReport;
  readonly attempts: readonly FlushAttempt[];
  readonly confirmed: boolean;
  /** The data files, when it packed (streamed into the receiver as they came). */
  readonly received?: ReceivedFiles;
}

export async function runInTarget(
  session: TargetSession,
  settings: HarvestSettings,
  methods: readonly Exclude<FlushMethod, 'sigterm'>[],
  pack: PackWhen,
  destDir: string,
): Promise<InTargetResult> {
  const waits = methods.length * settings.flushTimeoutMs;
  const receiver = new DataReceiver(destDir, settings, session.target.label, 'pack');
  let run;
  try {
    run = await session.run(
      'harvest',
      {
        data_dir: settings.dataDir,
        methods,
        timeout: settings.flushTimeoutMs / 1000,
        signal: settings.signal,
        pack,
        ...(settings.reset === true ? { reset: true } : {}),
        // The runner's bounds: the packer leaves what is over them in the target, with the reason.
        max_file_bytes: MAX_DATA_FILE_BYTES,
        max_files: MAX_DATA_FILES_PER_TARGET,
      },
      {
        ...packOptions(settings),
        timeoutMs: packOptions(settings).timeoutMs + waits + EXEC_SLACK_MS,
        onTar: (chunk) => receiver.push(chunk),
      },
    );
    session.check(run);
  } catch (error) {
    receiver.discard();
    throw error;
  }
  const report = eventOf('harvest', run.output, 'probe', probeEvent);
  if (report === undefined) throw new ContractError('harvest', 'probe', 'printed first', undefined);
  const attempts = eventsOf('harvest', run.output, 'attempt', attemptEvent);
  const confirmed = attempts.some((a) => a.confirmed);
  if (!run.output.tarStarted) {
    receiver.discard();
    if (pack === 'always' || (pack === 'if-confirmed' && confirmed))
      throw new ContractError('harvest', 'tar', 'a tar stream after the attempts', undefined);
    return { report, attempts, confirmed };
  }
  try {
    return { report, attempts, confirmed, received: receiver.finish() };
  } catch (error) {
    throw refusedData(error, 'the data files the packer in the target sent');
  }
}

/** The data files already in the target, packed with no flush. */
export async function packNow(
  session: TargetSession,
  settings: HarvestSettings,
  destDir: string,
): Promise<ReceivedFiles> {
  const { received } = await runInTarget(session, settings, [], 'always', destDir);
  if (received === undefined) throw new Error(`${session.target.label}: the packer sent no data`);
  return received;
}
