// What the conversion found, for the stages after it (warnings, summary, outputs).
import type { ConvertResult as ProgramResult } from '../remote/contract.js';
import { lastLine } from '../shared/text.js';
import type { ReportFiles } from './report-files.js';

export interface ConvertResult {
  readonly reports: ReportFiles;
  readonly coverageVersion: string;
  readonly python: string;
  readonly installed: boolean;
  /** Container prefixes mapped onto the workspace because `path-map` was empty. */
  readonly inferred: readonly string[];
  /** Measured files in the data, and how many of them are in the workspace (and the reports). */
  readonly measured: number;
  readonly kept: number;
  /** Measured files that map to nothing in the workspace (the first of them), and how many. */
  readonly unmapped: readonly string[];
  readonly unmappedCount: number;
  /** Data files left out, with their size and why (`error` completes "data file X (N bytes)"). */
  readonly badFiles: readonly { file: string; size: number; error: string }[];
  /** Per data file: how many measured names were not plausible paths, and one (escaped). */
  readonly dropped: readonly { file: string; count: number; example: string }[];
  /** Per data file: measured files left out because it names another file tracer for them. */
  readonly tracerConflicts: readonly { file: string; count: number; example: string }[];
  /** With `extra-data`: files those data measured, and how many of them are in the workspace. */
  readonly extraMeasured: number;
  readonly extraKept: number;
  /** Why coverage.py could not report a `.coverage` `baseline` (its last line), if it could not. */
  readonly baselineError: string | undefined;
  /** Named contexts the E2E data recorded (switches); 0 without: the reports are as before. */
  readonly contexts: number;
  /**
   * Each context label the agent wrote → the harness's context ('' for none), from the agent's
   * mark in its data files: the only contexts counted as tests (others are coverage.py's own).
   */
  readonly contextLabels: Readonly<Record<string, string>>;
  /** The project's coverage config the reports used (relative to the working directory), if any. */
  readonly configFile: string | null;
  /** What the harvest changed in it. */
  readonly overridden: readonly string[];
  /** One sentence per plugin of that config the conversion image cannot import. */
  readonly pluginsMissing: readonly string[];
  /** Measured files that are not Python (left out, as coverage.py does), and how many. */
  readonly notPython: readonly string[];
  readonly notPythonCount: number;
  /** Measured files whose plugin the image lacks (left out), and how many. */
  readonly orphans: readonly string[];
  readonly orphansCount: number;
  /** Warnings of the conversion itself (a coverage.py version that could not be installed). */
  readonly warnings: readonly string[];
}

export function resultOf(
  final: ProgramResult,
  reports: ReportFiles,
  warnings: readonly string[],
): ConvertResult {
  const baselineFailed = final.baseline !== undefined && final.baseline.exit !== 0;
  return {
    reports: baselineFailed ? { ...reports, baselineJson: undefined } : reports,
    coverageVersion: final.coverage ?? '',
    python: final.python,
    installed: final.installed ?? false,
    inferred: final.inferred ?? [],
    measured: final.measured ?? 0,
    kept: final.kept ?? 0,
    unmapped: final.unmapped ?? [],
    unmappedCount: final.unmapped_count ?? 0,
    badFiles: final.bad_files ?? [],
    dropped: final.dropped ?? [],
    tracerConflicts: final.tracer_conflicts ?? [],
    extraMeasured: final.extra_measured ?? 0,
    extraKept: final.extra_kept ?? 0,
    baselineError: baselineFailed ? lastLine(final.baseline?.output ?? '') : undefined,
    contexts: final.contexts ?? 0,
    contextLabels: final.context_labels ?? {},
    configFile: final.config_file ?? null,
    overridden: final.overridden ?? [],
    pluginsMissing: final.plugins_missing ?? [],
    notPython: final.not_python ?? [],
    notPythonCount: final.not_python_count ?? 0,
    orphans: final.orphans ?? [],
    orphansCount: final.orphans_count ?? 0,
    warnings,
  };
}
