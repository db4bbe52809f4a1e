/** Table helpers shared by the summary's sections (all rendered through `core.summary`). */
import * as core from '@actions/core';

export type Cell = string | { data: string; header: true };

// core.summary writes an empty cell as an unclosed `<td>`; a space keeps the table well formed.
export const EMPTY = ' ';

export function headerRow(names: readonly string[]): Cell[] {
  return names.map((data) => ({ data, header: true }));
}

// core.summary.addTable only appends to the buffer; a table inside <details> needs its HTML.
export function tableHtml(rows: Cell[][]): string {
  const before = core.summary.stringify();
  const table = core.summary.addTable(rows).stringify().slice(before.length);
  core.summary.emptyBuffer().addRaw(before);
  return table;
}
