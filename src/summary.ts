/** The job summary: rendered by a pure function, written once, with an artifact fallback. */
import * as core from '@actions/core';
import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  branchPercent,
  linePercent,
  type CoverageFile,
  type CoverageJson,
  type CoverageNumbers,
} from './coverage-json.js';
import {
  escapeText,
  formatBytes,
  formatDuration,
  formatPercent,
  missedRanges,
} from './markdown.js';
import type { TargetOutcome } from './outcome.js';

export interface SummaryInput {
  coverage: CoverageJson;
  targets: readonly TargetOutcome[];
  warnings: readonly string[];
  /** Paths of the reports that were written, as the user should see them. */
  reports: { lcov?: string; xml?: string; json?: string; html?: string };
}

export interface RenderOptions {
  /** Files shown in the open table; the rest are folded into `<details>`. */
  readonly filesShown?: number;
  /** Replace the file lists with this note (used for the short summary of the fallback). */
  readonly filesNote?: string;
}

/** GitHub's limit for one step's summary. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const FALLBACK_FILE_NAME = 'summary.md';
const DEFAULT_FILES_SHOWN = 10;

type Cell = string | { data: string; header: true };

// core.summary writes an empty cell as an unclosed `<td>`; a space keeps the table well formed.
const EMPTY = ' ';

/**
 * Renders the summary as the markdown/HTML that `core.summary` would write. Pure: whatever was
 * pending in `core.summary`'s buffer before the call is there again afterwards.
 */
export function renderSummary(input: SummaryInput, options: RenderOptions = {}): string {
  const pending = core.summary.stringify();
  core.summary.emptyBuffer();
  try {
    addHeadline(input.coverage);
    addTargets(input.targets);
    if (options.filesNote === undefined) {
      addFiles(input.coverage, options.filesShown ?? DEFAULT_FILES_SHOWN);
    } else {
      core.summary.addRaw(`<p>${escapeText(options.filesNote)}</p>`, true);
    }
    addWarnings(input.warnings);
    addReports(input.reports);
    return core.summary.stringify();
  } finally {
    core.summary.emptyBuffer().addRaw(pending);
  }
}

export interface WriteOptions {
  /** The artifact the fallback file is uploaded in, when `upload` is on; named in the pointer. */
  readonly artifactName?: string;
}

/**
 * Writes the summary to the step summary file (`GITHUB_STEP_SUMMARY`). When it would take
 * the step's summary over GitHub's 1 MiB limit, the full summary goes to
 * `fallbackDir/summary.md` (for the caller to upload with the reports) and the job summary gets
 * the headline, the targets, the warnings and a pointer to that file instead of the file lists.
 * Returns `written: false` when there is no step summary file (not running on a runner).
 */
export async function writeJobSummary(
  input: SummaryInput,
  fallbackDir: string,
  options: WriteOptions = {},
): Promise<{ written: boolean; fallbackFile?: string }> {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return { written: false };
  const already = await sizeOf(summaryFile);
  const full = renderSummary(input);
  if (already + Buffer.byteLength(full, 'utf8') <= STEP_SUMMARY_LIMIT_BYTES) {
    await appendFile(summaryFile, full, 'utf8');
    return { written: true };
  }

  await mkdir(fallbackDir, { recursive: true });
  const fallbackFile = join(fallbackDir, FALLBACK_FILE_NAME);
  await writeFile(fallbackFile, full, 'utf8');
  const where =
    options.artifactName === undefined
      ? `The full summary is in ${fallbackFile} on the runner.`
      : `The full summary is ${FALLBACK_FILE_NAME} in the artifact ${options.artifactName}.`;
  const fileCount = Object.keys(input.coverage.files).length;
  let short = renderSummary(input, {
    filesNote:
      `The per-file table for ${fileCount} files is too large for the job summary ` +
      `(${formatBytes(Buffer.byteLength(full, 'utf8'))}; GitHub allows 1 MiB per step). ${where}`,
  });
  if (already + Buffer.byteLength(short, 'utf8') > STEP_SUMMARY_LIMIT_BYTES) {
    // Even the targets and warnings are too long: keep just the headline and the pointer.
    short = renderSummary(
      { ...input, targets: [], warnings: [] },
      { filesNote: `The summary is too large for the job summary. ${where}` },
    );
  }
  await appendFile(summaryFile, short, 'utf8');
  return { written: true, fallbackFile };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function addHeadline(coverage: CoverageJson): void {
  const totals = coverage.totals;
  const lines = linePercent(totals);
  const branches = branchPercent(totals);
  const title =
    branches === undefined
      ? `Python coverage: ${formatPercent(lines)}% of lines`
      : `Python coverage: ${formatPercent(lines)}% of lines, ${formatPercent(branches)}% of branches`;
  core.summary.addHeading(title, 2);
  const counts = [`${totals.covered_lines} of ${totals.num_statements} lines`];
  if (branches !== undefined) {
    counts.push(`${totals.covered_branches} of ${totals.num_branches} branches`);
  }
  const fileCount = Object.keys(coverage.files).length;
  core.summary.addRaw(
    `<p>${counts.join(', ')} in ${fileCount} ${fileCount === 1 ? 'file' : 'files'}, ` +
      `measured by coverage.py ${escapeText(coverage.meta.version)}.</p>`,
    true,
  );
}

function addTargets(targets: readonly TargetOutcome[]): void {
  if (targets.length === 0) return;
  core.summary.addHeading('Targets', 3);
  const header: Cell[] = ['Target', 'Method', 'Time', 'Files', 'Bytes', 'Failed attempts'].map(
    (data) => ({ data, header: true }),
  );
  const rows: Cell[][] = targets.map((t) => [
    escapeText(t.label),
    t.method ?? '<strong>none</strong>',
    formatDuration(t.ms),
    String(t.files),
    formatBytes(t.bytes),
    failures(t),
  ]);
  core.summary.addTable([header, ...rows]);
}

function failures(target: TargetOutcome): string {
  const lines = target.attempts
    .filter((a) => !a.confirmed)
    .map((a) => `${a.method} (${formatDuration(a.ms)}): ${escapeText(a.detail)}`);
  if (target.error !== undefined) lines.push(`<strong>${escapeText(target.error)}</strong>`);
  return lines.join('<br>') || EMPTY;
}

function addFiles(coverage: CoverageJson, shown: number): void {
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
    ...list.map(([name, f]) => fileRow(name, f, branch)),
  ];
  const open = files.slice(0, Math.max(0, shown));
  const folded = files.slice(open.length);
  if (open.length > 0) core.summary.addTable(rowsOf(open));
  if (folded.length > 0) {
    core.summary.addDetails(
      `${folded.length} more ${folded.length === 1 ? 'file' : 'files'}`,
      tableHtml(rowsOf(folded)),
    );
  }
  const empty = Object.keys(coverage.files).length - files.length;
  if (empty > 0) {
    core.summary.addRaw(
      `<p>${empty} ${empty === 1 ? 'file' : 'files'} without statements (such as an empty <code>__init__.py</code>) not listed.</p>`,
      true,
    );
  }
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

function fileRow(name: string, file: CoverageFile, branch: boolean): Cell[] {
  const s = file.summary;
  const statements = [...file.executed_lines, ...file.missing_lines];
  const missed = missedRanges(
    statements,
    file.missing_lines,
    branch ? (file.missing_branches ?? []) : [],
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
  row.push(escapeText(missed) || EMPTY);
  return row;
}

// core.summary.addTable only appends to the buffer; a table inside <details> needs its HTML.
function tableHtml(rows: Cell[][]): string {
  const before = core.summary.stringify();
  const table = core.summary.addTable(rows).stringify().slice(before.length);
  core.summary.emptyBuffer().addRaw(before);
  return table;
}

function addWarnings(warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  core.summary.addHeading('Warnings', 3);
  core.summary.addList(warnings.map(escapeText));
}

function addReports(reports: SummaryInput['reports']): void {
  const entries: [string, string | undefined][] = [
    ['lcov', reports.lcov],
    ['Cobertura XML', reports.xml],
    ['JSON', reports.json],
    ['HTML', reports.html],
  ];
  const written = entries.flatMap(([kind, path]) => (path ? [[kind, path] as const] : []));
  if (written.length === 0) return;
  core.summary.addRaw(
    `<p>Reports: ${written.map(([kind, path]) => `${kind} <code>${escapeText(path)}</code>`).join(', ')}</p>`,
    true,
  );
}

export interface FailureInput {
  /** The one sentence the step failed with (cause and fix). */
  readonly error: string;
  readonly targets: readonly TargetOutcome[];
  readonly warnings: readonly string[];
}

/** The summary of a failed step: why, every target with every method tried, and the warnings. */
export function renderFailure(input: FailureInput): string {
  const pending = core.summary.stringify();
  core.summary.emptyBuffer();
  try {
    core.summary.addHeading('Python coverage: the harvest failed', 2);
    core.summary.addRaw(`<p><strong>${escapeText(input.error)}</strong></p>`, true);
    addTargets(input.targets);
    addAttempts(input.targets);
    addWarnings(input.warnings);
    return core.summary.stringify();
  } finally {
    core.summary.emptyBuffer().addRaw(pending);
  }
}

/** Every method tried per target, confirmed or not, in order. */
function addAttempts(targets: readonly TargetOutcome[]): void {
  const lines = targets.flatMap((t) =>
    t.attempts.map(
      (a) =>
        `${escapeText(t.label)}: ${a.method} ${a.confirmed ? 'confirmed' : 'not confirmed'} in ${formatDuration(a.ms)}: ${escapeText(a.detail)}`,
    ),
  );
  if (lines.length === 0) return;
  core.summary.addHeading('Flush attempts', 3);
  core.summary.addList(lines);
}

/** Appends the failure summary to the step summary, within GitHub's limit. */
export async function writeFailureSummary(input: FailureInput): Promise<boolean> {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return false;
  let text = renderFailure(input);
  const room = STEP_SUMMARY_LIMIT_BYTES - (await sizeOf(summaryFile));
  if (Buffer.byteLength(text, 'utf8') > room)
    text = renderFailure({ ...input, targets: [], warnings: [] });
  if (Buffer.byteLength(text, 'utf8') > room) return false;
  await appendFile(summaryFile, text, 'utf8');
  return true;
}
