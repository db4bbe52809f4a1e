// The pull request reader's parts of the summary, rendered from real coverage.py reports and
// read back through a GitHub-flavoured markdown renderer (micromark with its GFM extension), as
// GitHub turns the step summary into the page a reviewer sees.
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../../src/report/baseline.js';
import { readCoverageJson, type CoverageJson } from '../../../src/report/coverage-json.js';
import { changedLines } from '../../../src/pr/changed-lines.js';
import type { FileChange } from '../../../src/pr/diff-parse.js';
import { sourceLinks } from '../../../src/pr/links.js';
import { MAX_FILE_ROWS, type SummaryInput } from '../../../src/summary/input.js';
import { renderSummary } from '../../../src/summary/render.js';
import { MAX_CHANGED_ROWS } from '../../../src/summary/pull-request.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const load = (name: string): Promise<CoverageJson> => readCoverageJson(join(fixtures, name));
const SHA = 'c0ffee0000000000000000000000000000000001';
const links = sourceLinks(
  { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'example/service' },
  SHA,
  (name) => name,
);
const blob = `https://github.com/example/service/blob/${SHA}/`;

/** GitHub-flavoured markdown to HTML, with the raw HTML the summary is made of kept. */
const render = (markdown: string): string =>
  micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });

/** [href, text] of every link in rendered HTML. */
const linksIn = (html: string): [string, string][] =>
  [...html.matchAll(/<a href="([^"]*)">(.*?)<\/a>/g)].map((m) => [
    (m[1] ?? '').replace(/&amp;/g, '&'),
    m[2] ?? '',
  ]);

/** The rows (cells as text) of the table that follows the heading `title`. */
function tableAfter(html: string, title: string): string[][] {
  const at = html.indexOf(`<h3>${title}</h3>`);
  expect(at, title).toBeGreaterThanOrEqual(0);
  const table = /<table>(.*?)<\/table>/s.exec(html.slice(at))?.[1] ?? '';
  return [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[dh]>(.*?)<\/t[dh]>/gs)].map((c) => c[1] ?? ''),
  );
}

interface EditableFile {
  executed_lines: number[];
  missing_lines: number[];
  summary: { covered_lines: number };
}

/** A deep copy of a report, and its files to change. */
function editable(coverage: CoverageJson): {
  report: CoverageJson;
  file: (name: string) => EditableFile;
} {
  const report = structuredClone(coverage);
  const files = report.files as unknown as Record<string, EditableFile | undefined>;
  return {
    report,
    file: (name) => {
      const found = files[name];
      if (found === undefined) throw new Error(`the fixture has no ${name}`);
      return found;
    },
  };
}

/** The fixture's files under `count` package directories: a large service's report. */
function replicate(coverage: CoverageJson, count: number): CoverageJson {
  const files: Record<string, CoverageJson['files'][string]> = {};
  for (let i = 0; i < count; i++) {
    for (const [name, file] of Object.entries(coverage.files)) files[`pkg${i}/${name}`] = file;
  }
  return { ...coverage, files };
}

/**
 * A pull request that changes lines 8-12, 22 and 30 of pricing.py: six statements (12 is blank),
 * of which only 8 ran.
 */
function pricingChange(path: string): FileChange {
  return { kind: 'modified', oldPath: path, newPath: path, addedLines: [8, 9, 10, 11, 12, 22, 30] };
}

function prInput(coverage: CoverageJson, changes: FileChange[], more: Partial<SummaryInput> = {}) {
  return {
    coverage,
    targets: [],
    warnings: [],
    reports: { json: 'coverage-harvest/coverage.json', html: 'coverage-harvest/htmlcov' },
    changed: changedLines(changes, coverage, (n) => n),
    links,
    ...more,
  } satisfies SummaryInput;
}

describe('the headline', () => {
  it('reads total, branches, changed lines and the change against the baseline at a glance', async () => {
    const coverage = await load('branch-7.13.0.json');
    const base = await load('branch-7.6.1.json');
    const input = prInput(coverage, [pricingChange('sample/pricing.py')], {
      baseline: compareToBaseline(coverage, base, (n) => n),
    });
    const html = render(renderSummary(input));
    expect(html).toMatch(
      /^<h2>Python coverage: 66\.07% of lines \(±0\.00\), 50\.00% of branches, 16\.67% of changed lines<\/h2>/,
    );
    expect(html).toContain(
      '<p>The E2E run executed <strong>16.67%</strong> of the lines this pull request changes (1 of 6 statements).</p>',
    );
    expect(html).toContain('<p>Against the baseline: 66.07% → 66.07% of lines (0.00 points).</p>');
  });

  it('shows E2E only next to unit + E2E when extra data was combined in', async () => {
    const both = await load('lines-7.13.0.json');
    const { report: e2e, file } = editable(both);
    // The E2E run alone did not run pricing.py's line 8 (the unit tests did).
    const pricing = file('sample/pricing.py');
    pricing.executed_lines = pricing.executed_lines.filter((l) => l !== 8);
    pricing.missing_lines = [...pricing.missing_lines, 8].sort((a, b) => a - b);
    const changes = [pricingChange('sample/pricing.py')];
    const html = render(
      renderSummary(
        prInput(both, changes, {
          e2eOnly: { coverage: e2e, changed: changedLines(changes, e2e, (n) => n) },
        }),
      ),
    );
    expect(html).toMatch(
      /^<h2>Python coverage \(unit \+ E2E\): 66\.07% of lines, 16\.67% of changed lines<\/h2>/,
    );
    expect(html).toContain(
      'The unit and E2E tests executed <strong>16.67%</strong> of the lines this pull request changes (1 of 6 statements); the E2E run alone 0.00% (0 of 6).',
    );
    const rows = [...html.matchAll(/<tr><td>(E2E only|Unit \+ E2E)<\/td>(.*?)<\/tr>/g)].map((m) => [
      m[1],
      ...[...(m[2] ?? '').matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]),
    ]);
    expect(rows).toEqual([
      ['E2E only', '66.07% (37/56)', 'not measured', '0.00% (0/6)'],
      ['Unit + E2E', '66.07% (37/56)', 'not measured', '16.67% (1/6)'],
    ]);
  });

  it('says why the changed lines are unknown', async () => {
    const coverage = await load('lines-7.6.1.json');
    const html = render(
      renderSummary({
        coverage,
        targets: [],
        warnings: [],
        reports: {},
        changedError: "the pull request's base commit abc1234 is not in this shallow checkout <x>",
      }),
    );
    expect(html).toContain(
      '<p><strong>Changed lines unknown:</strong> the pull request&#39;s base commit abc1234 is not in this shallow checkout &#60;x&#62;</p>',
    );
    expect(html).not.toContain('<h3>Changed lines</h3>');
  });
});

describe('the changed-lines table', () => {
  it('links each missed range to the head commit on GitHub', async () => {
    const coverage = await load('lines-7.6.1.json');
    const changes: FileChange[] = [
      pricingChange('sample/pricing.py'),
      {
        kind: 'renamed',
        oldPath: 'sample/geometry.py',
        newPath: 'sample/shapes.py',
        addedLines: [1, 2, 3],
      },
      {
        kind: 'added',
        oldPath: undefined,
        newPath: 'sample/untouched.py',
        addedLines: [1, 2, 3, 4, 5, 6],
      },
    ];
    const html = render(renderSummary(prInput(coverage, changes)));
    const rows = tableAfter(html, 'Changed lines');
    expect(rows[0]).toEqual(['File', 'Changed statements executed', 'Not executed']);
    expect(rows.slice(1).map((r) => r[0])).toEqual([
      '<code>sample/pricing.py</code>',
      '<code>sample/untouched.py</code> (new)',
      '<code>sample/shapes.py</code> (renamed from <code>sample/geometry.py</code>)',
    ]);
    expect(rows[1]?.[1]).toBe('1 of 6');
    expect(linksIn(rows[1]?.[2] ?? '')).toEqual([
      [`${blob}sample/pricing.py#L9-L11`, '9-11'],
      [`${blob}sample/pricing.py#L22`, '22'],
      [`${blob}sample/pricing.py#L30`, '30'],
    ]);
    // untouched.py: statements 1 and 4 ran, 5-6 did not (2 and 3 are not statements).
    expect(linksIn(rows[2]?.[2] ?? '')).toEqual([[`${blob}sample/untouched.py#L5-L6`, '5-6']]);
    expect(rows[3]?.slice(1)).toEqual(['2 of 2', 'none']);
  });

  it(`stops at ${MAX_CHANGED_ROWS} files and says how many more are in the HTML report`, async () => {
    const coverage = replicate(await load('lines-7.6.1.json'), 80);
    const changes = Object.keys(coverage.files)
      .filter((name) => name.endsWith('pricing.py'))
      .map(pricingChange);
    const html = render(renderSummary(prInput(coverage, changes)));
    expect(tableAfter(html, 'Changed lines')).toHaveLength(1 + MAX_CHANGED_ROWS);
    expect(html).toContain(
      `<p>and ${80 - MAX_CHANGED_ROWS} more changed files in the HTML report.</p>`,
    );
    const withoutHtml = render(
      renderSummary({
        ...prInput(coverage, changes),
        reports: { json: 'coverage-harvest/coverage.json' },
      }),
    );
    expect(withoutHtml).toContain(
      `<p>and ${80 - MAX_CHANGED_ROWS} more changed files in coverage.json.</p>`,
    );
  });
});

describe('the files table', () => {
  it('links missed ranges and partial branches to their lines', async () => {
    const html = render(renderSummary(prInput(await load('branch-7.13.0.json'), [])));
    const row = tableAfter(html, 'Files, lowest coverage first').find((r) =>
      r[0]?.includes('sample/pricing.py'),
    );
    expect(linksIn(row?.at(-1) ?? '')).toEqual([
      [`${blob}sample/pricing.py#L9-L11`, '9-11'],
      [`${blob}sample/pricing.py#L22`, '22'],
      [`${blob}sample/pricing.py#L30`, '30'],
      [`${blob}sample/pricing.py#L36`, '36-&#62;38'],
      [`${blob}sample/pricing.py#L42`, '42-&#62;exit'],
    ]);
    // The odd file name is escaped in the text and percent-encoded in its links.
    const odd = linksIn(html).find(([href]) => href.includes('odd'));
    expect(odd?.[0]).toBe(`${blob}sample/odd%3Cb%3E%7C*name*%60%5Bx%5D(y).py#L9-L11`);
  });

  it(`lists at most ${MAX_FILE_ROWS} files (10 open, the rest folded), then the count left out`, async () => {
    const coverage = replicate(await load('lines-7.6.1.json'), 30); // 120 files with statements
    const html = render(renderSummary(prInput(coverage, [])));
    const [open = '', folded = ''] = html.split('<details>');
    expect(tableAfter(open, 'Files, lowest coverage first')).toHaveLength(1 + 10);
    const foldedRows = [...folded.matchAll(/<tr><td>/g)].length;
    expect(foldedRows).toBe(MAX_FILE_ROWS - 10);
    expect(folded).toContain(`<summary>${MAX_FILE_ROWS - 10} more files</summary>`);
    expect(html).toContain(`<p>and ${120 - MAX_FILE_ROWS} more files in the HTML report</p>`);
  });

  it('links at most 20 ranges in one cell and counts the rest', async () => {
    const coverage = await load('lines-7.6.1.json');
    const executed = Array.from({ length: 50 }, (_, i) => 2 * i + 1);
    const missing = Array.from({ length: 50 }, (_, i) => 2 * i + 2);
    const { report: big, file } = editable(coverage);
    const odd = file('sample/pricing.py');
    odd.executed_lines = executed;
    odd.missing_lines = missing;
    const html = render(renderSummary(prInput(big, [])));
    const cell =
      tableAfter(html, 'Files, lowest coverage first')
        .find((r) => r[0]?.includes('pricing.py'))
        ?.at(-1) ?? '';
    expect(linksIn(cell)).toHaveLength(20);
    expect(linksIn(cell)[19]).toEqual([`${blob}sample/pricing.py#L40`, '40']);
    expect(cell).toMatch(/<\/a> and 30 more$/);
  });

  it('shows no links when the repository or commit is unknown', async () => {
    const html = render(
      renderSummary({ ...prInput(await load('lines-7.6.1.json'), []), links: undefined }),
    );
    expect(linksIn(html)).toEqual([]);
    expect(html).toContain('9-11, 22, 30');
  });
});

describe('the baseline table', () => {
  it('lists the files whose coverage changed, biggest drop first', async () => {
    const base = await load('lines-7.6.1.json');
    const { report: head, file } = editable(base);
    file('sample/pricing.py').summary.covered_lines = 20;
    file('sample/shapes.py').summary.covered_lines = 4;
    const html = render(
      renderSummary(prInput(head, [], { baseline: compareToBaseline(head, base, (n) => n) })),
    );
    expect(tableAfter(html, 'Against the baseline')).toEqual([
      ['File', 'Baseline', 'Now', 'Change'],
      ['<code>sample/shapes.py</code>', '100.00%', '80.00%', '-20.00'],
      ['<code>sample/pricing.py</code>', '83.87%', '64.52%', '-19.35'],
    ]);
  });
});
