/** The summary's sections for a pull request's reader: changed lines and the baseline. */
import * as core from '@actions/core';
import { formatDelta, type BaselineComparison } from '../report/baseline.js';
import type { ChangedFile, ChangedLines } from '../pr/changed-lines.js';
import { lineUrl, type SourceLinks } from '../pr/links.js';
import type { SourceLines } from '../pr/source-lines.js';
import { formatPercent } from '../shared/format.js';
import { escapeText, linkedParts, missedParts } from './markdown.js';
import type { SummaryInput } from './input.js';
import { DEFAULT_CODE_CAPS, missedCode } from './missed-code.js';
import { EMPTY, headerRow, type Cell } from './table.js';

/** Rows of the changed-lines table; the rest are in the reports. */
export const MAX_CHANGED_ROWS = 50;
/** Rows of the baseline table. */
export const MAX_BASELINE_ROWS = 25;
/** Linked missed ranges per cell. */
const MAX_RANGES = 20;
/** Unmeasured changed files named in one sentence. */
const MAX_NAMES = 20;

/** "and K more <noun> in the HTML report" (or in coverage.json when no HTML report was written). */
export function moreNote(count: number, noun: string, reports: SummaryInput['reports']): string {
  const where = reports.html !== undefined ? 'the HTML report' : 'coverage.json';
  return `and ${count} more ${noun} in ${where}`;
}

const code = (text: string): string => `<code>${escapeText(text)}</code>`;

/** The sentences under the headline: changed lines and the baseline, in words. */
export function headlineParagraphs(input: SummaryInput): string[] {
  const paragraphs: string[] = [];
  if (input.changedError !== undefined) {
    paragraphs.push(
      `<p><strong>Changed lines unknown:</strong> ${escapeText(input.changedError)}</p>`,
    );
  }
  const changed = input.changed;
  if (changed !== undefined) {
    const who = input.e2eOnly === undefined ? 'The E2E run' : 'The unit and E2E tests';
    if (changed.statements === 0) {
      paragraphs.push('<p>This pull request changes no statement that coverage.py measured.</p>');
    } else {
      let text =
        `${who} executed <strong>${formatPercent(changed.percent)}%</strong> of the lines this ` +
        `pull request changes (${changed.executed} of ${changed.statements} statements)`;
      const e2e = input.e2eOnly?.changed;
      if (e2e !== undefined) {
        text += `; the E2E run alone ${formatPercent(e2e.percent)}% (${e2e.executed} of ${e2e.statements})`;
      }
      paragraphs.push(`<p>${text}.</p>`);
    }
  }
  const baseline = input.baseline;
  if (baseline !== undefined) {
    paragraphs.push(
      `<p>Against the baseline: ${formatPercent(baseline.basePercent)}% → ` +
        `${formatPercent(baseline.percent)}% of lines (${formatDelta(baseline.delta)} points)` +
        `${input.baselineNote === undefined ? '' : `; ${escapeText(input.baselineNote)}`}.</p>`,
    );
  }
  return paragraphs;
}

function fileCell(file: ChangedFile): string {
  if (file.renamedFrom !== undefined)
    return `${code(file.path)} (renamed from ${code(file.renamedFrom)})`;
  return file.kind === 'added' ? `${code(file.path)} (new)` : code(file.path);
}

function changedRow(file: ChangedFile, links: SourceLinks | undefined): Cell[] {
  const parts = missedParts(file.fileStatements, file.missed);
  const missed = linkedParts(
    parts,
    (from, to) => (links === undefined ? undefined : lineUrl(links.blobRoot, file.path, from, to)),
    MAX_RANGES,
  );
  return [fileCell(file), `${file.executed.length} of ${file.statements.length}`, missed || 'none'];
}

/** The changed files with their not-executed changed lines, most missed first, capped. */
export function addChangedLines(
  changed: ChangedLines,
  reports: SummaryInput['reports'],
  links: SourceLinks | undefined,
  sources: SourceLines | undefined,
): void {
  if (changed.files.length === 0 && changed.unmeasured.length === 0) return;
  core.summary.addHeading('Changed lines', 3);
  if (changed.files.length > 0) {
    const listed = changed.files.slice(0, MAX_CHANGED_ROWS);
    core.summary.addTable([
      headerRow(['File', 'Changed statements executed', 'Not executed']),
      ...listed.map((file) => changedRow(file, links)),
    ]);
    if (changed.files.length > listed.length) {
      core.summary.addRaw(
        `<p>${moreNote(changed.files.length - listed.length, 'changed files', reports)}.</p>`,
        true,
      );
    }
    addMissedCode(changed, sources, links, reports);
  }
  if (changed.unmeasured.length > 0) {
    const names = changed.unmeasured.slice(0, MAX_NAMES).map(code).join(', ');
    const more = changed.unmeasured.length - MAX_NAMES;
    core.summary.addRaw(
      `<p>Changed Python files that coverage.py did not measure at all (not imported by the services, or outside <code>source</code>): ${names}${more > 0 ? ` and ${more} more` : ''}.</p>`,
      true,
    );
  }
}

/** The changed lines that did not run, as code, under the table. */
function addMissedCode(
  changed: ChangedLines,
  sources: SourceLines | undefined,
  links: SourceLinks | undefined,
  reports: SummaryInput['reports'],
): void {
  const code = missedCode(changed, sources, links, DEFAULT_CODE_CAPS);
  if (code.markdown === '') return;
  core.summary.addHeading('Changed lines not executed', 4);
  core.summary.addRaw(`\n${code.markdown}\n`, true);
  if (code.hiddenLines > 0) {
    const files =
      code.hiddenFiles > 0
        ? ` (${code.hiddenFiles} more ${code.hiddenFiles === 1 ? 'file' : 'files'})`
        : '';
    core.summary.addRaw(
      `<p>${moreNote(code.hiddenLines, `changed lines not executed${files}`, reports)}.</p>`,
      true,
    );
  }
}

/** Files whose line coverage changed against the baseline, biggest drop first, capped. */
export function addBaseline(baseline: BaselineComparison): void {
  core.summary.addHeading('Against the baseline', 3);
  if (baseline.files.length === 0) {
    core.summary.addRaw('<p>No file’s line coverage changed.</p>', true);
    return;
  }
  const listed = baseline.files.slice(0, MAX_BASELINE_ROWS);
  const rows: Cell[][] = listed.map((file) => [
    file.renamedFrom === undefined
      ? code(file.path)
      : `${code(file.path)} (renamed from ${code(file.renamedFrom)})`,
    file.basePercent === undefined ? 'new file' : `${formatPercent(file.basePercent)}%`,
    file.percent === undefined ? 'removed' : `${formatPercent(file.percent)}%`,
    file.percent === undefined || file.basePercent === undefined
      ? EMPTY
      : formatDelta(file.percent - file.basePercent),
  ]);
  core.summary.addTable([headerRow(['File', 'Baseline', 'Now', 'Change']), ...rows]);
  const more = baseline.files.length - listed.length;
  if (more > 0) {
    core.summary.addRaw(
      `<p>and ${more} more ${more === 1 ? 'file' : 'files'} whose coverage changed.</p>`,
      true,
    );
  }
}
