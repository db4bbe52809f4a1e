/** The job summary's "E2E tests" section: which context (test) ran which lines. */
import * as core from '@actions/core';
import type { ContextFigures, ContextsSummary } from '../report/contexts.js';
import { escapeText } from './markdown.js';
import { headerRow, tableHtml, type Cell } from './table.js';

/** Contexts in the open table, by lines only they ran. */
export const TOP_CONTEXTS = 10;
/** Rows of the folded table of every context; the rest are in the `contexts-file`. */
export const MAX_CONTEXT_ROWS = 300;
/** Names listed among the contexts that ran nothing unique. */
export const MAX_REDUNDANT_NAMES = 100;

const code = (text: string): string => `<code>${escapeText(text)}</code>`;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function rows(list: readonly ContextFigures[]): Cell[][] {
  return [
    headerRow(['Context', 'Lines it ran', 'Lines only it ran', 'Files']),
    ...list.map((c) => [code(c.name), String(c.lines), String(c.unique), String(c.files)]),
  ];
}

/**
 * The section, rendered into `core.summary`. `full` adds every context (folded) and the names of
 * those that ran nothing unique; without it (the short summary) just the counts and the top table. The top table lists
 * contexts that ran a line alone, most such lines first.
 */
export function addContexts(summary: ContextsSummary, full: boolean): void {
  const { contexts } = summary;
  core.summary.addHeading('E2E tests', 3);
  const redundant = contexts.filter((c) => c.unique === 0);
  core.summary.addRaw(
    `<p>${plural(contexts.length, 'context', 'contexts')} ran ${plural(summary.linesInContexts, 'line', 'lines')}; ` +
      `${plural(summary.outsideOnly, 'line', 'lines')} ran only outside any context (startup, between tests); ` +
      `${plural(redundant.length, 'context ran', 'contexts ran')} no line that no other context ran.</p>`,
    true,
  );
  const top = contexts.filter((c) => c.unique > 0).slice(0, TOP_CONTEXTS);
  if (top.length > 0) {
    core.summary.addRaw(`<p>Top ${top.length} by lines only they ran:</p>`, true);
    core.summary.addTable(rows(top));
  }
  if (!full) return;
  if (contexts.length > top.length) {
    const byName = [...contexts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const listed = byName.slice(0, MAX_CONTEXT_ROWS);
    const more =
      byName.length > listed.length
        ? `<p>and ${byName.length - listed.length} more in the <code>contexts-file</code></p>`
        : '';
    core.summary.addDetails(
      `All ${contexts.length} contexts, by name`,
      tableHtml(rows(listed)) + more,
    );
  }
  if (redundant.length > 0) {
    const names = redundant
      .slice(0, MAX_REDUNDANT_NAMES)
      .map((c) => code(c.name))
      .join(', ');
    const more =
      redundant.length > MAX_REDUNDANT_NAMES
        ? ` and ${redundant.length - MAX_REDUNDANT_NAMES} more`
        : '';
    core.summary.addDetails(
      `${plural(redundant.length, 'context', 'contexts')} that ran nothing other contexts did not`,
      `<p>${names}${more}</p>`,
    );
  }
}
