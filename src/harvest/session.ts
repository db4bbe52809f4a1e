// One target during its harvest: the interpreter that runs the programs (found once), and the
// programs run with it.
import { parseTar } from './extract.js';
import {
  failureOf,
  isMissingInterpreter,
  runProgram,
  type ProgramRun,
  type RunOptions,
} from '../remote/run.js';
import type { RemoteProgram } from '../remote/programs.js';
import type { Target } from '../targets/target.js';

/** Interpreter names tried first; then what an agent registered, then common venv locations. */
export const INTERPRETERS = ['python3', 'python'] as const;
export const VENV_INTERPRETERS = [
  '/app/.venv/bin/python',
  '/opt/venv/bin/python',
  '/venv/bin/python',
];

/**
 * The agent's registry read from outside a target (held in memory): a registration is a few
 * hundred bytes per process, so 1 MiB is thousands of them; past it the read stops.
 */
const MAX_REGISTRY_BYTES = 1024 * 1024;

/** No interpreter in the target could run the action's programs. */
export class NoInterpreterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoInterpreterError';
  }
}

export class TargetSession {
  /** The interpreter that ran the first program; later programs use it too. */
  python: string | undefined;
  /** Interpreters agents registered (from a port-forward's status), tried after the usual names. */
  readonly registered: string[] = [];

  constructor(
    readonly target: Target,
    private readonly dataDir: string,
  ) {}

  /** Runs a program with the known interpreter, or finds one: the first that exists runs it. */
  async run(program: RemoteProgram, args: object, options: RunOptions): Promise<ProgramRun> {
    if (this.python !== undefined)
      return runProgram(this.target, this.python, program, args, options);
    const tried: string[] = [];
    const candidates: string[] = [...INTERPRETERS];
    for (let i = 0; i < candidates.length; i++) {
      const python = candidates[i] ?? 'python3';
      const run = await runProgram(this.target, python, program, args, options);
      if (!isMissingInterpreter(run)) {
        this.python = python;
        return run;
      }
      tried.push(python);
      if (i === INTERPRETERS.length - 1) {
        const more = [
          ...this.registered,
          ...(await this.registeredFromOutside()),
          ...VENV_INTERPRETERS,
        ];
        candidates.push(
          ...more.filter((p, at) => !candidates.includes(p) && more.indexOf(p) === at),
        );
      }
    }
    throw new NoInterpreterError(
      `${this.target.label} has no Python interpreter (tried ${tried.join(', ')}); pycov-harvest runs the target's own Python, so put python3 on the image's PATH`,
    );
  }

  /** The program's failure as an Error, when it did not complete. */
  check(run: ProgramRun): ProgramRun {
    const failure = failureOf(run, this.target.label);
    if (failure !== undefined) throw new Error(failure);
    return run;
  }

  /** Interpreters in the agent's registrations, read from outside the target where it can. */
  private async registeredFromOutside(): Promise<string[]> {
    if (this.target.copyFromOutside === undefined) return [];
    try {
      const chunks: Buffer[] = [];
      await this.target.copyFromOutside(
        `${this.dataDir}/.pycov-harvest`,
        MAX_REGISTRY_BYTES,
        (chunk) => chunks.push(Buffer.from(chunk)),
      );
      const entries = parseTar(Buffer.concat(chunks), MAX_REGISTRY_BYTES);
      return entries.flatMap((entry) => {
        if (entry.type !== 'file' || !/^proc-[^/]+\.json$/.test(entry.name)) return [];
        try {
          const executable = (JSON.parse(entry.data.toString('utf8')) as { executable?: unknown })
            .executable;
          return typeof executable === 'string' && executable.startsWith('/') ? [executable] : [];
        } catch {
          return [];
        }
      });
    } catch {
      return []; // no registry to read there: only the usual names are tried
    }
  }
}
