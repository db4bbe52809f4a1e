// The three flush methods, each run inside the target by the target's own Python.
import { parseTar } from '../extract.js';
import { dataFileEntryName } from '../data-files.js';
import { firstLine } from '../targets/docker.js';
import type { Target } from '../targets/target.js';
import { jsonLines, programArgv } from '../remote/programs.js';
import type { MethodResult } from './chain.js';
import type { ProbeReport, PythonProcess } from './probe.js';

export interface FlushSettings {
  readonly dataDir: string;
  readonly agentPort: number;
  readonly flushTimeoutMs: number;
  readonly gracefulTimeoutMs: number;
  /** Save signal for agent registrations that do not name one. */
  readonly signal: string;
  readonly maxBytes: number;
}

export interface FlushContext {
  readonly target: Target;
  readonly python: string;
  readonly report: ProbeReport;
  readonly settings: FlushSettings;
}

/** Slack for the exec round trip on top of the in-target wait. */
const EXEC_SLACK_MS = 30_000;

function last(lines: Record<string, unknown>[]): Record<string, unknown> | undefined {
  return lines[lines.length - 1];
}

export function agentPort(report: ProbeReport, fallback: number): number | undefined {
  if (report.agents.length === 0) return undefined;
  const owner = report.agents.find((agent) => typeof agent.port === 'number');
  return owner?.port ?? fallback;
}

export async function httpFlush(ctx: FlushContext): Promise<MethodResult> {
  const { report, settings } = ctx;
  if (report.agents.length === 0) {
    return {
      confirmed: false,
      detail: `no agent registered in ${settings.dataDir}/.pycov-harvest (is PYCOV_HARVEST=1 set?)`,
    };
  }
  if (!report.agents.some((agent) => typeof agent.port === 'number')) {
    return { confirmed: false, detail: 'the agent listener is off (PYCOV_HARVEST_PORT=off)' };
  }
  const port = agentPort(report, settings.agentPort) ?? settings.agentPort;
  const timeout = settings.flushTimeoutMs / 1000;
  const result = await ctx.target.exec(
    programArgv(ctx.python, 'http-flush', {
      action: 'flush',
      port,
      timeout,
      data_dir: settings.dataDir,
    }),
    { timeoutMs: settings.flushTimeoutMs + EXEC_SLACK_MS },
  );
  const answer = last(jsonLines(result.stdout));
  if (answer === undefined) {
    return {
      confirmed: false,
      detail: `the HTTP client failed (exit ${result.exitCode}): ${firstLine(result.stderr)}`,
    };
  }
  if (typeof answer.error === 'string') {
    return {
      confirmed: false,
      detail: `cannot reach the agent on 127.0.0.1:${port}: ${answer.error}`,
    };
  }
  const flush = answer.result as {
    ok?: boolean;
    seq?: number;
    acks?: unknown[];
    missing?: { pid?: number; reason?: string }[];
  } | null;
  if (answer.status === 200 && flush?.ok === true) {
    return {
      confirmed: true,
      detail: `${flush.acks?.length ?? 0} agent process(es) acknowledged flush #${flush.seq ?? '?'}`,
    };
  }
  const missing = flush?.missing?.map((m) => `pid ${m.pid}: ${m.reason}`).join('; ');
  return {
    confirmed: false,
    detail: `the agent answered HTTP ${String(answer.status)}${missing ? ` (${missing})` : ''}`,
  };
}

export async function signalFlush(ctx: FlushContext): Promise<MethodResult> {
  const { settings } = ctx;
  const timeout = settings.flushTimeoutMs / 1000;
  const result = await ctx.target.exec(
    programArgv(ctx.python, 'signal-flush', {
      data_dir: settings.dataDir,
      timeout,
      signal: settings.signal,
    }),
    { timeoutMs: settings.flushTimeoutMs + EXEC_SLACK_MS },
  );
  const answer = last(jsonLines(result.stdout));
  if (answer === undefined) {
    return {
      confirmed: false,
      detail: `the signal program failed (exit ${result.exitCode}): ${firstLine(result.stderr)}`,
    };
  }
  return { confirmed: answer.confirmed === true, detail: String(answer.reason) };
}

/** One warning per server process that would wait forever for open connections on SIGTERM. */
export function gracefulWarnings(
  processes: readonly PythonProcess[],
  targetLabel: string,
): string[] {
  const flags = {
    uvicorn: '--timeout-graceful-shutdown 5',
    gunicorn: '--graceful-timeout 5',
    hypercorn: '--graceful-timeout 5',
  };
  return processes
    .filter((p) => p.top && p.server !== null && p.graceful_timeout === null)
    .map(
      (p) =>
        `${targetLabel}: ${p.server} (pid ${p.pid}) has no graceful-shutdown timeout, so SIGTERM waits for open connections forever; add \`${flags[p.server ?? 'uvicorn']}\` to the server command or use the agent (PYCOV_HARVEST=1)`,
    );
}

export async function sigtermFlush(ctx: FlushContext): Promise<MethodResult> {
  const { settings, target } = ctx;
  const warnings = gracefulWarnings(ctx.report.processes, target.label);
  const result = await target.exec(
    programArgv(ctx.python, 'sigterm-flush', {
      data_dir: settings.dataDir,
      timeout: settings.gracefulTimeoutMs / 1000,
    }),
    { timeoutMs: settings.gracefulTimeoutMs + EXEC_SLACK_MS },
  );
  const lines = jsonLines(result.stdout);
  const final = lines.find((line) => line.event === 'result');
  if (final !== undefined) {
    return { confirmed: final.confirmed === true, detail: String(final.reason), warnings };
  }
  const sent = lines.find((line) => line.event === 'sent');
  if (sent === undefined || typeof sent.t0 !== 'number') {
    return {
      confirmed: false,
      detail: `the SIGTERM program failed (exit ${result.exitCode}): ${firstLine(result.stderr)}`,
      warnings,
    };
  }
  // The program was cut off: the container most likely stopped when the server exited.
  return { ...(await confirmFromOutside(target, settings, sent.t0)), warnings };
}

/** After the target stopped: look at the data files' times through `docker cp`. */
async function confirmFromOutside(
  target: Target,
  settings: FlushSettings,
  t0: number,
): Promise<MethodResult> {
  if (target.readDirectory === undefined || (await target.isRunning?.()) !== false) {
    return {
      confirmed: false,
      detail: 'the SIGTERM program was cut off before it could confirm a save',
    };
  }
  const entries = parseTar(
    await target.readDirectory(settings.dataDir, settings.maxBytes),
    settings.maxBytes,
  );
  // tar keeps whole seconds: a file from the signal's second counts.
  const fresh = entries.filter(
    (e) =>
      e.type === 'file' &&
      dataFileEntryName(e.name, settings.dataDir) !== undefined &&
      e.mtime >= Math.floor(t0) &&
      e.data.length > 0,
  );
  if (fresh.length === 0) {
    return {
      confirmed: false,
      detail:
        'the target stopped after SIGTERM without writing a data file (is `[run] sigterm = true` set?)',
    };
  }
  return {
    confirmed: true,
    detail: `the target stopped after SIGTERM, leaving ${fresh.length} fresh data file(s)`,
  };
}
