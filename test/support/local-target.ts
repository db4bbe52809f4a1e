// A Target on this machine, for tests of the in-target programs and the harvest logic without a
// container engine: a private PID namespace with its own /proc (so the programs, which scan /proc
// and signal what they find, never reach other processes of the machine), entered with nsenter.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runCommand } from '../../src/shared/process.js';
import type { ExecOptions, ExecResult, Target } from '../../src/targets/target.js';

export class LocalTarget implements Target {
  readonly kind = 'docker' as const;
  readonly id: string;
  readonly label: string;
  private readonly holder: ChildProcess;
  private readonly children: ChildProcess[] = [];
  execs = 0;

  constructor(name = 'local') {
    this.holder = spawn(
      'unshare',
      ['--pid', '--fork', '--kill-child', '--mount-proc', 'sleep', 'infinity'],
      {
        stdio: 'ignore',
      },
    );
    this.id = name;
    this.label = `container ${name}`;
  }

  /** The pid (in this machine's namespace) of the namespace's init, once it runs. */
  private async nsPid(): Promise<number> {
    const parent = this.holder.pid;
    if (parent === undefined) throw new Error('unshare did not start');
    for (let i = 0; i < 100; i++) {
      try {
        const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim();
        if (children !== '') return Number(children.split(' ')[0]);
      } catch {
        // not there yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the PID namespace did not come up');
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.execs++;
    const pid = await this.nsPid();
    try {
      return await runCommand(['nsenter', '-t', String(pid), '-p', '-m', '--', ...argv], options);
    } catch (error) {
      return { exitCode: 127, stdout: Buffer.alloc(0), stderr: String(error) };
    }
  }

  /** Starts a long-running process inside the namespace (a stand-in service). */
  async start(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
    const pid = await this.nsPid();
    const child = spawn('nsenter', ['-t', String(pid), '-p', '-m', '--', ...argv], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
    this.children.push(child);
    return child;
  }

  async isRunning(): Promise<boolean> {
    return this.holder.exitCode === null;
  }

  stop(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.holder.kill('SIGKILL');
  }
}
