/**
 * Changed-lines coverage: the lines a pull request adds or changes, intersected with what
 * coverage.py measured. Only coverage.py's statements count (`executed_lines` and
 * `missing_lines` of its JSON report): comments, blank lines, docstrings and excluded lines are
 * not statements, so changing them changes nothing here.
 */
import type { CoverageJson } from '../report/coverage-json.js';
import type { ChangeKind, FileChange } from './diff-parse.js';

export interface ChangedFile {
  /** Repository-relative path in the pull request's head. */
  readonly path: string;
  /** The base side's path when the file was renamed. */
  readonly renamedFrom: string | undefined;
  readonly kind: ChangeKind;
  /** The file's name in coverage.py's report. */
  readonly reportName: string;
  /** Changed lines that are statements, ascending. */
  readonly statements: readonly number[];
  readonly executed: readonly number[];
  readonly missed: readonly number[];
  /** All statements of the file (changed or not), for ranges as coverage.py shows them. */
  readonly fileStatements: readonly number[];
}

export interface ChangedLines {
  /** Files with at least one changed statement, most missed first. */
  readonly files: readonly ChangedFile[];
  readonly statements: number;
  readonly executed: number;
  /** Executed share of the changed statements; 100 when the pull request changes none. */
  readonly percent: number;
  /** Changed Python files with added lines that coverage.py did not measure at all. */
  readonly unmeasured: readonly string[];
}

const PYTHON = /\.pyw?$/;

/**
 * Pure. `repoPathOf` maps a report file name to its repository path (see repo-path.ts), so the
 * report and the diff meet on the path GitHub shows.
 */
export function changedLines(
  changes: readonly FileChange[],
  coverage: CoverageJson,
  repoPathOf: (reportName: string) => string | undefined,
): ChangedLines {
  const byRepoPath = new Map<string, string>();
  for (const name of Object.keys(coverage.files)) {
    const path = repoPathOf(name);
    if (path !== undefined) byRepoPath.set(path, name);
  }
  const files: ChangedFile[] = [];
  const unmeasured: string[] = [];
  for (const change of changes) {
    if (change.newPath === undefined || change.addedLines.length === 0) continue;
    const reportName = byRepoPath.get(change.newPath);
    const measured = reportName === undefined ? undefined : coverage.files[reportName];
    if (reportName === undefined || measured === undefined) {
      if (PYTHON.test(change.newPath)) unmeasured.push(change.newPath);
      continue;
    }
    const executedSet = new Set(measured.executed_lines);
    const missingSet = new Set(measured.missing_lines);
    const added = [...new Set(change.addedLines)].sort((a, b) => a - b);
    const executed = added.filter((line) => executedSet.has(line));
    const missed = added.filter((line) => missingSet.has(line));
    if (executed.length + missed.length === 0) continue;
    files.push({
      path: change.newPath,
      renamedFrom: change.kind === 'renamed' ? change.oldPath : undefined,
      kind: change.kind,
      reportName,
      statements: added.filter((line) => executedSet.has(line) || missingSet.has(line)),
      executed,
      missed,
      fileStatements: [...measured.executed_lines, ...measured.missing_lines].sort((a, b) => a - b),
    });
  }
  files.sort(
    (a, b) => b.missed.length - a.missed.length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  const statements = files.reduce((n, f) => n + f.statements.length, 0);
  const executed = files.reduce((n, f) => n + f.executed.length, 0);
  return {
    files,
    statements,
    executed,
    percent: statements === 0 ? 100 : (100 * executed) / statements,
    unmeasured: unmeasured.sort(),
  };
}

/** The `diff-lines` output: repository path → changed statements not executed. */
export function diffLinesJson(changed: ChangedLines): string {
  return JSON.stringify(Object.fromEntries(changed.files.map((f) => [f.path, f.missed])));
}
