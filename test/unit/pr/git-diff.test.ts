// pullRequestDiff and exportPythonSources against real git repositories: a full clone, a shallow
// clone of the pull request's head, GitHub's shallow merge commit, and a shallow clone whose
// origin is gone.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPythonSources, pullRequestDiff, topLevelOf } from '../../../src/pr/git.js';
import type { FileChange } from '../../../src/pr/diff-parse.js';
import {
  addedLinesByGit,
  cloneAt,
  commitAll,
  gitIn,
  initRepo,
  tempDir,
  writeFiles,
} from '../../support/git-repo.js';

const lines = (n: number, tag: string): string =>
  Array.from({ length: n }, (_, i) => `${tag}_${i + 1} = ${i + 1}\n`).join('');

let origin: string;
let forkPoint: string;
let baseSha: string;
let headSha: string;
let mergeSha: string;

beforeAll(() => {
  origin = join(tempDir('pycov-git-'), 'origin');
  initRepo(origin);
  writeFiles(origin, {
    'app/keep.py': lines(20, 'keep'),
    'app/old_name.py': lines(12, 'moved'),
    'app/gone.py': lines(5, 'gone'),
    'README.md': 'readme\n',
  });
  forkPoint = commitAll(origin, 'base');
  gitIn(origin, 'checkout', '-q', '-b', 'feature');
  gitIn(origin, 'mv', 'app/old_name.py', 'app/new_name.py');
  writeFiles(origin, {
    // Three lines removed at the top move every later line up; one line changed; two added.
    'app/keep.py': lines(20, 'keep')
      .split('\n')
      .slice(3)
      .map((l) => (l === 'keep_10 = 10' ? 'keep_10 = 100' : l))
      .join('\n')
      .concat('extra_1 = 1\nextra_2 = 2\n'),
    'app/new_name.py': lines(12, 'moved') + 'moved_13 = 13\n',
    'app/gone.py': null,
    'app/added.py': lines(4, 'added'),
  });
  headSha = commitAll(origin, 'the pull request');
  // The base branch moves on after the pull request branched off.
  gitIn(origin, 'checkout', '-q', 'main');
  writeFiles(origin, { 'README.md': 'readme, changed on main\n' });
  baseSha = commitAll(origin, 'main moves on');
  // What GitHub checks out for pull_request: a merge of the head into the base.
  gitIn(origin, 'checkout', '-q', '--detach', baseSha);
  gitIn(origin, 'merge', '-q', '--no-ff', '-m', 'Merge feature into main', headSha);
  mergeSha = gitIn(origin, 'rev-parse', 'HEAD');
  gitIn(origin, 'update-ref', 'refs/pull/1/merge', mergeSha);
  gitIn(origin, 'checkout', '-q', 'main');
});

/** The action's result as path -> added lines, for files that gain lines. */
function addedOf(changes: readonly FileChange[]): Map<string, number[]> {
  return new Map(
    changes
      .filter((c) => c.newPath !== undefined && c.addedLines.length > 0)
      .map((c) => [c.newPath ?? '', [...c.addedLines]]),
  );
}

function kinds(changes: readonly FileChange[]): string[] {
  return changes.map((c) => `${c.kind} ${c.oldPath ?? '-'} -> ${c.newPath ?? '-'}`).sort();
}

const expectedKinds = [
  'added - -> app/added.py',
  'deleted app/gone.py -> -',
  'modified app/keep.py -> app/keep.py',
  'renamed app/old_name.py -> app/new_name.py',
];

describe('pullRequestDiff', () => {
  it('diffs a full clone of the head from where it branched off the base', async () => {
    const dir = join(tempDir('pycov-git-'), 'full');
    cloneAt(origin, dir, 'feature');
    const log: string[] = [];
    const diff = await pullRequestDiff(dir, baseSha, (l) => log.push(l));
    expect(diff.from).toBe(forkPoint);
    expect(diff.to).toBe(headSha);
    expect(kinds(diff.changes)).toEqual(expectedKinds);
    // The README change on main is not the pull request's.
    expect(addedOf(diff.changes)).toEqual(addedLinesByGit(dir, forkPoint, headSha));
    expect(addedOf(diff.changes).get('app/keep.py')).toEqual([7, 18, 19]);
    expect(addedOf(diff.changes).get('app/new_name.py')).toEqual([13]);
    expect(addedOf(diff.changes).get('app/added.py')).toEqual([1, 2, 3, 4]);
  });

  it('fetches the base into a shallow clone of the head and deepens it to the fork point', async () => {
    const dir = join(tempDir('pycov-git-'), 'shallow');
    cloneAt(origin, dir, headSha, 1);
    expect(gitIn(dir, 'rev-parse', '--is-shallow-repository')).toBe('true');
    const log: string[] = [];
    const diff = await pullRequestDiff(dir, baseSha, (l) => log.push(l));
    expect(log.join('\n')).toMatch(/fetching the pull request's base commit/);
    expect(log.join('\n')).toMatch(/deepening it/);
    expect(diff.from).toBe(forkPoint);
    expect(addedOf(diff.changes)).toEqual(addedLinesByGit(dir, forkPoint, headSha));
  });

  it("diffs GitHub's one-commit-deep merge commit against its base parent without deepening", async () => {
    const dir = join(tempDir('pycov-git-'), 'merge');
    cloneAt(origin, dir, 'refs/pull/1/merge', 1);
    const log: string[] = [];
    const diff = await pullRequestDiff(dir, baseSha, (l) => log.push(l));
    expect(gitIn(dir, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(log.join('\n')).not.toMatch(/deepening/);
    expect(diff).toMatchObject({ from: baseSha, to: mergeSha });
    expect(kinds(diff.changes)).toEqual(expectedKinds);
    expect(addedOf(diff.changes)).toEqual(addedLinesByGit(dir, baseSha, mergeSha));
  });

  it('says in one sentence to use fetch-depth: 0 when a shallow clone cannot fetch the base', async () => {
    const dir = join(tempDir('pycov-git-'), 'orphaned');
    cloneAt(origin, dir, headSha, 1);
    gitIn(dir, 'remote', 'set-url', 'origin', join(dir, 'no-such-origin'));
    const error = await pullRequestDiff(dir, baseSha, () => undefined).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toMatch(
      new RegExp(
        `^the pull request's base commit ${baseSha.slice(0, 7)} is not in this shallow checkout and cannot be fetched \\(.+\\); check out with \`fetch-depth: 0\` \\(actions/checkout\\)$`,
      ),
    );
    expect(error).not.toContain('\n');
  });

  it('says so when a shallow clone has the base but cannot be deepened', async () => {
    const dir = join(tempDir('pycov-git-'), 'stuck');
    cloneAt(origin, dir, headSha, 1);
    gitIn(dir, 'fetch', '-q', '--depth=1', 'origin', baseSha);
    gitIn(dir, 'remote', 'set-url', 'origin', join(dir, 'no-such-origin'));
    await expect(pullRequestDiff(dir, baseSha, () => undefined)).rejects.toThrow(
      /does not reach the commit the pull request branches off .* and it cannot be deepened \(.+\); check out with `fetch-depth: 0`/,
    );
  });

  it('names the missing checkout when the workspace is not a git repository', async () => {
    const dir = tempDir('pycov-nogit-');
    expect(await topLevelOf(dir)).toBeUndefined();
    await expect(pullRequestDiff(dir, baseSha, () => undefined)).rejects.toThrow(
      /is not a git checkout, so the lines this pull request changes are unknown; check out the repository \(actions\/checkout\) before this step$/,
    );
  });
});

describe('exportPythonSources', () => {
  it("writes the base commit's Python files and leaves the checkout untouched", async () => {
    const dir = join(tempDir('pycov-git-'), 'export');
    cloneAt(origin, dir, 'feature');
    const dest = join(tempDir('pycov-export-'), 'base');
    await exportPythonSources(dir, forkPoint, dest);
    expect(readdirSync(join(dest, 'app')).sort()).toEqual(['gone.py', 'keep.py', 'old_name.py']);
    expect(existsSync(join(dest, 'README.md'))).toBe(false);
    expect(readFileSync(join(dest, 'app/keep.py'), 'utf8')).toBe(lines(20, 'keep'));
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(headSha);
  });
});
