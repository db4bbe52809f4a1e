// The three pull requests docs/summary.md shows: one whose tests missed changed lines, one whose
// tests ran every changed line, and one from a fork (no comment: the summary says why). Built from
// the real coverage.py report and sources of test/unit/fixtures/coverage-json, rendered by the
// action's own renderers.
import { join } from 'node:path';
import { changedLines } from '../../src/pr/changed-lines.js';
import type { FileChange } from '../../src/pr/diff-parse.js';
import { sourceLinks } from '../../src/pr/links.js';
import { readSourceLines } from '../../src/pr/source-lines.js';
import { commentMarker, renderComment } from '../../src/publish/comment-body.js';
import { compareToBaseline } from '../../src/report/baseline.js';
import { readCoverageJson, type CoverageJson } from '../../src/report/coverage-json.js';
import { commentNote } from '../../src/summary/comment-note.js';
import { renderSummary } from '../../src/summary/render.js';

export interface View {
  readonly comment?: string;
  readonly summary: string;
}

const SHA = 'c0ffee0000000000000000000000000000000001';
const RUN = 'https://github.com/example/service/actions/runs/42';
const FORK_WARNING =
  'the token may not comment on pull request #7 of example/service (403: Resource not accessible by integration); this pull request comes from a fork, where the run’s token is read-only: post the comment from a `workflow_run` workflow (docs/action.md, "Pull requests from forks"), or set `comment: never`';

const modified = (path: string, lines: number[]): FileChange => ({
  kind: 'modified',
  oldPath: path,
  newPath: path,
  addedLines: lines,
});

/** The base branch's report: pricing.py fully covered there, shapes.py less. */
function baseOf(head: CoverageJson): CoverageJson {
  const base = structuredClone(head) as unknown as {
    files: Record<string, { summary: { covered_lines: number; num_statements: number } }>;
    totals: { covered_lines: number };
  };
  const pricing = base.files['sample/pricing.py'];
  const shapes = base.files['sample/shapes.py'];
  if (pricing !== undefined && shapes !== undefined) {
    base.totals.covered_lines += pricing.summary.num_statements - pricing.summary.covered_lines;
    pricing.summary.covered_lines = pricing.summary.num_statements;
    base.totals.covered_lines -= 2;
    shapes.summary.covered_lines -= 2;
  }
  return base as unknown as CoverageJson;
}

export async function views(fixtures: string): Promise<Record<string, View>> {
  const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
  const links = sourceLinks(
    { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'example/service' },
    SHA,
    (name) => name,
  );
  const baseline = compareToBaseline(coverage, baseOf(coverage), (name) => name);
  const view = async (changes: FileChange[], fork = false): Promise<View> => {
    const changed = changedLines(changes, coverage, (name) => name);
    const sources = await readSourceLines(changed, fixtures);
    const figures = { coverage, changed, links, sources, baseline };
    const summary = renderSummary({
      ...figures,
      targets: [],
      warnings: [],
      reports: { lcov: 'coverage-harvest/coverage.lcov', json: 'coverage-harvest/coverage.json' },
    });
    const note =
      commentNote(
        fork ? undefined : 'https://github.com/example/service/pull/7#issuecomment-1',
        fork ? FORK_WARNING : undefined,
      ) ?? '';
    if (fork) return { summary: summary + note };
    const marker = commentMarker('CI/e2e/python-coverage');
    return {
      comment: renderComment({ ...figures, marker, runUrl: RUN, unconfirmed: 0, warnings: 0 }),
      summary: summary + note,
    };
  };
  const missing = [
    modified('sample/pricing.py', [8, 9, 10, 11, 22, 23, 30]),
    modified('sample/shapes.py', [14, 15]),
  ];
  return {
    'pr-with-misses': await view(missing),
    'pr-all-executed': await view([
      modified('sample/pricing.py', [8, 23]),
      modified('sample/shapes.py', [14, 15]),
    ]),
    'pr-from-fork': await view(missing, true),
  };
}
