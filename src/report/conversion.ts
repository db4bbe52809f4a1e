// Combine and report with coverage.py itself, in a container whose Python and coverage versions
// match the service's, with the workspace mounted at the same path.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { PathMapping, ReportFormat } from '../inputs/types.js';
import {
  convertResult,
  eventOf,
  splitOutput,
  type ConvertResult as ProgramResult,
} from '../remote/contract.js';
import { invocation } from '../remote/programs.js';
import { errorLine, lastLine } from '../shared/text.js';
import type { ContainerCli } from '../targets/container-cli.js';
import { runInConversionContainer } from './conversion-container.js';
import { combineFailedMessage } from './convert-messages.js';
import { RC_FILE_NAME, renderRcFile, reportPaths, type ReportFiles } from './report-files.js';
import type { Toolchain } from './toolchain.js';

/** Data from the runner itself: `extra-data` files and a `.coverage` `baseline`. */
export interface RunnerData {
  /** `extra-data` files, combined into the reports after the E2E-only JSON report is written. */
  readonly extraDataFiles: readonly string[];
  /** A `.coverage` `baseline`, reported as JSON against the base sources in `sourceDir`. */
  readonly baseline?: { readonly dataFile: string; readonly sourceDir: string };
}

export interface ConvertOptions {
  readonly cli: ContainerCli;
  readonly toolchain: Toolchain;
  readonly workspace: string;
  readonly outputDir: string;
  readonly pathMap: readonly PathMapping[];
  readonly formats: readonly ReportFormat[];
  readonly dataFiles: readonly string[];
  /** `extra-data` files, combined into the reports after the E2E-only JSON report is written. */
  readonly extraDataFiles?: readonly string[];
  /** A `.coverage` `baseline`, reported as JSON against the base sources in `sourceDir`. */
  readonly baseline?: { readonly dataFile: string; readonly sourceDir: string };
  readonly log: (line: string) => void;
}

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
  /** Data files coverage.py could not read, with their size and the error. */
  readonly badFiles: readonly { file: string; size: number; error: string }[];
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
}
export async function convertReports(options: ConvertOptions): Promise<ConvertResult> {
  const plan = await planConversion(options);
  let final = await runConversion(options, plan, false);
  if (final.need_install === true) {
    options.log(
      `the conversion image has coverage ${final.have ?? '(none)'}, not ${options.toolchain.coverageVersion || 'any version'}; installing it with pip (needs network)`,
    );
    final = await runConversion(options, plan, true);
  }
  throwOnFailure(final, options);
  return resultOf(final, plan.reports);
}

/** What one conversion run reads and writes: report paths, the rc file, the mounts. */
interface ConversionPlan {
  readonly reports: ReportFiles;
  readonly rcfile: string;
  readonly outputs: Record<string, string>;
  readonly mounts: string[];
  readonly extraData: readonly string[];
}

async function planConversion(options: ConvertOptions): Promise<ConversionPlan> {
  const { outputDir, workspace } = options;
  await mkdir(outputDir, { recursive: true });
  const extraData = options.extraDataFiles ?? [];
  const reports: ReportFiles = {
    ...reportPaths(outputDir, options.formats),
    ...(extraData.length > 0 ? { e2eJson: join(outputDir, 'coverage-e2e.json') } : {}),
    ...(options.baseline ? { baselineJson: join(outputDir, 'baseline.json') } : {}),
  };
  await rm(reports.dataFile, { force: true });
  const rcfile = join(outputDir, RC_FILE_NAME);
  await writeFile(rcfile, renderRcFile());
  const outputs: Record<string, string> = { json: reports.json };
  if (reports.lcov) outputs.lcov = reports.lcov;
  if (reports.xml) outputs.xml = reports.xml;
  if (reports.html) outputs.html = reports.html;
  const mounts = ['-v', `${workspace}:${workspace}`];
  const rel = relative(workspace, outputDir);
  if (rel.startsWith('..') || isAbsolute(rel)) mounts.push('-v', `${outputDir}:${outputDir}`);
  for (const file of [...extraData, ...(options.baseline ? [options.baseline.dataFile] : [])]) {
    if (outsideOf(file, [workspace, outputDir])) mounts.push('-v', `${file}:${file}:ro`);
  }
  return { reports, rcfile, outputs, mounts, extraData };
}

/** One run of the convert program in the conversion container. */
async function runConversion(
  options: ConvertOptions,
  plan: ConversionPlan,
  install: boolean,
): Promise<ProgramResult> {
  const { toolchain } = options;
  const program = invocation('python3', 'convert', programArgs(options, plan, install));
  const result = await runInConversionContainer(options.cli, {
    toolchain,
    mounts: plan.mounts,
    workspace: options.workspace,
    install,
    args: program.argv.slice(1),
    stdin: program.stdin,
    log: options.log,
  });
  const final =
    result.exitCode === 0
      ? eventOf('convert', splitOutput('convert', result.stdout), 'result', convertResult)
      : undefined;
  if (final === undefined) {
    throw new Error(
      `the conversion container failed with exit status ${result.exitCode} (${errorLine(result.stderr)}); check that \`${toolchain.image}\` has python3`,
    );
  }
  return final;
}

/** The convert program's arguments (see remote/pycov_harvest_remote/convert.py). */
function programArgs(options: ConvertOptions, plan: ConversionPlan, install: boolean): object {
  return {
    rcfile: plan.rcfile,
    data_files: options.dataFiles,
    outputs: plan.outputs,
    combined: plan.reports.dataFile,
    workspace: options.workspace,
    path_map: options.pathMap.length > 0 ? options.pathMap.map((m) => [m.remote, m.local]) : null,
    version: options.toolchain.coverageVersion || null,
    install,
    install_dir: '/tmp/pycov-harvest-coverage',
    extra_data_files: plan.extraData,
    e2e_json: plan.reports.e2eJson ?? null,
    baseline: options.baseline
      ? {
          data_file: options.baseline.dataFile,
          cwd: options.baseline.sourceDir,
          output: plan.reports.baselineJson,
        }
      : null,
  };
}

function throwOnFailure(final: ProgramResult, options: ConvertOptions): void {
  const { toolchain } = options;
  if (final.install_failed !== undefined) {
    throw new Error(
      `the conversion image \`${toolchain.image}\` has coverage ${final.have ?? '(none)'}, not ${final.want ?? '(any)'}, and \`pip install ${final.install_failed.spec}\` failed in it (${lastLine(final.install_failed.output)}); set \`coverage-image\` to an image with coverage ${final.want ?? ''} installed, or give the conversion container network access`,
    );
  }
  if (final.combine_failed != null) {
    throw new Error(
      combineFailedMessage(final.combine_failed, options.extraDataFiles ?? [], options.workspace),
    );
  }
  const failed = (final.steps ?? []).find((step) => step.exit !== 0);
  if (failed !== undefined) {
    throw new Error(
      `\`coverage ${failed.step}\` failed in ${toolchain.image}: ${lastLine(failed.output)}; check that the sources are checked out in the workspace`,
    );
  }
}

function resultOf(final: ProgramResult, reports: ReportFiles): ConvertResult {
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
    extraMeasured: final.extra_measured ?? 0,
    extraKept: final.extra_kept ?? 0,
    baselineError: baselineFailed ? lastLine(final.baseline?.output ?? '') : undefined,
    contexts: final.contexts ?? 0,
    contextLabels: final.context_labels ?? {},
  };
}

function outsideOf(path: string, dirs: readonly string[]): boolean {
  return dirs.every((dir) => {
    const rel = relative(dir, path);
    return rel.startsWith('..') || isAbsolute(rel);
  });
}
