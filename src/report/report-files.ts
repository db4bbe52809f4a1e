// Where the reports go, and the rc file they are written with.
import { join } from 'node:path';
import type { ReportFormat } from '../inputs/types.js';

/**
 * The rc file of the reports. Paths are mapped by the combine itself (leading prefixes only), so
 * there is no `[paths]` section; `relative_files` keeps workspace-relative names in the reports.
 */
/**
 * The rc file the reports are written with (in `output-dir`, and in the artifact): checking the
 * combined `.coverage` by hand needs it, for its `relative_files = true`.
 */
export const RC_FILE_NAME = 'pycov-harvest.rc';

export function renderRcFile(): string {
  return [
    '# Written by pycov-harvest for the reports.',
    '[run]',
    '# Workspace-relative file names, as Codecov, Coveralls and py-cov-action expect.',
    'relative_files = true',
    '',
  ].join('\n');
}

export interface ReportFiles {
  readonly dataFile: string;
  readonly lcov?: string;
  readonly xml?: string;
  readonly json: string;
  readonly html?: string;
  /** With `extra-data`: the E2E-only JSON report (the others cover E2E and the extra data). */
  readonly e2eJson?: string;
  /** With a `.coverage` `baseline` that coverage.py could report: its JSON report. */
  readonly baselineJson?: string;
}

export function reportPaths(outputDir: string, formats: readonly ReportFormat[]): ReportFiles {
  return {
    dataFile: join(outputDir, '.coverage'),
    ...(formats.includes('lcov') ? { lcov: join(outputDir, 'coverage.lcov') } : {}),
    ...(formats.includes('xml') ? { xml: join(outputDir, 'coverage.xml') } : {}),
    // Always written: the summary and `percent` come from it.
    json: join(outputDir, 'coverage.json'),
    ...(formats.includes('html') ? { html: join(outputDir, 'htmlcov') } : {}),
  };
}
