/**
 * `baseline`: the base branch's coverage (its `coverage.json`, or its combined `.coverage`, which
 * coverage.py turns into JSON in the conversion container) and the change against it.
 */
import { open } from 'node:fs/promises';
import { linePercent, type CoverageJson } from './coverage-json.js';
import { formatPercent } from '../shared/format.js';

export type BaselineKind = 'json' | 'data';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** What the file is by its first bytes (a coverage.py data file is SQLite); undefined when no file. */
export async function baselineKind(path: string): Promise<BaselineKind | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return undefined;
    }
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('latin1') === SQLITE_MAGIC ? 'data' : 'json';
  } finally {
    await handle.close();
  }
}

export interface FileDelta {
  /** Repository path in the head (or, for a removed file, in the base). */
  readonly path: string;
  readonly renamedFrom: string | undefined;
  /** Line coverage in the head; undefined when the file is gone. */
  readonly percent: number | undefined;
  /** Line coverage in the baseline; undefined for a file the baseline does not have. */
  readonly basePercent: number | undefined;
}

export interface BaselineComparison {
  readonly percent: number;
  readonly basePercent: number;
  /** Percentage points, head minus baseline. */
  readonly delta: number;
  /** Files whose line coverage changed, new files and removed files: biggest drop first. */
  readonly files: readonly FileDelta[];
}

/**
 * Pure. Files meet on their repository path (`repoPathOf`); a file the pull request renamed is
 * compared with its old name in the baseline (`renames`: head path → base path).
 */
export function compareToBaseline(
  head: CoverageJson,
  base: CoverageJson,
  repoPathOf: (reportName: string) => string | undefined,
  renames: ReadonlyMap<string, string> = new Map(),
): BaselineComparison {
  const percentsOf = (coverage: CoverageJson): Map<string, number> => {
    const byPath = new Map<string, number>();
    for (const [name, file] of Object.entries(coverage.files)) {
      byPath.set(repoPathOf(name) ?? name, linePercent(file.summary));
    }
    return byPath;
  };
  const headFiles = percentsOf(head);
  const baseFiles = percentsOf(base);
  const matched = new Set<string>();
  const files: FileDelta[] = [];
  for (const [path, percent] of headFiles) {
    const oldPath = baseFiles.has(path) ? path : renames.get(path);
    const basePercent = oldPath === undefined ? undefined : baseFiles.get(oldPath);
    if (oldPath !== undefined && basePercent !== undefined) matched.add(oldPath);
    if (basePercent !== undefined && formatPercent(basePercent) === formatPercent(percent)) {
      continue;
    }
    files.push({
      path,
      renamedFrom: oldPath !== undefined && oldPath !== path ? oldPath : undefined,
      percent,
      basePercent,
    });
  }
  for (const [path, basePercent] of baseFiles) {
    if (!matched.has(path) && !headFiles.has(path)) {
      files.push({ path, renamedFrom: undefined, percent: undefined, basePercent });
    }
  }
  const order = (f: FileDelta): number =>
    f.percent !== undefined && f.basePercent !== undefined
      ? f.percent - f.basePercent
      : f.percent === undefined
        ? 1000
        : 2000;
  files.sort((a, b) => order(a) - order(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const percent = linePercent(head.totals);
  const basePercent = linePercent(base.totals);
  return { percent, basePercent, delta: percent - basePercent, files };
}

/** A change in percentage points, signed, two decimals (`+1.25`, `-0.50`, `0.00`). */
export function formatDelta(delta: number): string {
  const text = Math.abs(delta).toFixed(2);
  if (text === '0.00') return '0.00';
  return `${delta > 0 ? '+' : '-'}${text}`;
}
