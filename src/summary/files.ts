/** The summary's files table, lowest coverage first, with the missed lines linked. */
import * as core from '@actions/core';
import { lineUrl, type SourceLinks } from '../pr/links.js';
import {
  branchPercent,
  linePercent,
  type CoverageFile,
  type CoverageNumbers,
} from '../report/coverage-json.js';
import { formatPercent } from '../shared/format.js';
import { MAX_FILE_ROWS, MAX_RANGES_PER_CELL, type SummaryInput } from './input.js';
import { escapeText, linkedParts, missedParts } from './markdown.js';
import { moreNote } from './pull-request.js';
import { EMPTY, tableHtml, type Cell } from './table.js';

export function addFiles(input: SummaryInput, shown: number): void {
  const { coverage } = input;
  const branch = coverage.meta.branch_coverage;
  const files = Object.entries(coverage.files)
    .filter(([, f]) => f.summary.num_statements > 0 || (f.summary.num_branches ?? 0) > 0)
    .sort(([an, a], [bn, b]) => byLowestCoverage(an, a.summary, bn, b.summary));
  if (files.length === 0) return;
  core.summary.addHeading('Files, lowest coverage first', 3);
  const header: Cell[] = (
    branch ? ['File', 'Lines', 'Branches', 'Missed'] : ['File', 'Lines', 'Missed']
  ).map((data) => ({ data, header: true }));
  const rowsOf = (list: typeof files): Cell[][] => [
    header,
    ...list.map(([name, f]) => fileRow(name, f, branch, input.links)),
  ];
  const listed = files.slice(0, MAX_FILE_ROWS);
  const open = listed.slice(0, Math.max(0, shown));
  const folded = listed.slice(open.length);
  if (open.length > 0) core.summary.addTable(rowsOf(open));
  if (folded.length > 0) {
    core.summary.addDetails(
      `${folded.length} more ${folded.length === 1 ? 'file' : 'files'}`,
      tableHtml(rowsOf(folded)),
    );
  }
  const notes: string[] = [];
  if (files.length > listed.length)
    notes.push(moreNote(files.length - listed.length, 'files', input.reports));
  const empty = Object.keys(coverage.files).length - files.length;
  if (empty > 0) {
    notes.push(
      `${empty} ${empty === 1 ? 'file' : 'files'} without statements (such as an empty <code>__init__.py</code>) not listed.`,
    );
  }
  for (const note of notes) core.summary.addRaw(`<p>${note}</p>`, true);
}

function byLowestCoverage(
  aName: string,
  a: CoverageNumbers,
  bName: string,
  b: CoverageNumbers,
): number {
  return (
    a.percent_covered - b.percent_covered ||
    b.missing_lines - a.missing_lines ||
    (aName < bName ? -1 : aName > bName ? 1 : 0)
  );
}

function fileRow(
  name: string,
  file: CoverageFile,
  branch: boolean,
  links: SourceLinks | undefined,
): Cell[] {
  const s = file.summary;
  const statements = [...file.executed_lines, ...file.missing_lines];
  const parts = missedParts(
    statements,
    file.missing_lines,
    branch ? (file.missing_branches ?? []) : [],
  );
  const repoPath = links?.repoPathOf(name);
  const missed = linkedParts(
    parts,
    (from, to) =>
      links === undefined || repoPath === undefined
        ? undefined
        : lineUrl(links.blobRoot, repoPath, from, to),
    MAX_RANGES_PER_CELL,
  );
  const row: Cell[] = [
    `<code>${escapeText(name)}</code>`,
    `${formatPercent(linePercent(s))}% (${s.covered_lines}/${s.num_statements})`,
  ];
  if (branch) {
    const b = branchPercent(s);
    row.push(
      b === undefined || s.num_branches === 0
        ? EMPTY
        : `${formatPercent(b)}% (${s.covered_branches}/${s.num_branches})`,
    );
  }
  row.push(missed || EMPTY);
  return row;
}
