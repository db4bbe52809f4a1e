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
import { formatDelta, type BaselineComparison } from './baseline.js';
import type { ChangedLines } from './diff/changed-lines.js';
import { lineUrl, type SourceLinks } from './links.js';
import {
  escapeText,
  formatBytes,
  formatDuration,
  formatPercent,
  linkedParts,
  missedParts,
} from './markdown.js';
import type { TargetOutcome } from './outcome.js';
import type { ContextsSummary } from './contexts.js';
import { addContexts } from './summary-contexts.js';
import { addBaseline, addChangedLines, headlineParagraphs, moreNote } from './summary-pr.js';
import { EMPTY, tableHtml, type Cell } from './summary-table.js';

export interface SummaryInput {
  coverage: CoverageJson;
  targets: readonly TargetOutcome[];
  warnings: readonly string[];
  /** Paths of the reports that were written, as the user should see them. */
  reports: { lcov?: string; xml?: string; json?: string; html?: string };
  /** On pull requests: the changed lines of `coverage` that ran. */
  changed?: ChangedLines;
  /** On pull requests, when the changed lines are unknown: why (one sentence with the fix). */
  changedError?: string;
  /** With `extra-data`: the E2E-only report and its changed lines (`coverage` has both). */
  e2eOnly?: { coverage: CoverageJson; changed?: ChangedLines };
  /** With `baseline`: the change against the base branch's coverage. */
  baseline?: BaselineComparison;
  /** How the baseline was read, when the reader should know (shown beside the change). */
  baselineNote?: string;
  /** Where missed lines link to; no links without it. */
  links?: SourceLinks;
  /** When the agent's switches recorded contexts: the "E2E tests" figures. */
  contexts?: ContextsSummary;
}

export interface RenderOptions {
  /** Files shown in the open table; the rest are folded into `<details>`. */
  readonly filesShown?: number;
  /** Replace the file lists with this note (used for the short summary of the fallback). */
  readonly filesNote?: string;
  /** Only the headline and `filesNote` (the fallback when even the short summary is too large). */
  readonly headlineOnly?: boolean;
}

/** GitHub's limit for one step's summary. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const FALLBACK_FILE_NAME = 'summary.md';
const DEFAULT_FILES_SHOWN = 10;
/** Rows of the files table, open and folded together; the rest are in the reports. */
export const MAX_FILE_ROWS = 100;
/** Linked missed ranges per cell, so that one file cannot fill the summary. */
export const MAX_RANGES_PER_CELL = 20;

/**
 * Renders the summary as the markdown/HTML that `core.summary` would write. Pure: whatever was
 * pending in `core.summary`'s buffer before the call is there again afterwards.
 */
export function renderSummary(input: SummaryInput, options: RenderOptions = {}): string {
  const pending = core.summary.stringify();
  core.summary.emptyBuffer();
  try {
    addHeadline(input);
    const full = options.filesNote === undefined;
    if (options.headlineOnly !== true && input.changed !== undefined) {
      addChangedLines(input.changed, input.reports, input.links);
    }
    if (full && input.baseline !== undefined) addBaseline(input.baseline);
    if (options.headlineOnly !== true) addTargets(input.targets);
    if (options.headlineOnly !== true && input.contexts !== undefined) {
      addContexts(input.contexts, full);
    }
    if (full) {
      addFiles(input, options.filesShown ?? DEFAULT_FILES_SHOWN);
    } else {
      core.summary.addRaw(`<p>${escapeText(options.filesNote)}</p>`, true);
    }
    if (options.headlineOnly !== true) {
      addWarnings(input.warnings);
      addReports(input.reports);
    }
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
 * the headline, the changed lines, the targets, the warnings and a pointer to that file instead
 * of the file lists; when even that is too large, the headline and the pointer.
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
      `The per-file tables for ${fileCount} files do not fit in the job summary ` +
      `(GitHub allows 1 MiB per step; this step's summary would take ` +
      `${formatBytes(already + Buffer.byteLength(full, 'utf8'))}). ${where}`,
  });
  if (already + Buffer.byteLength(short, 'utf8') > STEP_SUMMARY_LIMIT_BYTES) {
    // Even the targets and warnings are too long: keep just the headline and the pointer.
    short = renderSummary(input, {
      filesNote: `The summary is too large for the job summary. ${where}`,
      headlineOnly: true,
    });
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

function addHeadline(input: SummaryInput): void {
  const { coverage, baseline, changed } = input;
  const totals = coverage.totals;
  const parts = [`${formatPercent(linePercent(totals))}% of lines`];
  if (baseline !== undefined) parts[0] += ` (${formatSignedPoints(baseline.delta)})`;
  const branches = branchPercent(totals);
  if (branches !== undefined) parts.push(`${formatPercent(branches)}% of branches`);
  if (changed !== undefined) parts.push(`${formatPercent(changed.percent)}% of changed lines`);
  const scope = input.e2eOnly === undefined ? '' : ' (unit + E2E)';
  core.summary.addHeading(`Python coverage${scope}: ${parts.join(', ')}`, 2);
  for (const paragraph of headlineParagraphs(input)) core.summary.addRaw(paragraph, true);
  if (input.e2eOnly !== undefined) addScopes(input, input.e2eOnly);
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

function formatSignedPoints(delta: number): string {
  const text = formatDelta(delta);
  return text === '0.00' ? '±0.00' : text;
}

/** E2E-only next to unit + E2E, when `extra-data` was combined in. */
function addScopes(input: SummaryInput, e2e: NonNullable<SummaryInput['e2eOnly']>): void {
  const withChanged = input.changed !== undefined;
  const header: Cell[] = [
    'Tests',
    'Lines',
    'Branches',
    ...(withChanged ? ['Changed lines'] : []),
  ].map((data) => ({ data, header: true }));
  const row = (
    label: string,
    coverage: CoverageJson,
    changed: ChangedLines | undefined,
  ): Cell[] => {
    const t = coverage.totals;
    const b = branchPercent(t);
    const cells: Cell[] = [
      label,
      `${formatPercent(linePercent(t))}% (${t.covered_lines}/${t.num_statements})`,
      b === undefined
        ? 'not measured'
        : `${formatPercent(b)}% (${t.covered_branches}/${t.num_branches})`,
    ];
    if (withChanged) {
      cells.push(
        changed === undefined
          ? EMPTY
          : `${formatPercent(changed.percent)}% (${changed.executed}/${changed.statements})`,
      );
    }
    return cells;
  };
  core.summary.addTable([
    header,
    row('E2E only', e2e.coverage, e2e.changed),
    row('Unit + E2E', input.coverage, input.changed),
  ]);
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

function addFiles(input: SummaryInput, shown: number): void {
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
