// parseGitDiff on what git itself writes: added, deleted, renamed, binary, mode-only, empty and
// oddly named files, and a last line without a newline.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitIn, commitAll, initRepo, tempDir, writeFiles } from '../../support/git-repo.js';
import { parseGitDiff } from '../../../src/pr/diff-parse.js';

function diffOfTwoCommits(
  before: Record<string, string | null>,
  after: Record<string, string | null>,
  afterCommit?: (dir: string) => void,
): string {
  const dir = join(tempDir('pycov-parse-'), 'repo');
  initRepo(dir);
  writeFiles(dir, before);
  const from = commitAll(dir, 'before');
  writeFiles(dir, after);
  afterCommit?.(dir);
  const to = commitAll(dir, 'after');
  // The argv the action uses (see src/diff/git.ts).
  return gitIn(
    dir,
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
  );
}

describe('parseGitDiff', () => {
  it('reads added lines per file, with renames, additions, deletions and line moves', () => {
    const text = diffOfTwoCommits(
      {
        'a.py': 'one\ntwo\nthree\nfour\nfive\nsix\n',
        'old.py': 'a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n',
        'gone.py': 'x = 1\n',
      },
      {
        'a.py': 'zero\none\nthree\nfour\nFIVE\nsix\nseven',
        'old.py': null,
        'new.py': 'a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n',
        'gone.py': null,
        'fresh.py': 'p = 1\nq = 2\n',
      },
    );
    const changes = parseGitDiff(text);
    expect(changes).toEqual([
      { kind: 'modified', oldPath: 'a.py', newPath: 'a.py', addedLines: [1, 5, 7] },
      { kind: 'added', oldPath: undefined, newPath: 'fresh.py', addedLines: [1, 2] },
      { kind: 'deleted', oldPath: 'gone.py', newPath: undefined, addedLines: [] },
      { kind: 'renamed', oldPath: 'old.py', newPath: 'new.py', addedLines: [6] },
    ]);
  });

  it('gives no lines for binary files, mode changes, empty new files and pure renames', () => {
    const text = diffOfTwoCommits(
      { 'blob.bin': 'a\0b', 'tool.py': 'print(1)\n', 'same.py': 'x = 1\ny = 2\n' },
      { 'blob.bin': 'a\0c', 'empty.py': '', 'same.py': null, 'moved.py': 'x = 1\ny = 2\n' },
      (dir) => chmodSync(join(dir, 'tool.py'), 0o755),
    );
    expect(parseGitDiff(text)).toEqual([
      { kind: 'modified', oldPath: 'blob.bin', newPath: 'blob.bin', addedLines: [] },
      { kind: 'added', oldPath: undefined, newPath: 'empty.py', addedLines: [] },
      { kind: 'renamed', oldPath: 'same.py', newPath: 'moved.py', addedLines: [] },
      { kind: 'modified', oldPath: 'tool.py', newPath: 'tool.py', addedLines: [] },
    ]);
  });

  it('unquotes the C-style names git writes for spaces and non-ASCII characters', () => {
    const text = diffOfTwoCommits(
      { 'pkg/naïve module.py': 'a = 1\n' },
      { 'pkg/naïve module.py': 'a = 1\nb = 2\n' },
    );
    expect(text).toContain('"b/pkg/na\\303\\257ve module.py"');
    expect(parseGitDiff(text)).toEqual([
      {
        kind: 'modified',
        oldPath: 'pkg/naïve module.py',
        newPath: 'pkg/naïve module.py',
        addedLines: [2],
      },
    ]);
  });

  it('is empty for an empty diff', () => {
    expect(parseGitDiff('')).toEqual([]);
  });
});
