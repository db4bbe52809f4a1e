// Real git repositories for the pull-request tests: an origin with a base branch and a pull
// request branch, clones of it (full, shallow, the merge commit GitHub checks out), and the
// tests' own reading of `git diff -U0`, independent of the action's parser.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' }).trim();
}

export function initRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  gitIn(dir, 'init', '-q', '-b', 'main');
  // Fetching a commit by its SHA from this repository, as GitHub allows.
  gitIn(dir, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
}

/** Writes files (null deletes) relative to `dir`. */
export function writeFiles(dir: string, files: Record<string, string | null>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    if (content === null) {
      rmSync(full, { force: true });
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}

export function commitAll(dir: string, message: string): string {
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return gitIn(dir, 'rev-parse', 'HEAD');
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `git clone` of the origin (a path) at `ref`; `depth` makes it shallow, as actions/checkout does. */
export function cloneAt(origin: string, dest: string, ref: string, depth?: number): void {
  mkdirSync(dest, { recursive: true });
  gitIn(dest, 'init', '-q');
  gitIn(dest, 'remote', 'add', 'origin', `file://${origin}`);
  gitIn(dest, 'fetch', '-q', '--no-tags', ...(depth ? [`--depth=${depth}`] : []), 'origin', ref);
  gitIn(dest, 'checkout', '-q', '--detach', 'FETCH_HEAD');
}

/**
 * The lines each file of the new side gains, read from the hunk headers of `git diff -U0` (with
 * no context, `+c,d` is exactly the added lines c..c+d-1): the tests' own computation.
 */
export function addedLinesByGit(dir: string, from: string, to: string): Map<string, number[]> {
  const text = gitIn(dir, 'diff', '-U0', '-M', '--no-color', from, to);
  const added = new Map<string, number[]>();
  let current: number[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('+++ ')) {
      const name = line.slice(4);
      current = name === '/dev/null' ? undefined : [];
      if (current) added.set(name.replace(/^b\//, ''), current);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && current) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      for (let i = 0; i < count; i++) current.push(start + i);
    }
  }
  return added;
}
