/**
 * git on the runner, always by argv: the pull request's changed lines (fetching a missing base
 * commit, deepening a shallow checkout when it must) and the base commit's Python sources.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGitDiff, type FileChange } from './diff-parse.js';

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface GitOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

const FETCH_TIMEOUT_MS = 600_000;
const LOCAL_TIMEOUT_MS = 120_000;
/** A diff larger than this is not a pull request a summary can help with. */
const MAX_DIFF_BYTES = 256 * 1024 * 1024;

/** Runs `git -C <dir> <args>` without a shell and without ever prompting for credentials. */
export function git(dir: string, args: readonly string[], options: GitOptions = {}) {
  return new Promise<GitResult>((resolveRun, reject) => {
    const child = spawn('git', ['-C', dir, ...args], {
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    const timeoutMs = options.timeoutMs ?? LOCAL_TIMEOUT_MS;
    const timer = setTimeout(() => {
      err += `\nno answer within ${timeoutMs / 1000} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes <= MAX_DIFF_BYTES) out.push(chunk);
      else if (!child.killed) {
        err += `\nthe output exceeds ${MAX_DIFF_BYTES / (1024 * 1024)} MiB`;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 64 * 1024) err += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          error.code === 'ENOENT'
            ? 'git is not installed on the runner, so the lines the pull request changes are unknown; install git before this step'
            : `cannot run git: ${error.message}`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: err.trim(),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1]?.trim() ?? '(no output)';
}

const short = (sha: string): string => sha.slice(0, 7);

/** The repository's top-level directory, or undefined when `dir` is not inside a git checkout. */
export async function topLevelOf(dir: string): Promise<string | undefined> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  return top.code === 0 ? top.stdout.trim() : undefined;
}

async function hasCommit(dir: string, sha: string): Promise<boolean> {
  return (await git(dir, ['cat-file', '-e', `${sha}^{commit}`])).code === 0;
}

async function isShallow(dir: string): Promise<boolean> {
  return (await git(dir, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
}

async function mergeBase(dir: string, a: string, b: string): Promise<string | undefined> {
  const found = await git(dir, ['merge-base', a, b]);
  return found.code === 0 ? found.stdout.trim() : undefined;
}

/** The parents recorded in the commit object, even where a shallow checkout cut them off. */
async function recordedParents(dir: string, sha: string): Promise<string[]> {
  const object = await git(dir, ['cat-file', 'commit', sha]);
  return [...object.stdout.matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1] ?? '');
}

export interface PullRequestDiff {
  /** The commit the diff starts from: where the pull request branches off its base. */
  readonly from: string;
  /** The checked-out commit (HEAD). */
  readonly to: string;
  readonly changes: readonly FileChange[];
}

/**
 * The files and lines that the checked-out HEAD changes against the pull request's base commit,
 * diffed from their merge base (what GitHub shows as the pull request's changes). A base commit
 * missing from the checkout is fetched from `origin`; a shallow checkout that does not reach the
 * merge base is deepened. Throws one sentence with the fix when neither is possible.
 */
export async function pullRequestDiff(
  dir: string,
  baseSha: string,
  log: (line: string) => void,
): Promise<PullRequestDiff> {
  if ((await topLevelOf(dir)) === undefined) {
    throw new Error(
      `the workspace ${dir} is not a git checkout, so the lines this pull request changes are unknown; check out the repository (actions/checkout) before this step`,
    );
  }
  const head = await git(dir, ['rev-parse', '--verify', 'HEAD^{commit}']);
  if (head.code !== 0) {
    throw new Error(
      `the checkout in ${dir} has no HEAD commit (${lastLine(head.stderr)}); check out the pull request (actions/checkout) before this step`,
    );
  }
  const to = head.stdout.trim();
  const shallow = await isShallow(dir);
  await ensureCommit(dir, baseSha, shallow, log);
  const from = await branchPoint(dir, baseSha, to, shallow, log);
  return { from, to, changes: await changesBetween(dir, from, to) };
}

/** Fetches the pull request's base commit from `origin` when the checkout lacks it. */
async function ensureCommit(
  dir: string,
  baseSha: string,
  shallow: boolean,
  log: (line: string) => void,
): Promise<void> {
  if (await hasCommit(dir, baseSha)) return;
  log(`fetching the pull request's base commit ${short(baseSha)} from origin`);
  const fetch = await git(
    dir,
    [
      'fetch',
      '--no-tags',
      '--no-recurse-submodules',
      ...(shallow ? ['--depth=1'] : []),
      'origin',
      baseSha,
    ],
    { timeoutMs: FETCH_TIMEOUT_MS },
  );
  if (fetch.code !== 0 || !(await hasCommit(dir, baseSha))) {
    throw new Error(
      shallow
        ? `the pull request's base commit ${short(baseSha)} is not in this shallow checkout and cannot be fetched (${lastLine(fetch.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout)`
        : `the pull request's base commit ${short(baseSha)} is not in the checkout and cannot be fetched from origin (${lastLine(fetch.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout) and keep origin reachable`,
    );
  }
}

/** Where the pull request branches off its base, deepening a shallow checkout when needed. */
async function branchPoint(
  dir: string,
  baseSha: string,
  to: string,
  shallow: boolean,
  log: (line: string) => void,
): Promise<string> {
  let from = await mergeBase(dir, baseSha, to);
  // actions/checkout's default for pull_request: a one-commit-deep merge commit whose recorded
  // first parent is the base; the diff against that parent needs no history.
  if (from === undefined && (await recordedParents(dir, to))[0] === baseSha) from = baseSha;
  if (from === undefined && shallow) {
    log('the shallow checkout does not reach where the pull request branches off; deepening it');
    const deepen = await git(
      dir,
      ['fetch', '--no-tags', '--no-recurse-submodules', '--unshallow', 'origin', baseSha, to],
      { timeoutMs: FETCH_TIMEOUT_MS },
    );
    if (deepen.code !== 0) {
      throw new Error(
        `this shallow checkout does not reach the commit the pull request branches off ${short(baseSha)}, and it cannot be deepened (${lastLine(deepen.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout)`,
      );
    }
    from = await mergeBase(dir, baseSha, to);
  }
  if (from === undefined) {
    throw new Error(
      `the pull request's base commit ${short(baseSha)} and the checked-out ${short(to)} share no history; check out the pull request's own commits (actions/checkout with \`fetch-depth: 0\`)`,
    );
  }
  return from;
}

/** The files and added lines between two commits, renames found, paths quoted as git does. */
async function changesBetween(dir: string, from: string, to: string): Promise<FileChange[]> {
  const diff = await git(dir, [
    '-c',
    'core.quotePath=true',
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--find-renames',
    '--unified=0',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '--no-relative',
    from,
    to,
    '--',
  ]);
  if (diff.code !== 0) {
    throw new Error(
      `\`git diff ${short(from)} ${short(to)}\` failed (${lastLine(diff.stderr)}); check out the pull request with actions/checkout and \`fetch-depth: 0\``,
    );
  }
  return parseGitDiff(diff.stdout);
}

/**
 * Writes the Python files of commit `sha` under `dest` (as paths from the repository's top
 * directory `top`), through a private index so the checkout's own index and files stay untouched.
 */
export async function exportPythonSources(top: string, sha: string, dest: string): Promise<void> {
  const dir = top;
  const list = await git(dir, ['ls-tree', '-r', '-z', '--full-tree', '--name-only', sha]);
  if (list.code !== 0) {
    throw new Error(
      `cannot list the files of the base commit ${short(sha)} (${lastLine(list.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout)`,
    );
  }
  const python = list.stdout.split('\0').filter((p) => /\.pyw?$/.test(p));
  const scratch = await mkdtemp(join(tmpdir(), 'pycov-harvest-index-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    const read = await git(dir, ['read-tree', sha], { env });
    const checkout =
      read.code === 0
        ? await git(dir, ['checkout-index', '-z', '--stdin', `--prefix=${dest}/`], {
            env,
            input: python.map((p) => `${p}\0`).join(''),
          })
        : read;
    if (checkout.code !== 0) {
      throw new Error(
        `cannot write the base commit's sources to ${dest} (${lastLine(checkout.stderr)}); check that the runner can write to \`output-dir\``,
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
