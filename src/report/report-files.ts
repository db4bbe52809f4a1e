// Where the reports go.
import { join } from 'node:path';
import type { ReportFormat } from '../inputs/types.js';

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
