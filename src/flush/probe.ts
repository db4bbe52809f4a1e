// Finds the target's Python and asks it what the flush chain needs to know.
import { parseTar } from '../extract.js';
import { firstLine } from '../targets/docker.js';
import type { Target } from '../targets/target.js';
import { jsonLines, programArgv } from '../remote/programs.js';

export interface AgentRegistration {
  readonly pid: number;
  readonly host: string;
  readonly executable?: string;
  readonly python?: string;
  readonly coverage?: string;
  readonly port: number | null;
  readonly signal: string | null;
  readonly sigterm?: boolean;
  readonly data_file?: string;
}

export interface PythonProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly argv: readonly string[];
  readonly server: 'uvicorn' | 'gunicorn' | 'hypercorn' | null;
  readonly coverage_run: boolean;
  readonly save_signal: string | null;
  /** Seconds, `"default"` (the server has one by default) or null (waits forever / unknown). */
  readonly graceful_timeout: number | 'default' | null;
  /** Its parent is not a Python process: the server's main process. */
  readonly top: boolean;
}

export interface DataFileInfo {
  readonly name: string;
  readonly size: number;
  readonly mtime: number;
}

export interface ProbeReport {
  /** The in-target clock when the probe ran (seconds). */
  readonly time: number;
  readonly python: string;
  readonly executable: string;
  readonly data_dir_exists: boolean;
  readonly agents: readonly AgentRegistration[];
  readonly processes: readonly PythonProcess[];
  readonly data_files: readonly DataFileInfo[];
  /** Python and coverage versions of the service (from the agent, or asked of its interpreter). */
  readonly versions: { python: string | null; coverage: string | null } | null;
}

export interface Probed {
  /** The interpreter that ran the probe; later programs use it too. */
  readonly python: string;
  readonly report: ProbeReport;
}

export const INTERPRETERS = ['python3', 'python'] as const;

/** Exit statuses (and messages) with which docker/podman/kubectl say the program is missing. */
export function isMissingProgram(exitCode: number, stderr: string): boolean {
  return (
    exitCode === 126 ||
    exitCode === 127 ||
    /executable file not found|no such file or directory|not found in \$PATH/i.test(stderr)
  );
}

/** Interpreters the agent registered (`executable`), read from outside the target when it can. */
export async function registeredInterpreters(target: Target, dataDir: string): Promise<string[]> {
  if (target.readDirectory === undefined) return [];
  let entries;
  try {
    entries = parseTar(
      await target.readDirectory(`${dataDir}/.pycov-harvest`, 1024 * 1024),
      1024 * 1024,
    );
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const entry of entries) {
    if (entry.type !== 'file' || !/^proc-[^/]+\.json$/.test(entry.name)) continue;
    try {
      const registration = JSON.parse(entry.data.toString('utf8')) as { executable?: unknown };
      if (typeof registration.executable === 'string' && registration.executable.startsWith('/')) {
        found.add(registration.executable);
      }
    } catch {
      // A registration being rewritten: the next one will do.
    }
  }
  return [...found];
}

export async function probeTarget(
  target: Target,
  dataDir: string,
  timeoutMs = 60_000,
): Promise<Probed> {
  const failures: string[] = [];
  const candidates: string[] = [...INTERPRETERS];
  for (let i = 0; i < candidates.length; i++) {
    const python = candidates[i] ?? 'python3';
    const result = await target.exec(programArgv(python, 'probe', { data_dir: dataDir }), {
      timeoutMs,
    });
    const [report] = jsonLines(result.stdout);
    if (result.exitCode === 0 && report !== undefined) {
      return { python, report: report as unknown as ProbeReport };
    }
    if (isMissingProgram(result.exitCode, result.stderr)) {
      failures.push(`${python}: not found`);
      // Neither name on PATH: try the interpreter an agent registered (e.g. /opt/venv/bin/python).
      if (i === INTERPRETERS.length - 1)
        candidates.push(...(await registeredInterpreters(target, dataDir)));
      continue;
    }
    throw new Error(
      `the probe failed in ${target.label} with exit status ${result.exitCode}: ${firstLine(result.stderr)}; check that the target is running and its Python works (\`${python} -c 'print(1)'\`)`,
    );
  }
  throw new Error(
    `${target.label} has no Python interpreter on PATH and no agent registration names one (${failures.join(', ')}); pycov-harvest runs the target's own Python, so put python3 on the image's PATH`,
  );
}
