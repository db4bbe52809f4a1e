/**
 * The pull request comment: the headline, the changed lines the tests did not run (as code,
 * linked to the head commit), and the change against the baseline, files whose coverage fell
 * first. Pure; shortened step by step until it fits GitHub's limit, never cut in the middle.
 */
import type { PullRequestFigures } from '../pr/view.js';
import type { FileDelta } from '../report/baseline.js';
import { branchPercent, linePercent, type CoverageJson } from '../report/coverage-json.js';
import { formatDelta } from '../report/baseline.js';
import { formatPercent } from '../shared/format.js';
import { escapeAttribute, escapeText } from '../summary/markdown.js';
import { missedCode, type CodeCaps } from '../summary/missed-code.js';

/** GitHub refuses a comment body over 65,536 characters; this leaves room for the marker. */
export const COMMENT_LIMIT_CHARS = 65_000;

export interface CommentInput extends PullRequestFigures {
  readonly coverage: CoverageJson;
  /** The hidden marker that finds this comment again (see commentMarker). */
  readonly marker: string;
  /** The workflow run, where the job summary is. */
  readonly runUrl?: string;
  /** The uploaded artifact with the reports. */
  readonly artifactUrl?: string;
  /** Targets that no flush method confirmed, and the run's warnings, counted. */
  readonly unconfirmed: number;
  readonly warnings: number;
}

/** What one rendering shows: code caps and baseline rows. */
interface Detail {
  readonly code: CodeCaps;
  readonly baselineRows: number;
}

/** From the fullest comment to the shortest: each step shows less until the body fits. */
const DETAILS: readonly Detail[] = [
  { code: { perFile: 30, total: 100 }, baselineRows: 25 },
  { code: { perFile: 10, total: 40 }, baselineRows: 10 },
  { code: { perFile: 3, total: 12 }, baselineRows: 5 },
  { code: { perFile: 0, total: 0 }, baselineRows: 0 },
];

/** The hidden first line a later run finds this comment by. */
export function commentMarker(key: string): string {
  return `<!-- pycov-harvest:${key} -->`;
}

/** The comment, at the most detail that fits in `limit` characters. */
export function renderComment(input: CommentInput, limit = COMMENT_LIMIT_CHARS): string {
  for (const detail of DETAILS) {
    const body = render(input, detail);
    if (body.length <= limit) return body;
  }
  return [input.marker, headline(input), footer(input)].join('\n\n');
}

function render(input: CommentInput, detail: Detail): string {
  return [
    input.marker,
    headline(input),
    ...changedSection(input, detail),
    ...baselineSection(input, detail.baselineRows),
    footer(input),
  ].join('\n\n');
}

function headline(input: CommentInput): string {
  const totals = input.coverage.totals;
  let lines = `${formatPercent(linePercent(totals))}% of lines`;
  if (input.baseline !== undefined) lines += ` (${signedPoints(input.baseline.delta)})`;
  const parts = [lines];
  const branches = branchPercent(totals);
  if (branches !== undefined) parts.push(`${formatPercent(branches)}% of branches`);
  if (input.changed !== undefined)
    parts.push(`${formatPercent(input.changed.percent)}% of changed lines`);
  const scope = input.e2eOnly === undefined ? '' : ' (unit + E2E)';
  const warnings = [
    input.unconfirmed > 0
      ? `**${input.unconfirmed} ${input.unconfirmed === 1 ? 'target was' : 'targets were'} not confirmed saved**: the figures may miss their latest lines.`
      : '',
    input.warnings > 0
      ? `${input.warnings} ${input.warnings === 1 ? 'warning' : 'warnings'} in the job summary.`
      : '',
  ].filter((text) => text !== '');
  return [`### Python coverage${scope}: ${parts.join(', ')}`, ...warnings].join('\n\n');
}

/** `+0.40`, `-1.25`, or `±0.00` when nothing changed. */
function signedPoints(delta: number): string {
  const text = formatDelta(delta);
  return text === '0.00' ? '±0.00' : text;
}

function changedSection(input: CommentInput, detail: Detail): string[] {
  const { changed } = input;
  if (input.changedError !== undefined)
    return [`**Changed lines unknown:** ${escapeText(input.changedError)}`];
  if (changed === undefined) return [];
  if (changed.statements === 0)
    return ['This pull request changes no statement that coverage.py measured.'];
  const who = input.e2eOnly === undefined ? 'The E2E run' : 'The unit and E2E tests';
  const ran = `${who} executed ${changed.executed} of the ${changed.statements} statements this pull request changes.`;
  if (changed.executed === changed.statements) return [`${ran} All of them ran.`];
  const code = missedCode(changed, input.sources, input.links, detail.code);
  const missed = changed.statements - changed.executed;
  const section = [ran, `#### ${missed} changed ${missed === 1 ? 'line' : 'lines'} not executed`];
  if (code.markdown !== '') section.push(code.markdown);
  if (code.hiddenLines > 0) {
    const where = moreWhere(input);
    const files =
      code.hiddenFiles > 0
        ? ` (${code.hiddenFiles} more ${code.hiddenFiles === 1 ? 'file' : 'files'})`
        : '';
    section.push(`and ${code.hiddenLines} more not shown here${files}${where}.`);
  }
  return section;
}

function baselineSection(input: CommentInput, rows: number): string[] {
  const { baseline } = input;
  if (baseline === undefined) return [];
  const head = `#### Against the baseline: ${formatPercent(baseline.basePercent)}% → ${formatPercent(baseline.percent)}% of lines (${formatDelta(baseline.delta)} points)`;
  if (baseline.files.length === 0) return [head, 'No file’s line coverage changed.'];
  if (rows === 0) return [head];
  // Already in order: the biggest drop first.
  const listed = baseline.files.slice(0, rows);
  const table = [
    '| File | Baseline | Now | Change |',
    '| --- | --- | --- | --- |',
    ...listed.map(
      (file) =>
        `| ${fileCell(file)} | ${percentCell(file.basePercent, 'new file')} | ${percentCell(file.percent, 'removed')} | ${changeCell(file)} |`,
    ),
  ].join('\n');
  const more = baseline.files.length - listed.length;
  return more > 0
    ? [head, table, `and ${more} more ${more === 1 ? 'file' : 'files'} whose coverage changed.`]
    : [head, table];
}

function fileCell(file: FileDelta): string {
  const name = `<code>${escapeText(file.path)}</code>`;
  return file.renamedFrom === undefined
    ? name
    : `${name} (renamed from <code>${escapeText(file.renamedFrom)}</code>)`;
}

function percentCell(value: number | undefined, absent: string): string {
  return value === undefined ? absent : `${formatPercent(value)}%`;
}

function changeCell(file: FileDelta): string {
  return file.percent === undefined || file.basePercent === undefined
    ? ' '
    : formatDelta(file.percent - file.basePercent);
}

function moreWhere(input: CommentInput): string {
  const places = [
    input.runUrl === undefined
      ? ''
      : `<a href="${escapeAttribute(input.runUrl)}">the job summary</a>`,
    input.artifactUrl === undefined
      ? ''
      : `<a href="${escapeAttribute(input.artifactUrl)}">the reports</a>`,
  ].filter((place) => place !== '');
  return places.length === 0 ? '' : `: see ${places.join(' and ')}`;
}

function footer(input: CommentInput): string {
  const links = [
    input.runUrl === undefined ? '' : `<a href="${escapeAttribute(input.runUrl)}">job summary</a>`,
    input.artifactUrl === undefined
      ? ''
      : `<a href="${escapeAttribute(input.artifactUrl)}">reports</a>`,
  ].filter((link) => link !== '');
  return `<sub>pycov-harvest, measured by coverage.py ${escapeText(input.coverage.meta.version)}${links.length > 0 ? ` · ${links.join(' · ')}` : ''}</sub>`;
}
