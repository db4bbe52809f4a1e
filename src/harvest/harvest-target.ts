// One target from start to finish: is it running, the flush chain (the agent's listener from the
// runner where the target has a route to it; the in-target methods in one exec; attach; SIGTERM
// last), the data files.
import type { FlushMethod } from '../inputs/types.js';
import type { FlushAttempt, TargetOutcome } from './outcome.js';
import type { ProbeReport } from '../remote/contract.js';
import type { Target } from '../targets/target.js';
import { clipped, errorText } from '../shared/text.js';
import type { ReceivedFiles } from './archive.js';
import { copyFromOutside } from './copy-outside.js';
import { copyWarnings, malformedWarnings } from './skipped.js';
import { checkedVersions, shownPython } from './versions.js';
import { harvestOverRoute } from './agent-route.js';
import { attachMethod } from './attach.js';
import { packNow, runInTarget, type InTargetResult } from './in-target.js';
import { TargetSession } from './session.js';
import type { HarvestSettings } from './settings.js';
import { connectionsLine, gracefulWarnings, sigtermMethod } from './sigterm.js';
import type { TargetHarvest, Versions } from './types.js';

export interface HarvestOptions {
  readonly settings: HarvestSettings;
  /** This target's own directory on the runner. */
  readonly destDir: string;
  readonly log: (line: string) => void;
}

/** A flush attempt's detail longer than this is cut: ours are one sentence. */
const MAX_DETAIL_CHARS = 1000;

/** Collects what happened while the chain runs; turned into the one TargetHarvest at the end. */
class Record {
  readonly attempts: FlushAttempt[] = [];
  readonly warnings: string[] = [];
  versions: Versions | null = null;
  method: FlushMethod | null = null;

  constructor(
    private readonly target: Target,
    private readonly log: (line: string) => void,
  ) {}

  /** The versions the target reported, each one checked (versions.ts). */
  reported(versions: Versions | null): void {
    const checked = checkedVersions(versions, this.target.label);
    this.versions = checked.versions;
    this.warnings.push(...checked.warnings);
  }

  attempt(reported: FlushAttempt): void {
    // The detail may come from inside the target (an in-target program's event): one line, cut.
    const attempt = { ...reported, detail: clipped(reported.detail, MAX_DETAIL_CHARS) };
    this.attempts.push(attempt);
    if (attempt.confirmed && this.method === null) this.method = attempt.method;
    this.log(
      `${this.target.label}: ${attempt.method} ${attempt.confirmed ? 'confirmed' : 'not confirmed'} in ${attempt.ms} ms: ${attempt.detail}`,
    );
  }

  probed(report: ProbeReport): void {
    this.reported(report.versions);
    this.log(
      `${this.target.label}: Python ${shownPython(report.python)}, ${report.agents.length} agent process(es), ${report.processes.length} Python process(es), ${report.data_files.length} data file(s) before the flush`,
    );
    if (!report.data_dir_exists)
      this.warnings.push(
        `${this.target.label}: the data directory does not exist in the target; check \`data-dir\``,
      );
    this.warnings.push(...malformedWarnings(this.target.label, report.malformed));
  }

  finish(received: ReceivedFiles | undefined, error?: string): TargetHarvest {
    const files = received?.files ?? [];
    if (received !== undefined) this.warnings.push(...copyWarnings(this.target.label, received));
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    if (received !== undefined)
      this.log(
        `${this.target.label}: copied ${files.length} data file(s), ${bytes} bytes (via ${received.via})`,
      );
    const confirmedAt = this.attempts.findIndex((a) => a.confirmed);
    const counted = confirmedAt < 0 ? this.attempts : this.attempts.slice(0, confirmedAt + 1);
    const outcome: TargetOutcome = {
      label: this.target.label,
      method: this.method,
      ms: counted.reduce((sum, a) => sum + a.ms, 0),
      files: files.length,
      bytes,
      attempts: this.attempts,
      ...(error === undefined ? {} : { error }),
    };
    return { outcome, files, versions: this.versions, warnings: this.warnings };
  }
}

export async function harvestTarget(
  target: Target,
  options: HarvestOptions,
): Promise<TargetHarvest> {
  const record = new Record(target, options.log);
  try {
    const received = await chain(target, options, record);
    const method = record.method;
    if (options.settings.reset === true && method !== null && method !== 'http')
      record.warnings.push(
        `${target.label}: \`reset\` needs the \`http\` method, but ${method} saved the data, so no fresh window started there and its next harvest holds this one's data too; keep the agent's listener on (PYCOV_HARVEST_PORT)`,
      );
    return record.finish(received);
  } catch (error) {
    return record.finish(undefined, errorText(error));
  }
}

/** The methods the in-target program runs, in one exec. */
const inTargetMethod = (m: FlushMethod): m is 'http' | 'signal' => m === 'http' || m === 'signal';

async function chain(
  target: Target,
  options: HarvestOptions,
  record: Record,
): Promise<ReceivedFiles> {
  const { settings, destDir } = options;
  const session = new TargetSession(target, settings.dataDir);
  if (!(await target.isRunning())) return readStopped(target, options, record);

  let inTarget = settings.methods.filter(inTargetMethod);
  const wantsSigterm = settings.methods.includes('sigterm');
  const wantsAttach = settings.methods.includes('attach');

  if (inTarget[0] === 'http' && target.routeToAgent !== undefined) {
    const forwarded = await harvestOverRoute(session, settings, destDir);
    if (!forwarded.reached) {
      options.log(`${target.label}: ${forwarded.reason}; asking the agent from inside the target`);
    } else {
      record.reported(forwarded.versions);
      record.attempt(forwarded.attempt);
      if (forwarded.received !== undefined) return forwarded.received;
      if (forwarded.attempt.confirmed) {
        options.log(
          `${target.label}: ${forwarded.dataProblem ?? 'no data'}; packing inside the target`,
        );
        inTarget = [];
      } else {
        inTarget = inTarget.slice(1);
      }
    }
  }

  const confirmedAlready = record.method !== null;
  const run = await runInTarget(
    session,
    settings,
    inTarget,
    (wantsSigterm || wantsAttach) && !confirmedAlready ? 'if-confirmed' : 'always',
    destDir,
  );
  record.probed(run.report);
  for (const attempt of run.attempts) record.attempt(attempt);
  if (run.received !== undefined) {
    if (!run.confirmed && !confirmedAlready) record.warnings.push(noConfirmation(target, record));
    return run.received;
  }
  if (wantsAttach) {
    const received = await attachStep(session, options, record, run.report, wantsSigterm);
    if (received !== undefined) return received;
  }

  return sigtermStep(session, options, record, run.report);
}

/** The last method: SIGTERM (unless nothing could save), then the data from outside or inside. */
async function sigtermStep(
  session: TargetSession,
  options: HarvestOptions,
  record: Record,
  report: InTargetResult['report'],
): Promise<ReceivedFiles> {
  const { target } = session;
  const { settings, destDir } = options;
  const sigterm = await sigtermMethod(session, settings, destDir);
  for (const seen of sigterm.servers) options.log(connectionsLine(target.label, seen));
  const stuck =
    sigterm.attempt.stuck === true
      ? sigterm.servers.filter((s) => s.cannot_force_quit).map((s) => s.pid)
      : [];
  record.warnings.push(...gracefulWarnings(report.processes, target.label, stuck));
  record.attempt(sigterm.attempt);
  // A service left running because no signal could save it: the step's failure says so, once.
  if (!sigterm.attempt.confirmed && sigterm.attempt.stuck !== true)
    record.warnings.push(noConfirmation(target, record));
  if (sigterm.received !== undefined) return sigterm.received;
  return packNow(session, settings, destDir);
}

/**
 * `attach` after the in-target methods; the data when it was confirmed (or when nothing comes
 * after it), undefined when `sigterm` is next.
 */
async function attachStep(
  session: TargetSession,
  options: HarvestOptions,
  record: Record,
  report: ProbeReport,
  wantsSigterm: boolean,
): Promise<ReceivedFiles | undefined> {
  const { attempt, warnings, started } = await attachMethod(session, options.settings, report);
  record.attempt(attempt);
  record.warnings.push(...warnings);
  // Coverage started just now would lose what it measures if the service stopped.
  if (!attempt.confirmed && wantsSigterm && !started) return undefined;
  if (!attempt.confirmed) record.warnings.push(noConfirmation(session.target, record));
  return packNow(session, options.settings, options.destDir);
}

function noConfirmation(target: Target, record: Record): string {
  return `${target.label}: no flush method confirmed a save (${record.attempts.map((a) => `${a.method}: ${a.detail}`).join('; ')}); copying the data files already there`;
}

/** A target that had stopped before the step: nothing to flush, but the files it left can be read. */
async function readStopped(
  target: Target,
  options: HarvestOptions,
  record: Record,
): Promise<ReceivedFiles> {
  record.warnings.push(
    `${target.label} is not running, so nothing was flushed; copying the data files it left behind`,
  );
  if (target.copyFromOutside === undefined)
    throw new Error(
      `${target.label} is not running and its files cannot be read from outside; run this step while the services are up`,
    );
  return copyFromOutside(target, options.settings, options.destDir);
}
