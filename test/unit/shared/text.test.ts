// Target-made strings in the action's own sentences and log lines: quoted, escaped, one line.
import { describe, expect, it } from 'vitest';
import { clipped, logLine, quoted } from '../../../src/shared/text.js';

/** What the runner reads as a workflow command: `::` at the start of a line, after white space. */
const commandLines = (text: string): string[] =>
  text.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith('::'));

describe('quoted', () => {
  it.each([
    ['.coverage.x', '".coverage.x"'],
    ['a "b" \\c', '"a \\"b\\" \\\\c"'],
    ['x\n::error::PWN', '"x\\n::error::PWN"'],
    ['x\r::warning::PWN\r', '"x\\r::warning::PWN\\r"'],
    ['\u001b[2Jred\u0000nul\tTab', '"\\u001b[2Jred\\u0000nul\\tTab"'],
    ['abc\u202edcba\u2066x\u2028y\u0085z', '"abc\\u202edcba\\u2066x\\u2028y\\u0085z"'],
  ])('%j is one quoted line: %s', (text, expected) => {
    expect(quoted(text)).toBe(expected);
    expect(commandLines(`said ${quoted(text)}`)).toEqual([]);
  });

  it('cuts a long string and says so', () => {
    expect(quoted('x'.repeat(300))).toBe(`"${'x'.repeat(200)}…"`);
    expect(quoted('abcdef', 3)).toBe('"abc…"');
  });
});

describe('clipped', () => {
  it('keeps a reason readable, escapes its control characters and cuts it', () => {
    expect(clipped('not an SQLite database (no SQLite header)')).toBe(
      'not an SQLite database (no SQLite header)',
    );
    expect(clipped('a\n::error::b')).toBe('a\\n::error::b');
    expect(clipped('y'.repeat(250))).toHaveLength(201);
  });
});

describe('logLine', () => {
  it.each([
    'container api: copied 1 data file(s)',
    'x\n::error::PWN\n::stop-commands::pwnstop',
    '::error::PWN at the start',
    '  \u00a0::add-mask::word after white space',
    '\r::group::PWN',
    '\u2028::notice::PWN',
  ])('never starts a workflow command: %j', (text) => {
    const line = logLine(text);
    expect(commandLines(line)).toEqual([]);
    // eslint-disable-next-line no-control-regex -- no control character may be left
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it('leaves an ordinary line as it is', () => {
    expect(logLine('pod e2e/api: http confirmed in 12 ms: 1 agent process(es)')).toBe(
      'pod e2e/api: http confirmed in 12 ms: 1 agent process(es)',
    );
  });
});
