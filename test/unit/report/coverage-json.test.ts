import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { branchPercent, linePercent, readCoverageJson } from '../../../src/report/coverage-json.js';

// Written by the real coverage.py (see fixtures/coverage-json/make.sh).
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const fixture = (name: string): string => join(fixtures, name);

describe('readCoverageJson on real `coverage json` output', () => {
  it.each(['7.6.1', '7.13.0'])('reads the line-coverage report of coverage %s', async (version) => {
    const report = await readCoverageJson(fixture(`lines-${version}.json`));
    expect(report.meta.version).toBe(version);
    expect(report.meta.branch_coverage).toBe(false);
    expect(report.totals.covered_lines).toBe(37);
    expect(report.totals.num_statements).toBe(56);
    expect(report.files['sample/pricing.py']?.missing_lines).toEqual([9, 10, 11, 22, 30]);
    expect(branchPercent(report.totals)).toBeUndefined();
    // Without branches coverage.py's own percentage is the line percentage.
    expect(linePercent(report.totals)).toBeCloseTo(report.totals.percent_covered, 10);
  });

  it.each(['7.6.1', '7.13.0'])(
    'reads the branch-coverage report of coverage %s',
    async (version) => {
      const report = await readCoverageJson(fixture(`branch-${version}.json`));
      expect(report.meta.branch_coverage).toBe(true);
      const pricing = report.files['sample/pricing.py'];
      expect(pricing?.missing_branches).toContainEqual([36, 38]);
      expect(pricing?.summary.num_partial_branches).toBe(5);
      expect(linePercent(report.totals)).toBeCloseTo((100 * 37) / 56, 10);
      expect(branchPercent(report.totals)).toBeCloseTo(
        (100 * (report.totals.covered_branches ?? NaN)) / (report.totals.num_branches ?? NaN),
        10,
      );
    },
  );

  it('computes the same line and branch percentages as coverage.py 7.13 reports itself', async () => {
    const report = await readCoverageJson(fixture('branch-7.13.0.json'));
    const checks = [report.totals, ...Object.values(report.files).map((f) => f.summary)];
    for (const numbers of checks) {
      expect(linePercent(numbers)).toBeCloseTo(numbers.percent_statements_covered ?? NaN, 10);
      expect(branchPercent(numbers)).toBeCloseTo(numbers.percent_branches_covered ?? NaN, 10);
    }
  });
});

describe('readCoverageJson errors name the cause and the fix', () => {
  const scratch = (): Promise<string> => mkdtemp(join(tmpdir(), 'coverage-json-'));

  it('says the file cannot be read and which step writes it', async () => {
    const missing = join(await scratch(), 'coverage.json');
    await expect(readCoverageJson(missing)).rejects.toThrow(
      new RegExp(
        `Cannot read the coverage JSON report ${missing}: ENOENT.*written by \`coverage json\` in the conversion step`,
      ),
    );
  });

  it('rejects a file that is not JSON, such as an lcov report', async () => {
    const path = join(await scratch(), 'coverage.json');
    await writeFile(path, 'SF:sample/pricing.py\nDA:4,1\nend_of_record\n');
    await expect(readCoverageJson(path)).rejects.toThrow(
      /is not valid JSON .*regenerate it with `coverage json`/,
    );
  });

  it('names the missing field of an otherwise real report', async () => {
    const data = JSON.parse(await readFile(fixture('branch-7.6.1.json'), 'utf8'));
    delete data.files['sample/pricing.py'].summary.covered_lines;
    const path = join(await scratch(), 'coverage.json');
    await writeFile(path, JSON.stringify(data));
    await expect(readCoverageJson(path)).rejects.toThrow(
      `${path} is not a coverage.py JSON report: files["sample/pricing.py"].summary.covered_lines should be a non-negative number. Produce it with \`coverage json\``,
    );
  });

  it('requires branch data when the report says branch coverage was measured', async () => {
    const data = JSON.parse(await readFile(fixture('lines-7.6.1.json'), 'utf8'));
    data.meta.branch_coverage = true;
    const path = join(await scratch(), 'coverage.json');
    await writeFile(path, JSON.stringify(data));
    await expect(readCoverageJson(path)).rejects.toThrow(
      'files["sample/__init__.py"].summary.num_branches should be a non-negative number',
    );
  });

  it('rejects a JSON document of another kind', async () => {
    const path = join(await scratch(), 'coverage.json');
    await writeFile(path, JSON.stringify([{ name: 'not coverage' }]));
    await expect(readCoverageJson(path)).rejects.toThrow('the top level should be an object');
  });
});
