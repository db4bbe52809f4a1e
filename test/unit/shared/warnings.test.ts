// The run's warnings: annotated once each, one line each, and bounded however many come.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_WARNINGS, Warnings } from '../../../src/shared/warnings.js';

let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const lines = () =>
  out
    .join('')
    .split(/\r\n|\r|\n/)
    .filter((l) => l !== '');

describe('Warnings', () => {
  it('annotates each warning once, on one line, whatever it holds', () => {
    const warnings = new Warnings();
    warnings.add('data file "x\\n" is left out');
    warnings.add('data file "x\\n" is left out');
    warnings.add('a \u001b[31m red \u202e line\n::error::PWN');
    expect(warnings.all()).toHaveLength(2);
    expect(lines()).toEqual([
      '::warning::data file "x\\n" is left out',
      '::warning::a \\u001b[31m red \\u202e line\\n::error::PWN',
    ]);
  });

  it(`annotates at most ${MAX_WARNINGS} and counts the rest`, () => {
    const warnings = new Warnings();
    for (let i = 0; i < 20_000; i++) warnings.add(`junk file ${i}`);
    expect(lines()).toHaveLength(MAX_WARNINGS + 1);
    expect(lines()[MAX_WARNINGS]).toBe(
      `::warning::more than ${MAX_WARNINGS} warnings; the rest are counted in the summary`,
    );
    const all = warnings.all();
    expect(all).toHaveLength(MAX_WARNINGS + 1);
    expect(all[MAX_WARNINGS]).toMatch(/^and 19800 more warning\(s\), not shown/);
  });
});
