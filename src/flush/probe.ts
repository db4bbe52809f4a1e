// Finds the target's Python and asks it what the flush chain needs to know.
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

export async function probeTarget(
  target: Target,
  dataDir: string,
  timeoutMs = 60_000,
): Promise<Probed> {
  const failures: string[] = [];
  for (const python of INTERPRETERS) {
    const result = await target.exec(programArgv(python, 'probe', { data_dir: dataDir }), {
      timeoutMs,
    });
    const [report] = jsonLines(result.stdout);
    if (result.exitCode === 0 && report !== undefined) {
      return { python, report: report as unknown as ProbeReport };
    }
    if (isMissingProgram(result.exitCode, result.stderr)) {
      failures.push(`${python}: not found`);
      continue;
    }
    throw new Error(
      `the probe failed in ${target.label} with exit status ${result.exitCode}: ${firstLine(result.stderr)}; check that the target is running and its Python works (\`${python} -c 'print(1)'\`)`,
    );
  }
  throw new Error(
    `${target.label} has no Python interpreter on PATH (${failures.join(', ')}); pycov-harvest runs the target's own Python, so put python3 on the image's PATH`,
  );
}
