/** Text helpers for the job summary: escaping, line ranges, human-readable numbers. */
import type { CoverageArc } from '../report/coverage-json.js';
import { withoutControls } from '../shared/text.js';

// HTML-significant characters, and characters markdown would read as syntax (tables, emphasis,
// code, links, strikethrough, headings, mentions). As numeric entities they render literally in
// both HTML blocks and markdown paragraphs.
const SPECIAL = /[&<>"'|*_`[\]\\~#@!]/g;

/**
 * Escapes untrusted text (file names, error messages) for the job summary so it can neither
 * inject HTML nor markdown, nor a mention. Line breaks become spaces: a blank line would end the
 * HTML block and let markdown run. Other control characters and bidi overrides show as escapes
 * (`\u001b`), so a name cannot display as another.
 */
export function escapeText(text: string): string {
  return withoutControls(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')).replace(SPECIAL, (c) =>
    c === '@' ? MENTION_BREAK : `&#${c.codePointAt(0)};`,
  );
}

/**
 * `@` followed by a WORD JOINER: an entity alone renders as a plain `@`, and GitHub links
 * mentions in rendered text; its mention pattern needs a name character right after the `@`.
 */
const MENTION_BREAK = '&#64;&#8288;';

/** One item of the "Missing" column: a run of missed statements, or a partial branch. */
export interface MissedPart {
  /** First and last line of the run; for a branch, its source line twice. */
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/**
 * Missed lines and branches as coverage.py's own report shows them ("Missing" column):
 * runs of missed statements with no executed statement between them collapse into `a-b`
 * (blank lines and comments in between do not break a run), and branches whose source line
 * ran but did not take every way appear as `a->b` (`a->exit` when leaving the function),
 * unless the target line is itself listed as missed.
 */
export function missedParts(
  statements: readonly number[],
  missing: readonly number[],
  missingBranches: readonly CoverageArc[] = [],
): MissedPart[] {
  const missed = new Set(missing);
  const sorted = [...new Set(statements)].sort((a, b) => a - b);
  const parts: MissedPart[] = [];
  let start: number | undefined;
  let end: number | undefined;
  const close = (): void => {
    if (start !== undefined && end !== undefined) {
      parts.push({ from: start, to: end, text: start === end ? `${start}` : `${start}-${end}` });
    }
    start = end = undefined;
  };
  for (const line of sorted) {
    if (missed.has(line)) {
      start ??= line;
      end = line;
    } else {
      close();
    }
  }
  close();
  for (const [from, to] of missingBranches) {
    if (!missed.has(from) && !missed.has(to)) {
      parts.push({ from, to: from, text: `${from}->${to < 0 ? 'exit' : to}` });
    }
  }
  // Stable sort keeps a line's range before branches that start on the same line.
  return parts.sort((a, b) => a.from - b.from);
}

/** The "Missing" column as text, exactly as `coverage report -m` writes it. */
export function missedRanges(
  statements: readonly number[],
  missing: readonly number[],
  missingBranches: readonly CoverageArc[] = [],
): string {
  return missedParts(statements, missing, missingBranches)
    .map((p) => p.text)
    .join(', ');
}

/**
 * The parts as summary HTML: each a link when `href` gives one, at most `limit` of them, then
 * "and N more". Escaped; empty when there is nothing.
 */
export function linkedParts(
  parts: readonly MissedPart[],
  href: (from: number, to: number) => string | undefined,
  limit: number,
): string {
  const shown = parts.slice(0, limit).map((part) => {
    const url = href(part.from, part.to);
    return url === undefined
      ? escapeText(part.text)
      : `<a href="${escapeAttribute(url)}">${escapeText(part.text)}</a>`;
  });
  const more = parts.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** A URL in a double-quoted attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.codePointAt(0)};`);
}
