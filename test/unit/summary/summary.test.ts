import * as core from '@actions/core';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCoverageJson, type CoverageJson } from '../../../src/report/coverage-json.js';
import type { TargetOutcome } from '../../../src/harvest/outcome.js';
import { STEP_SUMMARY_LIMIT_BYTES, type SummaryInput } from '../../../src/summary/input.js';
import { renderSummary } from '../../../src/summary/render.js';
import { writeJobSummary } from '../../../src/summary/summary.js';

// Written by the real coverage.py (see fixtures/coverage-json/make.sh).
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const load = (name: string): Promise<CoverageJson> => readCoverageJson(join(fixtures, name));

const targets: TargetOutcome[] = [
  {
    label: 'container api-1',
    method: 'http',
    ms: 38,
    files: 2,
    bytes: 53248,
    attempts: [{ method: 'http', confirmed: true, ms: 38, detail: '2 processes acknowledged' }],
  },
  {
    label: 'container worker<img src=x onerror=alert(1)>',
    method: 'sigterm',
    ms: 12_400,
    files: 1,
    bytes: 1_572_864,
    attempts: [
      { method: 'http', confirmed: false, ms: 2, detail: 'no agent registered in /coverdata' },
      {
        method: 'signal',
        confirmed: false,
        ms: 10_000,
        detail: 'no data file newer than the\n\nsignal | *in 10 s*',
      },
      { method: 'sigterm', confirmed: true, ms: 2_400, detail: 'data file written' },
    ],
  },
  {
    label: 'container broken',
    method: null,
    ms: 30_000,
    files: 0,
    bytes: 0,
    attempts: [{ method: 'sigterm', confirmed: false, ms: 30_000, detail: 'no data after 30 s' }],
    error: 'nothing to copy: no coverage data in /coverdata',
  },
];

const input = (coverage: CoverageJson, more: Partial<SummaryInput> = {}): SummaryInput => ({
  coverage,
  targets,
  warnings: [],
  reports: { lcov: 'coverage-harvest/coverage.lcov', xml: 'coverage-harvest/coverage.xml' },
  ...more,
});

/** Turns the numeric character references the summary uses back into text. */
const decode = (html: string): string =>
  html.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

/** The file names of the per-file tables, in order. */
const fileNames = (summary: string): string[] =>
  [...summary.matchAll(/<tr><td><code>(.*?)<\/code><\/td>/g)].map((m) => decode(m[1] ?? ''));

/** coverage.py's own "Missing" column from `coverage report -m`, by file name. */
async function coverageReportMissing(name: string): Promise<Map<string, string>> {
  const text = await readFile(join(fixtures, name), 'utf8');
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [, name, missing] = /^(\S+)\s+\d+\s+\d+(?:\s+\d+\s+\d+)?\s+\d+%\s*(.*)$/.exec(line) ?? [];
    if (name !== undefined && name !== 'TOTAL') rows.set(name, (missing ?? '').trim());
  }
  return rows;
}

/** Cells of the row for one file, decoded. */
function rowOf(summary: string, file: string): string[] {
  const row = [...summary.matchAll(/<tr>(.*?)<\/tr>/g)]
    .map((m) => [...(m[1] ?? '').matchAll(/<td>(.*?)<\/td>/g)].map((c) => decode(c[1] ?? '')))
    .find((cells) => cells[0] === `<code>${file}</code>`);
  if (!row) throw new Error(`no row for ${file}`);
  return row;
}

describe('renderSummary on real coverage.py reports', () => {
  it('leads with the line percentage and the counts', async () => {
    const summary = renderSummary(input(await load('lines-7.6.1.json')));
    expect(summary).toMatch(/^<h2>Python coverage: 66\.07% of lines<\/h2>/);
    expect(summary).toMatch(
      /<p>37 of 56 lines in 5 files, measured by coverage\.py 7\.6\.1\. Total as <code>coverage report<\/code> gives it with the project's settings: \d+%\.<\/p>/,
    );
    expect(summary).not.toContain('branches');
  });

  it('adds the branch percentage when branches were measured', async () => {
    const summary = renderSummary(input(await load('branch-7.13.0.json')));
    expect(summary).toMatch(/^<h2>Python coverage: 66\.07% of lines, 50\.00% of branches<\/h2>/);
    expect(summary).toContain('37 of 56 lines, 13 of 26 branches in 5 files');
    expect(summary).toContain('<th>Branches</th>');
    expect(rowOf(summary, 'sample/pricing.py')[2]).toBe('65.00% (13/20)');
  });

  it('has a row per target with method, time, files, bytes and why earlier methods failed', async () => {
    const summary = renderSummary(input(await load('lines-7.6.1.json')));
    expect(summary).toContain(
      '<tr><th>Target</th><th>Method</th><th>Time</th><th>Files</th><th>Bytes</th><th>Failed attempts</th></tr>',
    );
    expect(summary).toContain(
      '<tr><td>container api-1</td><td>http</td><td>38 ms</td><td>2</td><td>52.0 KiB</td><td> </td></tr>',
    );
    const worker = /<tr>(<td>container worker.*?)<\/tr>/.exec(summary)?.[1] ?? '';
    expect(worker).toContain('<td>sigterm</td><td>12.4 s</td><td>1</td><td>1.5 MiB</td>');
    expect(decode(worker)).toContain(
      'http (2 ms): no agent registered in /coverdata<br>signal (10.0 s): no data file newer than the  signal | *in 10 s*',
    );
    expect(summary).toContain(
      '<td><strong>none</strong></td><td>30.0 s</td><td>0</td><td>0 B</td><td>sigterm (30.0 s): no data after 30 s<br><strong>nothing to copy: no coverage data in /coverdata</strong></td>',
    );
  });

  it('writes well-formed tables (every cell closed, even empty ones)', async () => {
    for (const variant of ['lines-7.6.1', 'branch-7.13.0']) {
      const summary = renderSummary(input(await load(`${variant}.json`)), { filesShown: 1 });
      for (const tag of ['table', 'tr', 'td', 'th', 'details', 'code', 'p', 'strong']) {
        const opened = summary.match(new RegExp(`<${tag}>`, 'g'))?.length ?? 0;
        expect(summary.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0, tag).toBe(opened);
      }
    }
  });

  it('lists files lowest coverage first and leaves out files without statements', async () => {
    const summary = renderSummary(input(await load('branch-7.6.1.json')));
    expect(fileNames(summary)).toEqual([
      'sample/untouched.py',
      'sample/odd<b>|*name*`[x](y).py',
      'sample/pricing.py',
      'sample/shapes.py',
    ]);
    expect(summary).toContain('<p>1 file without statements');
  });

  it.each(['lines-7.6.1', 'branch-7.6.1', 'lines-7.13.0', 'branch-7.13.0'])(
    'shows missed lines exactly as `coverage report -m` does (%s)',
    async (variant) => {
      const summary = renderSummary(input(await load(`${variant}.json`)));
      const expected = await coverageReportMissing(`report-${variant}.txt`);
      expect(expected.get('sample/pricing.py')).toMatch(/9-11, 22, 30/);
      for (const file of fileNames(summary)) {
        expect(rowOf(summary, file).at(-1)?.trim(), file).toBe(expected.get(file));
      }
      if (variant.startsWith('branch')) {
        expect(rowOf(summary, 'sample/pricing.py').at(-1)).toBe('9-11, 22, 30, 36->38, 42->exit');
      }
    },
  );

  it('folds the files after the first N into <details>', async () => {
    const summary = renderSummary(input(await load('lines-7.6.1.json')), { filesShown: 2 });
    const [open = '', folded = ''] = summary.split('<details>');
    expect(fileNames(open)).toEqual(['sample/untouched.py', 'sample/odd<b>|*name*`[x](y).py']);
    expect(folded).toMatch(/^<summary>2 more files<\/summary><table><tr><th>File<\/th>/);
    expect(fileNames(folded)).toEqual(['sample/pricing.py', 'sample/shapes.py']);
    expect(renderSummary(input(await load('lines-7.6.1.json')))).not.toContain('<details>');
  });

  it('escapes file names, target labels, reasons and warnings against HTML and markdown', async () => {
    const hostile =
      'run `rm -rf` <script>alert(1)</script> | [link](javascript:x) **bold** @team #1';
    const summary = renderSummary(
      input(await load('lines-7.6.1.json'), {
        warnings: [hostile, 'line one\n\n# heading two'],
        reports: { lcov: 'out/<b>.lcov' },
      }),
    );
    const markup = summary
      .replace(/&#\d+;/g, '')
      .replace(/<\/?(h2|h3|p|table|tr|th|td|code|strong|br|ul|li)>/g, '');
    expect(markup).not.toMatch(/[<>|`*[\]#@]/);
    expect(summary).toContain(
      `<li>${hostile.replace(/[&<>"'|*_`[\]\\~#@!]/g, (c) => (c === '@' ? '&#64;&#8288;' : `&#${c.codePointAt(0)};`))}</li>`,
    );
    expect(decode(summary)).toContain(`<li>${hostile.replace('@', '@\u2060')}</li>`);
    expect(decode(summary)).toContain('<li>line one  # heading two</li>');
    expect(decode(summary)).toContain('<code>sample/odd<b>|*name*`[x](y).py</code>');
    expect(decode(summary)).toContain('container worker<img src=x onerror=alert(1)>');
    expect(decode(summary)).toContain('lcov <code>out/<b>.lcov</code>');
  });

  it('names the reports that were written', async () => {
    const summary = renderSummary(input(await load('lines-7.6.1.json')));
    expect(decode(summary)).toContain(
      '<p>Reports: lcov <code>coverage-harvest/coverage.lcov</code>, Cobertura XML <code>coverage-harvest/coverage.xml</code></p>',
    );
  });

  it('is pure: leaves whatever else was pending in core.summary', async () => {
    core.summary.emptyBuffer().addRaw('pending from elsewhere');
    const first = renderSummary(input(await load('lines-7.6.1.json')));
    expect(core.summary.stringify()).toBe('pending from elsewhere');
    expect(renderSummary(input(await load('lines-7.6.1.json')))).toBe(first);
    core.summary.emptyBuffer();
  });
});

describe('writeJobSummary', () => {
  let dir: string;
  let summaryFile: string;
  const saved = process.env.GITHUB_STEP_SUMMARY;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'summary-'));
    summaryFile = join(dir, 'step_summary');
    await writeFile(summaryFile, '');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  });

  it('appends the rendered summary to the step summary file', async () => {
    const data = input(await load('branch-7.6.1.json'));
    await writeFile(summaryFile, 'earlier output\n');
    expect(await writeJobSummary(data, join(dir, 'out'))).toEqual({ written: true });
    expect(await readFile(summaryFile, 'utf8')).toBe(`earlier output\n${renderSummary(data)}`);
  });

  it('writes nothing and says so when not on a runner', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    expect(await writeJobSummary(input(await load('lines-7.6.1.json')), dir)).toEqual({
      written: false,
    });
  });

  it('puts the full summary in summary.md when it does not fit, keeping all but the file tables', async () => {
    // The real report's files under 30 package names, and a step that already wrote most of 1 MiB.
    const real = await load('branch-7.6.1.json');
    const files: Record<string, CoverageJson['files'][string]> = {};
    for (let i = 0; i < 30; i++) {
      for (const [name, file] of Object.entries(real.files)) files[`pkg${i}/${name}`] = file;
    }
    const big = input({ ...real, files }, { warnings: ['a warning that must stay'] });
    const full = renderSummary(big);
    const already = STEP_SUMMARY_LIMIT_BYTES - Buffer.byteLength(full) + 1;
    await writeFile(summaryFile, 'x'.repeat(already));

    const result = await writeJobSummary(big, join(dir, 'out'), {
      artifactName: 'python-coverage',
    });
    expect(result).toEqual({ written: true, fallbackFile: join(dir, 'out', 'summary.md') });
    expect(await readFile(join(dir, 'out', 'summary.md'), 'utf8')).toBe(full);
    expect((await stat(summaryFile)).size).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT_BYTES);
    const short = (await readFile(summaryFile, 'utf8')).slice(already);
    expect(short).toMatch(/^<h2>Python coverage: 66\.07% of lines, 43\.33% of branches<\/h2>/);
    expect(short).toContain('<td>container api-1</td><td>http</td>');
    expect(short).toContain('<li>a warning that must stay</li>');
    expect(short).toContain(
      'The per-file tables for 150 files do not fit in the job summary (GitHub allows 1 MiB per step; this step&#39;s summary would take 1.0 MiB).',
    );
    expect(decode(short)).toContain(
      'The full summary is summary.md in the artifact python-coverage.',
    );
    expect(short).not.toContain('pkg0/');
  });

  it('keeps only the headline and the pointer when even the targets exceed 1 MiB', async () => {
    // A DaemonSet across a large cluster: thousands of pods, each with a reason.
    const many: TargetOutcome[] = Array.from({ length: 6000 }, (_, i) => ({
      ...(targets[1] as TargetOutcome),
      label: `pod e2e/api-${i}`,
    }));
    const data = input(await load('lines-7.6.1.json'), { targets: many });
    expect(Buffer.byteLength(renderSummary(data))).toBeGreaterThan(STEP_SUMMARY_LIMIT_BYTES);
    const result = await writeJobSummary(data, join(dir, 'out'), { artifactName: 'cov' });
    expect(result.fallbackFile).toBe(join(dir, 'out', 'summary.md'));
    const short = await readFile(summaryFile, 'utf8');
    expect(short).toMatch(/^<h2>Python coverage: 66\.07% of lines<\/h2>/);
    expect(short).not.toContain('api-1');
    expect(short).not.toContain('<table>');
    expect(decode(short)).toContain(
      'The summary is too large for the job summary. The full summary is summary.md in the artifact cov.',
    );
    expect(Buffer.byteLength(short)).toBeLessThan(1024);
  });

  it('counts what the step already wrote against the limit', async () => {
    const data = input(await load('lines-7.6.1.json'));
    const size = Buffer.byteLength(renderSummary(data));
    await writeFile(summaryFile, 'x'.repeat(STEP_SUMMARY_LIMIT_BYTES - size + 1));
    const result = await writeJobSummary(data, join(dir, 'out'));
    expect(result.fallbackFile).toBe(join(dir, 'out', 'summary.md'));
    // Without an artifact the pointer names the file on the runner.
    expect(decode(await readFile(summaryFile, 'utf8'))).toContain(
      `The full summary is in ${join(dir, 'out', 'summary.md')} on the runner.`,
    );
  });
});
