// Runs a workflow with nektos/act in host mode (-P ubuntu-latest=-self-hosted), offline: a dead
// proxy makes every HTTPS request fail at once (loopback is exempt), and actions are never
// fetched. `runs.using: node24` and `node` steps run on the Node 24 test/act/install.sh caches.
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './images.js';

const cache = join(homedir(), '.cache', 'pycov-harvest');
const act = join(cache, 'bin', 'act');
const node24Bin = join(cache, 'node24', 'bin');

/** Installs act and Node 24 once (cached after the first run). */
export async function installAct(): Promise<void> {
  await promisify(execFile)('bash', [join(repoRoot, 'test/act/install.sh')], {
    timeout: 900_000,
  });
}

export interface ActRun {
  code: number | null;
  log: string;
}

export interface ActOptions {
  /** The git repository act runs in. */
  repo: string;
  /** Workflow file, relative to the repository. */
  workflow: string;
  /** Only this job (`-j`). */
  job?: string;
  /** Variables for the workflow's `env` context, passed with --env-file. */
  env?: Record<string, string>;
  /** Extra act arguments, e.g. `['--list']`. */
  args?: string[];
  timeoutMs?: number;
}

export function runAct(options: ActOptions): Promise<ActRun> {
  const args = [
    'push',
    '-W',
    options.workflow,
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-offline-mode',
  ];
  if (options.job) args.push('-j', options.job);
  if (options.env) {
    const envFile = join(options.repo, '..', `act-${process.pid}-${Date.now()}.env`);
    writeFileSync(
      envFile,
      Object.entries(options.env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    args.push('--env-file', envFile);
  }
  args.push(...(options.args ?? []));
  return new Promise((resolveRun, reject) => {
    // Asynchronous: a server the test runs (the artifact service) answers from this process.
    const child = spawn(act, args, {
      cwd: options.repo,
      // A clean environment: act's host mode hands its own environment to every step.
      env: {
        HOME: homedir(),
        PATH: `${node24Bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HTTPS_PROXY: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 280_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, log });
    });
  });
}
