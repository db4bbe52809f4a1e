// The in-target programs, run with this machine's real python3 (stdlib only, like in a target).
import { execFileSync, spawn } from 'node:child_process';
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

  it('probe lists data files and finds a coverage run process with its save signal', async () => {
    const dir = dataDir();
    // A stand-in process whose argv looks like `coverage run --save-signal=USR1 -m uvicorn ...`.
    const sleeper = spawn('python3', [
      '-c',
      'import time; time.sleep(30)',
      'coverage',
      'run',
      '--save-signal=USR1',
      'uvicorn',
      '--timeout-graceful-shutdown',
      '3',
    ]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const [report] = jsonLines(run(programArgv('python3', 'probe', { data_dir: dir })));
      const files = (report?.data_files as { name: string }[]).map((f) => f.name);
      expect(files).toEqual(['.coverage', '.coverage.h.pid1.Xa']);
      const procs = report?.processes as {
        pid: number;
        server: string;
        graceful_timeout: number;
        top: boolean;
      }[];
      const mine = procs.find((p) => p.pid === sleeper.pid);
      expect(mine).toMatchObject({ server: 'uvicorn', graceful_timeout: 3 });
      expect(report?.agents).toEqual([]);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('signal-flush falls through with a reason when nothing can take the signal', () => {
    const dir = dataDir();
    const [answer] = jsonLines(
      run(programArgv('python3', 'signal-flush', { data_dir: dir, timeout: 1, signal: 'SIGUSR1' })),
    );
    expect(answer).toMatchObject({ confirmed: false });
    expect(String(answer?.reason)).toContain('no agent process with a save signal');
  });
});
