// The in-target programs with this machine's real interpreters (Python 3.8 and later, standard
// library only, like in a target), in a private PID namespace: what they print is checked through
// the same contract checks the action uses.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInTarget } from '../../../src/harvest/in-target.js';
import { TargetSession } from '../../../src/harvest/session.js';
import type { HarvestSettings } from '../../../src/harvest/settings.js';
import { escalatedEvent, sigtermResult } from '../../../src/remote/contract.js';
import { eventOf } from '../../../src/remote/program-output.js';
import { execPath } from '../../../src/targets/kube-exec.js';
import { invocation, PROGRAMS, type RemoteProgram } from '../../../src/remote/programs.js';
import { runProgram } from '../../../src/remote/run.js';
import { LocalTarget } from '../../support/local-target.js';

/** Every interpreter of this machine from 3.8 on (pyenv's), or just python3. */
function interpreters(): string[] {
  const root = join(homedir(), '.pyenv/versions');
  const found = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'].flatMap((minor) => {
    if (!existsSync(root)) return [];
    const dir = execFileSync('ls', [root])
      .toString()
      .split('\n')
      .find((v) => v.startsWith(`${minor}.`));
    return dir ? [join(root, dir, 'bin/python3')] : [];
  });
  return found.length > 0 ? found : ['python3'];
}

const PYTHONS = interpreters();
const targets: LocalTarget[] = [];

afterEach(() => {
  for (const target of targets.splice(0)) target.stop();
});

function localTarget(): LocalTarget {
  const target = new LocalTarget();
  targets.push(target);
  return target;
}

function dest(): string {
  return mkdtempSync(join(tmpdir(), 'received-'));
}

function settings(dataDir: string, overrides: Partial<HarvestSettings> = {}): HarvestSettings {
  return {
    dataDir,
    agentPort: 9797,
    flushTimeoutMs: 3000,
    gracefulTimeoutMs: 8000,
    signal: 'SIGUSR1',
    methods: ['http', 'signal'],
    maxBytes: 1 << 24,
    ...overrides,
  };
}

/** A real SQLite database, as coverage.py writes them. */
const MAKE_DB = (path: string) =>
  `import sqlite3\ndb = sqlite3.connect(${JSON.stringify(path)})\ndb.execute("create table t(x)")\ndb.execute("insert into t values (1)")\ndb.commit()\ndb.close()\n`;

function dataDir(python: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'remote-'));
  execFileSync(python, ['-c', MAKE_DB(join(dir, '.coverage.h.pid1.Xa'))]);
  execFileSync(python, ['-c', MAKE_DB(join(dir, '.coverage'))]);
  writeFileSync(join(dir, '.coverage.h.pid2.Xb-journal'), 'J');
  writeFileSync(join(dir, '.coverage.text'), 'not sqlite');
  writeFileSync(join(dir, 'notes.txt'), 'N');
  mkdirSync(join(dir, '.pycov-harvest'));
  return dir;
}

/** A script named `coverage`, so its process looks like coverage's console script. */
function standIn(dir: string, code: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'coverage'), code);
  return join(bin, 'coverage');
}

async function waitForProcess(target: LocalTarget, python: string, pattern: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const run = await target.exec([
      python,
      '-c',
      `import os\nprint(any(${JSON.stringify(pattern)} in open('/proc/%s/cmdline' % p, 'rb').read().decode(errors='replace') for p in os.listdir('/proc') if p.isdigit() and p != str(os.getpid())))`,
    ]);
    if (run.stdout.toString().trim() === 'True') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no process matching ${pattern}`);
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(path)) throw new Error(`${path} never appeared`);
}

describe.each(PYTHONS)('in-target programs with %s', (python) => {
  it('harvest packs only whole SQLite data files, checked against the manifest', async () => {
    const dir = dataDir(python);
    const session = new TargetSession(localTarget(), dir);
    session.python = python;
    const run = await runInTarget(session, settings(dir), [], 'always', dest());
    expect(run.attempts).toEqual([]);
    expect(run.report.data_files.map((f) => f.name)).toEqual(['.coverage', '.coverage.h.pid1.Xa']);
    expect(run.report.skipped_files).toEqual([
      { name: '.coverage.text', size: 10, reason: 'not an SQLite database (no SQLite header)' },
      { name: 'notes.txt', size: 1, reason: 'not a coverage data file name' },
    ]);
    const out = dirname(run.received?.files[0]?.path ?? '');
    expect(run.received?.files.map((f) => f.path.split('/').pop())).toEqual([
      '.coverage',
      '.coverage.h.pid1.Xa',
    ]);
    expect(readFileSync(join(out, '.coverage'))).toEqual(readFileSync(join(dir, '.coverage')));
  });

  it('probe finds a `coverage run --save-signal` server and how it shuts down', async () => {
    const dir = dataDir(python);
    const target = localTarget();
    await target.start([
      python,
      standIn(dir, 'import time; time.sleep(30)'),
      'run',
      '--save-signal=USR1',
      '-m',
      'uvicorn',
      '--timeout-graceful-shutdown',
      '3',
    ]);
    await waitForProcess(target, python, 'save-signal');
    const session = new TargetSession(target, dir);
    session.python = python;
    const { report } = await runInTarget(session, settings(dir), [], 'never', dest());
    expect(report.processes).toHaveLength(1);
    expect(report.processes[0]).toMatchObject({
      server: 'uvicorn',
      coverage_run: true,
      save_signal: 'USR1',
      graceful_timeout: 3,
      top: true,
      agent_env: false,
    });
    expect(report.agents).toEqual([]);
  });

  it('signal confirms a `coverage run --save-signal` process by a fresh data file', async () => {
    const dir = dataDir(python);
    const target = localTarget();
    const saved = join(dir, '.coverage.saved');
    await target.start([
      python,
      standIn(
        dir,
        `import signal, time\ndef save(*_):\n${MAKE_DB(saved).replace(/^/gm, '    ')}\nsignal.signal(signal.SIGUSR1, save)\nopen(${JSON.stringify(join(dir, 'ready'))}, 'w').close()\ntime.sleep(30)`,
      ),
      'run',
      '--save-signal=USR1',
    ]);
    await waitForFile(join(dir, 'ready'));
    const session = new TargetSession(target, dir);
    session.python = python;
    const run = await runInTarget(
      session,
      settings(dir),
      ['http', 'signal'],
      'if-confirmed',
      dest(),
    );
    expect(run.attempts.map((a) => [a.method, a.confirmed])).toEqual([
      ['http', false],
      ['signal', true],
    ]);
    expect(run.attempts[0]?.detail).toBe(
      `no agent registered in ${dir}/.pycov-harvest and no process has PYCOV_HARVEST=1; install the agent in the image and set PYCOV_HARVEST=1 in the service's environment`,
    );
    expect(run.attempts[1]?.detail).toBe('0 agent ack(s) and 1 fresh data file(s) after SIGUSR1');
    expect(existsSync(saved)).toBe(true);
    expect(run.received?.files.map((f) => f.path.split('/').pop())).toContain('.coverage.saved');
  });

  it('signal sends nothing when the process listens to another signal, and says which to set', async () => {
    const dir = dataDir(python);
    const target = localTarget();
    await target.start([
      python,
      standIn(dir, 'import time; time.sleep(30)'),
      'run',
      '--save-signal=USR2',
    ]);
    await waitForProcess(target, python, 'save-signal');
    const session = new TargetSession(target, dir);
    session.python = python;
    const run = await runInTarget(session, settings(dir), ['signal'], 'never', dest());
    expect(run.attempts[0]?.confirmed).toBe(false);
    expect(run.attempts[0]?.detail).toMatch(
      /^SIGUSR1 not sent: pid \d+: `coverage run --save-signal=USR2`, not SIGUSR1; set `signal: SIGUSR2`$/,
    );
  });

  it('http says when PYCOV_HARVEST=1 meets `coverage run`, which keeps the agent out', async () => {
    const dir = dataDir(python);
    const target = localTarget();
    await target.start(
      [python, standIn(dir, 'import time; time.sleep(30)'), 'run', '-m', 'uvicorn'],
      {
        PYCOV_HARVEST: '1',
      },
    );
    await waitForProcess(target, python, 'uvicorn');
    const session = new TargetSession(target, dir);
    session.python = python;
    const run = await runInTarget(session, settings(dir), ['http'], 'never', dest());
    expect(run.attempts[0]?.detail).toMatch(
      /^PYCOV_HARVEST=1 is set, but pid \d+ runs under `coverage run`, which keeps the agent out; drop `coverage run` from the server's command \(the agent measures by itself\)$/,
    );
  });

  it('sigterm stops nothing when nothing would save on SIGTERM', async () => {
    const dir = dataDir(python);
    const target = localTarget();
    const server = await target.start([python, '-c', 'import time; time.sleep(30)', 'uvicorn']);
    await waitForProcess(target, python, 'uvicorn');
    const run = await runProgram(
      target,
      python,
      'sigterm',
      { data_dir: dir, timeout: 5, escalate_after: 1 },
      { timeoutMs: 20_000 },
    );
    const result = eventOf('sigterm', run.output, 'result', sigtermResult);
    expect(result).toMatchObject({ confirmed: false, sent: false });
    expect(result?.reason).toContain('nothing in the target would save on SIGTERM');
    expect(server.exitCode).toBeNull();
  });

  it('sigterm forces a hanging shutdown to quit with SIGINT and confirms the data saved at exit', async () => {
    const dir = dataDir(python);
    const target = localTarget();
    const saved = join(dir, '.coverage.atexit');
    // Like uvicorn under `coverage run` with an open stream: SIGTERM starts a shutdown that never
    // ends; SIGINT forces the exit, and coverage saves on the way out.
    await target.start([
      python,
      standIn(
        dir,
        `import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *_: None)\nopen(${JSON.stringify(join(dir, 'ready'))}, 'w').close()\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n${MAKE_DB(saved).replace(/^/gm, '    ')}\n    sys.exit(0)`,
      ),
      'run',
      '-m',
      'uvicorn',
    ]);
    await waitForFile(join(dir, 'ready'));
    const run = await runProgram(
      target,
      python,
      'sigterm',
      { data_dir: dir, timeout: 10, escalate_after: 1 },
      { timeoutMs: 30_000 },
    );
    const escalated = eventOf('sigterm', run.output, 'escalated', escalatedEvent);
    const result = eventOf('sigterm', run.output, 'result', sigtermResult);
    expect(escalated?.signal).toBe('SIGINT');
    expect(result).toMatchObject({ confirmed: true, sent: true, exited: true });
    expect(result?.reason).toBe('1 fresh data file(s) after SIGTERM and SIGINT (force quit)');
    expect(result?.files.map((f) => f.name)).toEqual(['.coverage.atexit']);
  });
});

describe('the agent never starts in a program the action runs', () => {
  it('neither in the program nor in what it starts, with PYCOV_HARVEST=1 and a .pth that would start it', async () => {
    const venv = mkdtempSync(join(tmpdir(), 'venv-'));
    execFileSync(PYTHONS[PYTHONS.length - 1] ?? 'python3', ['-m', 'venv', '--without-pip', venv]);
    const site = execFileSync(join(venv, 'bin/python'), [
      '-c',
      'import site; print(site.getsitepackages()[0])',
    ])
      .toString()
      .trim();
    const marker = join(venv, 'started');
    // Stands in for the agent's own hook: anything that processes it leaves a marker file.
    writeFileSync(
      join(site, 'zz_agent_stand_in.pth'),
      `import os; os.environ.get("PYCOV_HARVEST") == "1" and open(${JSON.stringify(marker)} + "." + str(os.getpid()), "w").close()\n`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'data-'));
    const target = localTarget();
    // A server under its own interpreter: the probe asks that interpreter for its versions.
    await target.start([join(venv, 'bin/python'), '-c', 'import time; time.sleep(30)', 'uvicorn'], {
      PYCOV_HARVEST: '0',
    });
    await waitForProcess(target, join(venv, 'bin/python'), 'uvicorn');
    const before = new Set(readdirMarkers(venv));
    expect(before.size).toBe(0);
    const session = new TargetSession(
      {
        ...target,
        exec: (argv, options) => target.exec(['env', 'PYCOV_HARVEST=1', ...argv], options),
        isRunning: () => target.isRunning(),
      },
      dir,
    );
    session.python = join(venv, 'bin/python');
    const run = await runInTarget(session, settings(dir), ['http', 'signal'], 'always', dest());
    expect(run.report.versions?.python).toMatch(/^3\.\d+\.\d+$/);
    expect(readdirMarkers(venv)).toEqual([]);
    // The stand-in does work: the same interpreter without the action's loader starts it.
    execFileSync(join(venv, 'bin/python'), ['-c', 'pass'], {
      env: { ...process.env, PYCOV_HARVEST: '1' },
    });
    expect(readdirMarkers(venv)).toHaveLength(1);
  });
});

function readdirMarkers(dir: string): string[] {
  return execFileSync('ls', ['-a', dir])
    .toString()
    .split('\n')
    .filter((n) => n.startsWith('started'));
}

describe('exec requests stay small', () => {
  it.each(Object.keys(PROGRAMS) as RemoteProgram[])(
    '%s: the Kubernetes exec URL is under 8 KiB with the program on stdin',
    (program) => {
      const { argv, stdin } = invocation('python3', program, {
        data_dir: '/coverdata',
        methods: ['http', 'signal'],
        timeout: 10,
        signal: 'SIGUSR1',
        pack: 'always',
      });
      const url = execPath(
        { namespace: 'e2e-namespace', pod: 'api-7d9f8b6c5d-abcde', container: 'api' },
        argv,
        true,
      );
      expect(url.length).toBeLessThan(8 * 1024);
      expect(stdin?.length).toBeGreaterThan(1000);
    },
  );

  it('the line transport (the relay) keeps the program off the URL, as one line of input', () => {
    const { argv, stdin, firstLine } = invocation(
      'python3',
      'context_relay',
      { data_dir: '/coverdata' },
      'line',
    );
    const url = execPath(
      { namespace: 'e2e-namespace', pod: 'api-7d9f8b6c5d-abcde', container: 'api' },
      argv,
      true,
    );
    expect(url.length).toBeLessThan(8 * 1024);
    expect(stdin).toBeUndefined();
    expect(firstLine).toMatch(/^[\w-]{1000,}\n$/);
    expect(argv.at(-2)).toBe('+');
  });

  it('the argv transport (for API servers without stdin) carries the same program', async () => {
    const python = PYTHONS[0] ?? 'python3';
    const dir = dataDir(python);
    const { argv } = invocation(
      python,
      'harvest',
      { data_dir: dir, methods: [], timeout: 1, signal: 'SIGUSR1', pack: 'never' },
      'argv',
    );
    const out = execFileSync(argv[0] ?? python, argv.slice(1)).toString();
    expect(JSON.parse(out.split('\n')[0] ?? '{}')).toMatchObject({
      event: 'probe',
      data_dir_exists: true,
    });
  });
});
