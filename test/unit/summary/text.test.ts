// The CLI's summary as terminal text: the job summary's figures in columns, target-made text
// with its control characters escaped.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TargetOutcome } from '../../../src/harvest/outcome.js';
import { summarizeContexts } from '../../../src/report/contexts.js';
import { readCoverageJson } from '../../../src/report/coverage-json.js';
import {
  columns,
  lineRanges,
  renderFailureText,
  renderText,
  terminalSafe,
} from '../../../src/summary/text.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const target: TargetOutcome = {
  label: 'container api-1',
  method: 'http',
  ms: 38,
  files: 2,
  bytes: 53248,
  attempts: [{ method: 'http', confirmed: true, ms: 38, detail: '2 processes acknowledged' }],
};

describe('the terminal summary', () => {
  it('gives the total, the targets, the most missed files and the reports', async () => {
    const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
    const text = renderText({
      coverage,
      targets: [target],
      warnings: ['one \u001b[31mred\u001b[0m warning'],
      reports: { json: 'coverage-harvest/coverage.json', xml: 'coverage-harvest/coverage.xml' },
    });
    expect(text.split('\n')).toEqual([
      'Python coverage, measured by coverage.py 7.6.1',
      '  total line coverage 66.07% (37 of 56 lines in 5 files)',
      '',
      'Targets',
      '  target           method  time   files    bytes',
      '  container api-1  http    38 ms  2 files  52.0 KiB',
      '',
      'Files with the most missed lines',
      '  file                            missed    covered  missed lines',
      '  sample/untouched.py             11 of 14  21.43%   5-10, 14, 18-21',
      '  sample/pricing.py               5 of 31   83.87%   9-11, 22, 30',
      '  sample/odd<b>|*name*`[x](y).py  3 of 6    50.00%   9-11',
      '',
      'Warnings',
      '  - one \\x1b[31mred\\x1b[0m warning',
      '',
      'Reports',
      '  json  coverage-harvest/coverage.json',
      '  xml   coverage-harvest/coverage.xml',
    ]);
  });

  it('lists the E2E tests by the lines only they ran', async () => {
    const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
    const contexts = summarizeContexts({
      '': { 'a.py': [1, 2] },
      'test one': { 'a.py': [1, 3, 4] },
      'test\ttwo': { 'a.py': [3] },
    });
    const text = renderText({ coverage, targets: [], warnings: [], reports: {}, contexts });
    expect(text).toContain(
      [
        'E2E tests: 2 context(s) ran 3 line(s); 1 line(s) ran only outside any test',
        '  test         lines  only it  files',
        '  "test one"   3      2        1',
        '  "test\\ttwo"  1      0        1',
      ].join('\n'),
    );
  });

  it('says why a run failed, with every attempt', () => {
    const failed: TargetOutcome = {
      ...target,
      method: null,
      files: 0,
      bytes: 0,
      error: 'no data',
      attempts: [{ method: 'http', confirmed: false, ms: 5, detail: 'refused\nthen gone' }],
    };
    expect(
      renderFailureText({ error: 'nothing harvested; fix it', targets: [failed], warnings: [] }),
    ).toBe(
      [
        'Python coverage: the harvest failed',
        '  nothing harvested; fix it',
        '',
        'Targets',
        '  target           method  time   files    bytes',
        '  container api-1  none    38 ms  0 files  0 B    no data',
        '',
        'Flush attempts',
        '  container api-1: http not confirmed in 5 ms: refused\\x0athen gone',
      ].join('\n'),
    );
  });

  it('has helpers that read at a glance', () => {
    expect(lineRanges([1, 2, 3, 5, 7, 8])).toBe('1-3, 5, 7-8');
    expect(lineRanges([1, 3, 5, 7], 2)).toBe('1, 3, ... (+2 more)');
    expect(
      columns([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toEqual(['  a    bb', '  ccc  d']);
    expect(terminalSafe('a\u009bb\u007f')).toBe('a\\x9bb\\x7f');
  });
});
