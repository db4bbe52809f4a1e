import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineKind, compareToBaseline, formatDelta } from '../../../src/report/baseline.js';
import { readCoverageJson, type CoverageJson } from '../../../src/report/coverage-json.js';
import { tempDir } from '../../support/git-repo.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const load = (name: string): Promise<CoverageJson> => readCoverageJson(join(fixtures, name));
const same = (name: string): string => name;

/** The report with one file renamed and the totals left as they are. */
function renamed(coverage: CoverageJson, from: string, to: string): CoverageJson {
  if (coverage.files[from] === undefined) throw new Error(`no ${from}`);
  const files = Object.fromEntries(
    Object.entries(coverage.files).map(([name, file]) => [name === from ? to : name, file]),
  );
  return { ...coverage, files };
}

describe('compareToBaseline', () => {
  it('is the difference of total line coverage, and lists nothing when no file changed', async () => {
    const report = await load('lines-7.6.1.json');
    const result = compareToBaseline(report, report, same);
    expect(result).toEqual({
      percent: result.basePercent,
      basePercent: result.basePercent,
      delta: 0,
      files: [],
    });
    expect(result.percent).toBeCloseTo((100 * 37) / 56, 10);
  });

  it('lists changed files biggest drop first, then removed and new files', async () => {
    const base = await load('lines-7.6.1.json');
    // The same program measured with branches: file line figures are the same, so change one.
    const head = structuredClone(await load('lines-7.13.0.json')) as CoverageJson;
    const pricing = head.files['sample/pricing.py'];
    if (pricing === undefined) throw new Error('fixture changed');
    (pricing.summary as { covered_lines: number }).covered_lines = 20; // of 31: 64.52%
    const moved = renamed(head, 'sample/shapes.py', 'sample/geometry.py');
    const withNew = renamed(moved, 'sample/untouched.py', 'sample/brand_new.py');
    const result = compareToBaseline(
      withNew,
      base,
      same,
      new Map([['sample/geometry.py', 'sample/shapes.py']]),
    );
    expect(
      result.files.map((f) => [
        f.path,
        f.renamedFrom,
        f.basePercent?.toFixed(2),
        f.percent?.toFixed(2),
      ]),
    ).toEqual([
      ['sample/pricing.py', undefined, '83.87', '64.52'],
      ['sample/untouched.py', undefined, '21.43', undefined],
      ['sample/brand_new.py', undefined, undefined, '21.43'],
    ]);
    // The renamed file kept its coverage: not listed, but matched (not "removed").
    expect(result.files.some((f) => f.path.includes('shapes') || f.path.includes('geometry'))).toBe(
      false,
    );
  });
});

describe('formatDelta', () => {
  it('signs changes and never shows a negative zero', () => {
    expect(formatDelta(1.254)).toBe('+1.25');
    expect(formatDelta(-0.5)).toBe('-0.50');
    expect(formatDelta(-0.001)).toBe('0.00');
    expect(formatDelta(0)).toBe('0.00');
  });
});

describe('baselineKind', () => {
  it('tells a coverage.py data file (SQLite) from a JSON report, and a missing file', async () => {
    const dir = tempDir('pycov-baseline-');
    await writeFile(
      join(dir, '.coverage'),
      Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)]),
    );
    expect(await baselineKind(join(dir, '.coverage'))).toBe('data');
    expect(await baselineKind(join(fixtures, 'lines-7.6.1.json'))).toBe('json');
    expect(await baselineKind(join(dir, 'missing.json'))).toBeUndefined();
  });
});
