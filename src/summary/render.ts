/** The job summary as markdown/HTML, rendered by a pure function. */
import * as core from '@actions/core';
import type { ChangedLines } from '../pr/changed-lines.js';
import { formatDelta } from '../report/baseline.js';
import { branchPercent, linePercent, type CoverageJson } from '../report/coverage-json.js';
import { formatPercent } from '../shared/format.js';
import { addContexts } from './contexts.js';
import { addFiles } from './files.js';
import { DEFAULT_FILES_SHOWN, type RenderOptions, type SummaryInput } from './input.js';
import { escapeText } from './markdown.js';
import { addBaseline, addChangedLines, headlineParagraphs } from './pull-request.js';
import { EMPTY, type Cell } from './table.js';
import { addTargets, addWarnings } from './targets.js';

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
      addChangedLines(input.changed, input.reports, input.links, input.sources);
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
      `measured by coverage.py ${escapeText(coverage.meta.version)}. ` +
      `Total as <code>coverage report</code> gives it with the project's settings: ` +
      `${escapeText(totals.percent_covered_display)}%.</p>`,
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
