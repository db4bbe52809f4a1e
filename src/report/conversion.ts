// Combine and report with coverage.py itself, in a container whose Python and coverage versions
// match the service's, with the project's own coverage config, the runner's paths mounted at the
// same paths (docs/action.md, "The conversion container").
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PathMapping, ReportFormat } from '../inputs/types.js';
import { convertResult, type ConvertResult as ProgramResult } from '../remote/contract.js';
import { eventOf, splitOutput } from '../remote/program-output.js';
import { invocation } from '../remote/programs.js';
import { errorLine } from '../shared/text.js';
import type { ContainerCli } from '../targets/container-cli.js';
import { runInConversionContainer } from './conversion-container.js';
import { conversionMounts } from './conversion-mounts.js';
import { installCoverage } from './coverage-install.js';
import {
  installFailedMessage,
  installFallbackWarning,
  throwOnFailure,
} from './convert-messages.js';
import { reportPaths, type ReportFiles } from './report-files.js';
import { resultOf, type ConvertResult } from './convert-result.js';
import type { Toolchain } from './toolchain.js';

export type { ConvertResult } from './convert-result.js';

/** Data from the runner itself: `extra-data` files and a `.coverage` `baseline`. */
export interface RunnerData {
  /** `extra-data` files, combined into the reports after the E2E-only JSON report is written. */
  readonly extraDataFiles: readonly string[];
  /** A `.coverage` `baseline`, reported as JSON against the base sources in `sourceDir`. */
  readonly baseline?: { readonly dataFile: string; readonly sourceDir: string };
}

export interface ConvertOptions extends Partial<RunnerData> {
  readonly cli: ContainerCli;
  readonly toolchain: Toolchain;
  readonly workspace: string;
  /** Where coverage.py runs: its config search starts there, report names are relative to it. */
  readonly workingDirectory: string;
  /** The project's coverage config named by `coverage-config` (else coverage.py finds it). */
  readonly coverageConfig?: string | undefined;
  readonly outputDir: string;
  readonly pathMap: readonly PathMapping[];
  readonly formats: readonly ReportFormat[];
  readonly dataFiles: readonly string[];
  readonly log: (line: string) => void;
}

/** Where the conversion writes, and the coverage.py the install run put in a directory. */
interface ConversionPlan {
  readonly reports: ReportFiles;
  readonly outputs: Record<string, string>;
  readonly coverageDir?: string;
  readonly version: string;
}

export async function convertReports(options: ConvertOptions): Promise<ConvertResult> {
  const plan = await planConversion(options);
  const warnings: string[] = [];
  let final = await runConversion(options, plan);
  let installed: string | undefined;
  try {
    if (final.need_install === true) {
      const install = await installCoverage(options.cli, options.toolchain, options.log);
      installed = install.dir;
      if (install.dir !== undefined) {
        final = await runConversion(options, { ...plan, coverageDir: install.dir });
      } else if (!options.toolchain.versionFromInput && typeof final.have === 'string') {
        // A target can claim any version: its claim must not deny the report.
        warnings.push(installFallbackWarning(options.toolchain, final.have, install.failure));
        final = await runConversion(options, { ...plan, version: final.have });
      } else {
        throw new Error(installFailedMessage(options.toolchain, final.have, install.failure));
      }
      if (final.need_install === true)
        throw new Error(installFailedMessage(options.toolchain, final.have, 'not found after it'));
    }
  } finally {
    if (installed !== undefined) await rm(installed, { recursive: true, force: true });
  }
  for (const line of final.log ?? []) options.log(line);
  throwOnFailure(final, options.toolchain.image);
  return resultOf(final, plan.reports, warnings);
}

async function planConversion(options: ConvertOptions): Promise<ConversionPlan> {
  const { outputDir } = options;
  await mkdir(outputDir, { recursive: true });
  const reports: ReportFiles = {
    ...reportPaths(outputDir, options.formats),
    ...((options.extraDataFiles ?? []).length > 0
      ? { e2eJson: join(outputDir, 'coverage-e2e.json') }
      : {}),
    ...(options.baseline ? { baselineJson: join(outputDir, 'baseline.json') } : {}),
  };
  await rm(reports.dataFile, { force: true });
  const outputs: Record<string, string> = { json: reports.json };
  if (reports.lcov) outputs.lcov = reports.lcov;
  if (reports.xml) outputs.xml = reports.xml;
  if (reports.html) outputs.html = reports.html;
  return { reports, outputs, version: options.toolchain.coverageVersion };
}

/** One run of the convert program in the conversion container. */
async function runConversion(
  options: ConvertOptions,
  plan: ConversionPlan,
): Promise<ProgramResult> {
  const { toolchain } = options;
  const program = invocation('python3', 'convert', programArgs(options, plan));
  const result = await runInConversionContainer(options.cli, {
    toolchain,
    mounts: conversionMounts(options, plan.coverageDir),
    workdir: options.workingDirectory,
    network: false,
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
function programArgs(options: ConvertOptions, plan: ConversionPlan): object {
  const { baseline } = options;
  return {
    data_files: options.dataFiles,
    outputs: plan.outputs,
    combined: plan.reports.dataFile,
    workspace: options.workingDirectory,
    config_file: options.coverageConfig ?? null,
    image: options.toolchain.image,
    path_map: options.pathMap.length > 0 ? options.pathMap.map((m) => [m.remote, m.local]) : null,
    version: plan.version || null,
    coverage_path: plan.coverageDir ?? null,
    extra_data_files: options.extraDataFiles ?? [],
    e2e_json: plan.reports.e2eJson ?? null,
    baseline: baseline
      ? {
          data_file: baseline.dataFile,
          // The base commit's copy of the working directory.
          cwd: join(baseline.sourceDir, relative(options.workspace, options.workingDirectory)),
          output: plan.reports.baselineJson,
        }
      : null,
  };
}
