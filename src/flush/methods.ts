// The three flush methods, each run inside the target by the target's own Python.
import { parseTar } from '../extract.js';
import { dataFileEntryName } from '../data-files.js';
import { firstLine } from '../targets/docker.js';
import type { PortForward, Target } from '../targets/target.js';
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
  const { answer, via } = await postFlush(ctx, port);
  if (answer === undefined) {
    return { confirmed: false, detail: `the HTTP client failed ${via}` };
  }
  if (typeof answer.error === 'string') {
    return {
      confirmed: false,
      detail: `cannot reach the agent on 127.0.0.1:${port} ${via}: ${answer.error}`,
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
      detail: `${flush.acks?.length ?? 0} agent process(es) acknowledged flush #${flush.seq ?? '?'} ${via}`,
    };
  }
  const missing = flush?.missing?.map((m) => `pid ${m.pid}: ${m.reason}`).join('; ');
  return {
    confirmed: false,
    detail: `the agent answered HTTP ${String(answer.status)} ${via}${missing ? ` (${missing})` : ''}`,
  };
}

interface FlushAnswer {
  readonly answer: Record<string, unknown> | undefined;
  /** How the listener was reached, for the detail line. */
  readonly via: string;
}

/**
 * POSTs the flush to the agent's loopback listener: through a port-forward where the target
 * kind has one (pods), else — or when the forward cannot be opened — through the exec'd client.
 */
async function postFlush(ctx: FlushContext, port: number): Promise<FlushAnswer> {
  if (ctx.target.forward !== undefined) {
    let forward: PortForward;
    try {
      forward = await ctx.target.forward(port);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const viaExec = await postFlushByExec(ctx, port);
      return { ...viaExec, via: `${viaExec.via}, the port-forward failed: ${reason}` };
    }
    try {
      return {
        answer: await postFlushByForward(ctx, port, forward),
        via: 'through a port-forward',
      };
    } finally {
      await forward.close();
    }
  }
  return postFlushByExec(ctx, port);
}

async function postFlushByExec(ctx: FlushContext, port: number): Promise<FlushAnswer> {
  const { settings } = ctx;
  const result = await ctx.target.exec(
    programArgv(ctx.python, 'http-flush', {
      action: 'flush',
      port,
      timeout: settings.flushTimeoutMs / 1000,
      data_dir: settings.dataDir,
    }),
    { timeoutMs: settings.flushTimeoutMs + EXEC_SLACK_MS },
  );
  const answer = last(jsonLines(result.stdout));
  return {
    answer,
    via:
      answer === undefined
        ? `(exec'd client, exit ${result.exitCode}: ${firstLine(result.stderr)})`
        : "through the exec'd client",
  };
}

/** The listener's token stays in the target unless the listener asks for it (HTTP 401). */
async function postFlushByForward(
  ctx: FlushContext,
  port: number,
  forward: PortForward,
): Promise<Record<string, unknown>> {
  const timeout = ctx.settings.flushTimeoutMs / 1000;
  const post = async (token: string | undefined): Promise<Record<string, unknown>> => {
    try {
      const response = await fetch(`http://127.0.0.1:${forward.localPort}/pycov-harvest/flush`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ timeout }),
        signal: AbortSignal.timeout(ctx.settings.flushTimeoutMs + EXEC_SLACK_MS),
      });
      const text = await response.text();
      let result: unknown = null;
      try {
        result = JSON.parse(text);
      } catch {
        // not JSON: the status alone tells what happened
      }
      return { status: response.status, result };
    } catch (error) {
      return { status: null, error: error instanceof Error ? error.message : String(error) };
    }
  };
  const first = await post(undefined);
  if (first.status !== 401) return first;
  return post(await listenerToken(ctx, port));
}

async function listenerToken(ctx: FlushContext, port: number): Promise<string | undefined> {
  const result = await ctx.target.exec(
    programArgv(ctx.python, 'http-flush', {
      action: 'token',
      port,
      timeout: 0,
      data_dir: ctx.settings.dataDir,
    }),
    { timeoutMs: EXEC_SLACK_MS },
  );
  const token = last(jsonLines(result.stdout))?.token;
  return typeof token === 'string' ? token : undefined;
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
