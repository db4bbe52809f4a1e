// The in-target programs, run with this machine's real python3 (stdlib only, like in a target).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTar } from '../../src/extract.js';
import { jsonLines, programArgv } from '../../src/remote/programs.js';

function run(argv: string[]): Buffer {
  const [program, ...args] = argv;
  return execFileSync(program ?? 'python3', args, { maxBuffer: 16 * 1024 * 1024 });
}

/**
 * Runs a program in its own PID namespace with a private /proc, after starting `background`
 * there: the programs scan /proc and signal what they find, which must never reach other
 * processes of this machine.
 */
function runIsolated(argv: string[], background: string[] = ['true']): Buffer {
  const script = '"${@:2:$1}" & sleep 0.3; shift $(( $1 + 1 )); exec "$@"';
  return run([
    'unshare',
    '--pid',
    '--fork',
    '--mount-proc',
    'bash',
    '-c',
    script,
    'bash',
    String(background.length),
    ...background,
    ...argv,
  ]);
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'remote-'));
  writeFileSync(join(dir, '.coverage.h.pid1.Xa'), 'A'.repeat(3000));
  writeFileSync(join(dir, '.coverage'), 'B');
  writeFileSync(join(dir, '.coverage.h.pid2.Xb-journal'), 'J');
  writeFileSync(join(dir, 'notes.txt'), 'N');
  mkdirSync(join(dir, '.pycov-harvest'));
  utimesSync(join(dir, '.coverage'), 1_700_000_000.5, 1_700_000_000.5);
  return dir;
}

/** A script named `coverage`, so its process looks like coverage's console script: `python3 .../coverage run ...`. */
function standIn(dir: string, code: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'coverage'), code);
  return join(bin, 'coverage');
}

describe('remote programs', () => {
  it('pack writes only the data files as a tar stream the extractor accepts', () => {
    const dir = dataDir();
    const entries = parseTar(run(programArgv('python3', 'pack', { data_dir: dir })), 1 << 20);
    expect(entries.map((e) => [e.name, e.data.length])).toEqual([
      ['.coverage', 1],
      ['.coverage.h.pid1.Xa', 3000],
    ]);
    expect(entries[0]?.mtime).toBeCloseTo(1_700_000_000.5, 3);
  });

  it('probe lists data files and finds a coverage run process with its save signal', () => {
    const dir = dataDir();
    // A stand-in process whose argv looks like `coverage run --save-signal=USR1 -m uvicorn ...`.
    const sleeper = [
      'python3',
      standIn(dir, 'import time; time.sleep(5)'),
      'run',
      '--save-signal=USR1',
      '-m',
      'uvicorn',
      '--timeout-graceful-shutdown',
      '3',
    ];
    const [report] = jsonLines(
      runIsolated(programArgv('python3', 'probe', { data_dir: dir }), sleeper),
    );
    const files = (report?.data_files as { name: string }[]).map((f) => f.name);
    expect(files).toEqual(['.coverage', '.coverage.h.pid1.Xa']);
    const procs = report?.processes as {
      argv: string[];
      server: string;
      save_signal: string;
      coverage_run: boolean;
      graceful_timeout: number;
      top: boolean;
    }[];
    expect(procs).toHaveLength(1);
    expect(procs[0]).toMatchObject({
      server: 'uvicorn',
      coverage_run: true,
      save_signal: 'USR1',
      graceful_timeout: 3,
      top: true,
    });
    expect(report?.agents).toEqual([]);
  });

  it('signal-flush signals a `coverage run --save-signal` process and confirms by a fresh data file', () => {
    const dir = dataDir();
    // Saves a data file when it gets SIGUSR1, like coverage's --save-signal handler.
    const saver = [
      'python3',
      standIn(
        dir,
        `import signal, time\ndef save(*_):\n    open(${JSON.stringify(join(dir, '.coverage.saved'))}, 'w').write('x')\nsignal.signal(signal.SIGUSR1, save)\ntime.sleep(5)`,
      ),
      'run',
      '--save-signal=USR1',
    ];
    const [answer] = jsonLines(
      runIsolated(
        programArgv('python3', 'signal-flush', { data_dir: dir, timeout: 3, signal: 'SIGUSR1' }),
        saver,
      ),
    );
    expect(answer).toMatchObject({
      confirmed: true,
      reason: '0 agent ack(s) and 1 fresh data file(s) after the signal',
    });
    expect((answer?.files as { name: string }[]).map((f) => f.name)).toEqual(['.coverage.saved']);
  });

  it('signal-flush falls through with a reason when nothing can take the signal', () => {
    const dir = dataDir();
    const [answer] = jsonLines(
      runIsolated(
        programArgv('python3', 'signal-flush', { data_dir: dir, timeout: 1, signal: 'SIGUSR1' }),
      ),
    );
    expect(answer).toMatchObject({ confirmed: false });
    expect(String(answer?.reason)).toContain('no agent process with a save signal');
  });
});
