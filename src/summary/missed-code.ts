/**
 * The changed lines a pull request's tests did not run, as code: per file, each run of missed
 * statements linked to its lines at the head commit, with the source text in a fenced block.
 * Shared by the job summary and the pull request comment.
 */
import type { ChangedLines } from '../pr/changed-lines.js';
import { lineUrl, type SourceLinks } from '../pr/links.js';
import type { SourceLines } from '../pr/source-lines.js';
import { escapeAttribute, escapeText, missedParts } from './markdown.js';

/** How much code to show: source lines per file and in all. */
export interface CodeCaps {
  readonly perFile: number;
  readonly total: number;
}

export const DEFAULT_CODE_CAPS: CodeCaps = { perFile: 30, total: 100 };

/** A source line longer than this is cut: a minified line must not fill the comment. */
const MAX_LINE_CHARS = 200;

export interface MissedCode {
  /** Markdown (HTML paragraphs and fenced blocks), '' when no changed line was missed. */
  readonly markdown: string;
  /** Missed changed statements not shown within the caps, and the files they are in. */
  readonly hiddenLines: number;
  readonly hiddenFiles: number;
}

/** The missed changed lines as code, within `caps` (source lines shown). */
export function missedCode(
  changed: ChangedLines,
  sources: SourceLines | undefined,
  links: SourceLinks | undefined,
  caps: CodeCaps,
): MissedCode {
  const blocks: string[] = [];
  let budget = caps.total;
  let hiddenLines = 0;
  let hiddenFiles = 0;
  for (const file of changed.files.filter((f) => f.missed.length > 0)) {
    const room = Math.min(caps.perFile, budget);
    const shown = room > 0 ? fileBlock(file, sources?.get(file.path), links, room) : undefined;
    if (shown === undefined) {
      hiddenLines += file.missed.length;
      hiddenFiles += 1;
      continue;
    }
    blocks.push(shown.markdown);
    budget -= shown.lines;
    hiddenLines += shown.hiddenStatements;
  }
  return { markdown: blocks.join('\n\n'), hiddenLines, hiddenFiles };
}

function fileBlock(
  file: ChangedLines['files'][number],
  text: readonly string[] | undefined,
  links: SourceLinks | undefined,
  room: number,
): { markdown: string; lines: number; hiddenStatements: number } {
  const parts = missedParts(file.fileStatements, file.missed);
  const out = [
    `<p><strong><code>${escapeText(file.path)}</code></strong>: ${file.missed.length} of ${file.statements.length} changed ${file.statements.length === 1 ? 'statement' : 'statements'} not executed</p>`,
  ];
  let lines = 0;
  let shownMissed = 0;
  for (const part of parts) {
    if (lines >= room) break;
    const to = Math.min(part.to, part.from + (room - lines) - 1);
    const label = part.from === to ? `line ${part.from}` : `lines ${part.from}-${to}`;
    const url = links === undefined ? undefined : lineUrl(links.blobRoot, file.path, part.from, to);
    out.push(
      url === undefined
        ? `<p>${label}</p>`
        : `<p><a href="${escapeAttribute(url)}">${label}</a></p>`,
    );
    const code = text?.slice(part.from - 1, to);
    if (code !== undefined && code.length > 0) out.push(fenced(code, part.from));
    lines += to - part.from + 1;
    shownMissed += file.missed.filter((line) => line >= part.from && line <= to).length;
  }
  return { markdown: out.join('\n\n'), lines, hiddenStatements: file.missed.length - shownMissed };
}

/** Source lines in a fenced block, numbered; the fence is longer than any backtick run inside. */
function fenced(code: readonly string[], first: number): string {
  const width = String(first + code.length - 1).length;
  const body = code.map((line, i) => `${String(first + i).padStart(width)}  ${clean(line)}`);
  const longest = Math.max(
    0,
    ...body.map((line) => Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length))),
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}python\n${body.join('\n')}\n${fence}`;
}

/** Control characters out (a tab stays), long lines cut. */
function clean(line: string): string {
  const text = line.replace(/(?!\t)[\p{Cc}\u2028\u2029]/gu, '');
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
}
