import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent } from '../../../src/shared/format.js';
import { escapeText, missedRanges } from '../../../src/summary/markdown.js';

describe('missedRanges', () => {
  it('joins missed statements into ranges across lines that are not statements', () => {
    // Statements 12, 13 and 15 (14 is a comment) are missed, 17 ran, 20 missed.
    expect(missedRanges([10, 12, 13, 15, 17, 20], [12, 13, 15, 20])).toBe('12-15, 20');
  });

  it('breaks a range at a statement that ran', () => {
    expect(missedRanges([1, 2, 3, 4, 5], [1, 2, 4, 5])).toBe('1-2, 4-5');
  });

  it('shows partial branches whose lines ran, in line order, exits as `exit`', () => {
    expect(
      missedRanges(
        [1, 2, 3, 5, 6, 8],
        [6],
        [
          [5, -4],
          [1, 3],
          [2, 6],
        ],
      ),
    ).toBe('1->3, 5->exit, 6');
  });

  it('is empty when nothing was missed', () => {
    expect(missedRanges([1, 2, 3], [])).toBe('');
  });
});

describe('escapeText', () => {
  it('turns every HTML and markdown special character into a numeric entity', () => {
    expect(escapeText(`<a href="x">'&'</a> | *_~\`[]#@!\\`)).toBe(
      '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62; &#124; &#42;&#95;&#126;&#96;&#91;&#93;&#35;&#64;&#8288;&#33;&#92;',
    );
  });

  it('keeps a message on one line so a blank line cannot end the HTML block', () => {
    expect(escapeText('a\r\nb\n\nc\u2028d')).toBe('a b  c d');
  });
});

describe('numbers', () => {
  it('never rounds a percentage up to 100 or down to 0', () => {
    expect(formatPercent(99.999)).toBe('99.99');
    expect(formatPercent(100)).toBe('100.00');
    expect(formatPercent(0.001)).toBe('0.01');
    expect(formatPercent(0)).toBe('0.00');
    expect(formatPercent(61.224489795918366)).toBe('61.22');
  });

  it('formats bytes and durations for people', () => {
    expect([formatBytes(512), formatBytes(53248), formatBytes(1_572_864)]).toEqual([
      '512 B',
      '52.0 KiB',
      '1.5 MiB',
    ]);
    expect([formatDuration(38.4), formatDuration(12_400)]).toEqual(['38 ms', '12.4 s']);
  });
});
