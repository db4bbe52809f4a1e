import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseCoverageJson,
  readCoverageJson,
  type CoverageFile,
  type CoverageJson,
} from '../../../src/report/coverage-json.js';
import { changedLines, diffLinesJson } from '../../../src/pr/changed-lines.js';
import type { FileChange } from '../../../src/pr/diff-parse.js';
import { repoPathOf } from '../../../src/pr/repo-path.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');

function file(executed: number[], missing: number[], excluded: number[] = []): CoverageFile {
  const statements = executed.length + missing.length;
  return {
    executed_lines: executed,
    missing_lines: missing,
    excluded_lines: excluded,
    summary: {
      covered_lines: executed.length,
      num_statements: statements,
      percent_covered: statements === 0 ? 100 : (100 * executed.length) / statements,
      percent_covered_display: '0',
      missing_lines: missing.length,
      excluded_lines: excluded.length,
    },
  };
}

function report(files: Record<string, CoverageFile>): CoverageJson {
  const all = Object.values(files);
  return parseCoverageJson({
    meta: { version: '7.6.1', timestamp: '', branch_coverage: false, show_contexts: false },
    files,
    totals: file(
      all.flatMap((f) => [...f.executed_lines]),
      all.flatMap((f) => [...f.missing_lines]),
    ).summary,
  });
}

const same = (name: string): string => name;

describe('changedLines', () => {
  it('counts only statements: comments, blank lines, docstrings and excluded lines do not count', () => {
    // Lines 1 (docstring) .. 9: statements 3, 4, 6 executed, 7 missed; 8 excluded; 2, 5, 9 neither.
    const coverage = report({ 'src/a.py': file([1, 3, 4, 6], [7], [8]) });
    const changes: FileChange[] = [
      {
        kind: 'modified',
        oldPath: 'src/a.py',
        newPath: 'src/a.py',
        addedLines: [2, 4, 5, 7, 8, 9],
      },
    ];
    const result = changedLines(changes, coverage, same);
    expect(result.statements).toBe(2);
    expect(result.executed).toBe(1);
    expect(result.percent).toBe(50);
    expect(result.files).toEqual([
      {
        path: 'src/a.py',
        renamedFrom: undefined,
        kind: 'modified',
        reportName: 'src/a.py',
        statements: [4, 7],
        executed: [4],
        missed: [7],
        fileStatements: [1, 3, 4, 6, 7],
      },
    ]);
  });

  it('follows renames to the head name, takes added files whole, ignores deleted files', () => {
    const coverage = report({
      'src/new.py': file([1, 2], [3]),
      'src/added.py': file([], [1, 2, 4]),
      'src/other.py': file([1], []),
    });
    const changes: FileChange[] = [
      { kind: 'renamed', oldPath: 'src/old.py', newPath: 'src/new.py', addedLines: [3] },
      { kind: 'added', oldPath: undefined, newPath: 'src/added.py', addedLines: [1, 2, 3, 4] },
      { kind: 'deleted', oldPath: 'src/gone.py', newPath: undefined, addedLines: [] },
    ];
    const result = changedLines(changes, coverage, same);
    expect(result.files.map((f) => [f.path, f.renamedFrom, f.kind, f.missed])).toEqual([
      ['src/added.py', undefined, 'added', [1, 2, 4]],
      ['src/new.py', 'src/old.py', 'renamed', [3]],
    ]);
    expect([result.executed, result.statements]).toEqual([0, 4]);
    expect(JSON.parse(diffLinesJson(result))).toEqual({
      'src/added.py': [1, 2, 4],
      'src/new.py': [3],
    });
  });

  it('lists changed Python files coverage.py did not measure, and counts nothing for them', () => {
    const coverage = report({ 'src/a.py': file([1], []) });
    const changes: FileChange[] = [
      { kind: 'added', oldPath: undefined, newPath: 'tools/script.py', addedLines: [1, 2] },
      { kind: 'modified', oldPath: 'README.md', newPath: 'README.md', addedLines: [3] },
    ];
    const result = changedLines(changes, coverage, same);
    expect(result).toMatchObject({ files: [], statements: 0, executed: 0, percent: 100 });
    expect(result.unmeasured).toEqual(['tools/script.py']);
  });

  it('meets the report on the repository path when the workspace is a subdirectory', async () => {
    const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
    // Report names are workspace-relative (`sample/pricing.py`); git names are from the top.
    const pathOf = (name: string) => repoPathOf(name, '/repo/service', '/repo');
    const changes: FileChange[] = [
      {
        kind: 'modified',
        oldPath: 'service/sample/pricing.py',
        newPath: 'service/sample/pricing.py',
        addedLines: [8, 9, 10, 11, 12, 13],
      },
    ];
    const result = changedLines(changes, coverage, pathOf);
    // pricing.py: 8 executed; 9, 10, 11 missed; 12, 13 blank.
    expect(result.files[0]).toMatchObject({
      path: 'service/sample/pricing.py',
      reportName: 'sample/pricing.py',
      executed: [8],
      missed: [9, 10, 11],
    });
    expect(result.percent).toBe(25);
  });
});

describe('repoPathOf', () => {
  it('maps report names into the repository and leaves out files outside it', () => {
    expect(repoPathOf('src/a.py', '/w', '/w')).toBe('src/a.py');
    expect(repoPathOf('src/a.py', '/w/sub', '/w')).toBe('sub/src/a.py');
    expect(repoPathOf('/w/sub/x.py', '/w/sub', '/w')).toBe('sub/x.py');
    expect(repoPathOf('/usr/lib/python3/site.py', '/w', '/w')).toBeUndefined();
    expect(repoPathOf('../elsewhere.py', '/w', '/w')).toBeUndefined();
  });
});
