/**
 * The summary as plain terminal text, for the CLI: the same figures as the job summary, in
 * aligned columns. Pure. Names that come from the targets (labels, file names, contexts, messages)
 * are shown with control characters escaped, so they cannot move the cursor or colour the terminal.
 */
import { branchPercent, linePercent } from '../report/coverage-json.js';
import { formatBytes, formatDuration, formatPercent } from '../shared/format.js';
import type { SummaryInput } from './input.js';
import type { FailureInput } from './summary.js';

/** Files listed in the "most missed lines" table; the rest are in the reports. */
export const TEXT_FILES_SHOWN = 10;
/** Contexts listed in the "E2E tests" table. */
export const TEXT_CONTEXTS_SHOWN = 10;
/** Missed line ranges shown per file. */
const RANGES_SHOWN = 8;

/** Control characters (C0, DEL, C1) as `\xNN`: a target's text never drives the terminal. */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Rows as columns padded to their widest cell, each line indented by two spaces. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

/** `3-5, 9, 12-14` for the sorted line numbers; `... (+N more)` past `max` ranges. */
export function lineRanges(lines: readonly number[], max = RANGES_SHOWN): string {
  const ranges: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && (lines[j + 1] ?? 0) === (lines[j] ?? 0) + 1) j++;
    ranges.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  const shown = ranges.slice(0, max).join(', ');
  return ranges.length > max ? `${shown}, ... (+${ranges.length - max} more)` : shown;
}

/** The summary of a successful run. */
export function renderText(input: SummaryInput): string {
  return [
    ...headline(input),
    ...targets(input),
    ...mostMissed(input),
    ...contexts(input),
    ...warnings(input.warnings),
    ...reports(input.reports),
  ].join('\n');
}

/** The summary of a failed run: why, every target with its attempts, the warnings. */
export function renderFailureText(input: FailureInput): string {
  const lines = ['Python coverage: the harvest failed', `  ${terminalSafe(input.error)}`];
  lines.push(...targets(input));
  const attempts = input.targets.flatMap((t) =>
    t.attempts.map(
      (a) =>
        `  ${terminalSafe(t.label)}: ${a.method} ${a.confirmed ? 'confirmed' : 'not confirmed'} in ${formatDuration(a.ms)}: ${terminalSafe(a.detail)}`,
    ),
  );
  if (attempts.length > 0) lines.push('', 'Flush attempts', ...attempts);
  lines.push(...warnings(input.warnings));
  return lines.join('\n');
}

function headline(input: SummaryInput): string[] {
  const { totals } = input.coverage;
  const fileCount = Object.keys(input.coverage.files).length;
  const branches = branchPercent(totals);
  const lines = [
    `Python coverage, measured by coverage.py ${terminalSafe(input.coverage.meta.version)}`,
    `  total line coverage ${formatPercent(linePercent(totals))}% (${totals.covered_lines} of ${totals.num_statements} lines in ${fileCount} ${fileCount === 1 ? 'file' : 'files'})`,
  ];
  if (branches !== undefined)
    lines.push(
      `  branch coverage ${formatPercent(branches)}% (${totals.covered_branches} of ${totals.num_branches} branches)`,
    );
  if (input.baseline !== undefined)
    lines.push(`  change against the baseline: ${input.baseline.delta.toFixed(2)} points`);
  if (input.changed !== undefined)
    lines.push(`  changed lines covered: ${formatPercent(input.changed.percent)}%`);
  return lines;
}

function targets(input: Pick<SummaryInput, 'targets'>): string[] {
  if (input.targets.length === 0) return [];
  const rows = input.targets.map((t) => [
    terminalSafe(t.label),
    t.method ?? 'none',
    formatDuration(t.ms),
    `${t.files} ${t.files === 1 ? 'file' : 'files'}`,
    formatBytes(t.bytes),
    t.error === undefined ? '' : terminalSafe(t.error),
  ]);
  return ['', 'Targets', ...columns([['target', 'method', 'time', 'files', 'bytes', ''], ...rows])];
}

function mostMissed(input: SummaryInput): string[] {
  const missed = Object.entries(input.coverage.files)
    .filter(([, file]) => file.missing_lines.length > 0)
    .sort(
      ([a, fa], [b, fb]) => fb.missing_lines.length - fa.missing_lines.length || (a < b ? -1 : 1),
    );
  if (missed.length === 0) return [];
  const rows = missed
    .slice(0, TEXT_FILES_SHOWN)
    .map(([name, file]) => [
      terminalSafe(name),
      `${file.missing_lines.length} of ${file.summary.num_statements}`,
      `${formatPercent(linePercent(file.summary))}%`,
      lineRanges(file.missing_lines),
    ]);
  const more =
    missed.length > TEXT_FILES_SHOWN
      ? [
          `  ... ${missed.length - TEXT_FILES_SHOWN} more file(s) with missed lines: see the reports`,
        ]
      : [];
  return [
    '',
    'Files with the most missed lines',
    ...columns([['file', 'missed', 'covered', 'missed lines'], ...rows]),
    ...more,
  ];
}

function contexts(input: SummaryInput): string[] {
  const summary = input.contexts;
  if (summary === undefined) return [];
  const rows = summary.contexts
    .slice(0, TEXT_CONTEXTS_SHOWN)
    .map((c) => [
      terminalSafe(JSON.stringify(c.name)),
      String(c.lines),
      String(c.unique),
      String(c.files),
    ]);
  const more =
    summary.contexts.length > TEXT_CONTEXTS_SHOWN
      ? [`  ... ${summary.contexts.length - TEXT_CONTEXTS_SHOWN} more: see the contexts file`]
      : [];
  return [
    '',
    `E2E tests: ${summary.contexts.length} context(s) ran ${summary.linesInContexts} line(s); ${summary.outsideOnly} line(s) ran only outside any test`,
    ...columns([['test', 'lines', 'only it', 'files'], ...rows]),
    ...more,
  ];
}

function warnings(list: readonly string[]): string[] {
  if (list.length === 0) return [];
  return ['', 'Warnings', ...list.map((w) => `  - ${terminalSafe(w)}`)];
}

function reports(paths: SummaryInput['reports']): string[] {
  const rows = Object.entries(paths)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([format, path]) => [format, terminalSafe(path)]);
  return rows.length === 0 ? [] : ['', 'Reports', ...columns(rows)];
}
