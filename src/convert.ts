// Combine and report with coverage.py itself, in a container whose Python and coverage versions
// match the service's, with the workspace mounted at the same path.
import * as core from '@actions/core';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { Versions } from './harvest/types.js';
import type { PathMapping, ReportFormat } from './inputs.js';
import {
  convertResult,
  eventOf,
  splitOutput,
  type ConvertResult as ProgramResult,
} from './remote/contract.js';
import { invocation } from './remote/programs.js';
import { displayPath } from './paths.js';
import type { ContainerCli } from './targets/docker.js';
import { errorLine, lastLine } from './text.js';

export interface Toolchain {
  readonly image: string;
  /** The coverage.py version to use; '' when unknown (the image's own is used). */
  readonly coverageVersion: string;
  readonly warnings: readonly string[];
}

function minorOf(version: string | null): string | undefined {
  return version?.match(/^(\d+\.\d+)/)?.[1];
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Picks the image and coverage version from what the services reported, unless inputs override. */
export function chooseToolchain(
  reported: readonly (Versions | null)[],
  overrides: { coverageImage: string; coverageVersion: string },
): Toolchain {
  const warnings: string[] = [];
  const minors = reported
    .map((v) => minorOf(v?.python ?? null))
    .filter((v): v is string => v !== undefined);
  const coverages = reported
    .map((v) => v?.coverage)
    .filter((v): v is string => typeof v === 'string');
  const minor = mostCommon(minors);
  const coverage = mostCommon(coverages);
  if (new Set(minors).size > 1) {
    warnings.push(
      `the targets run different Python versions (${[...new Set(minors)].join(', ')}); converting with Python ${minor}`,
    );
  }
  if (new Set(coverages).size > 1 && overrides.coverageVersion === '') {
    warnings.push(
      `the targets run different coverage.py versions (${[...new Set(coverages)].join(', ')}); converting with ${coverage}; set \`coverage-version\` to choose`,
    );
  }
  let image = overrides.coverageImage;
  if (image === '') {
    if (minor === undefined) {
      throw new Error(
        'no target reported its Python version, so the conversion image cannot be chosen; set `coverage-image` (e.g. `python:3.12-slim`)',
      );
    }
    image = `python:${minor}-slim`;
  }
  return { image, coverageVersion: overrides.coverageVersion || coverage || '', warnings };
}

/**
 * The rc file of the reports. Paths are mapped by the combine itself (leading prefixes only), so
 * there is no `[paths]` section; `relative_files` keeps workspace-relative names in the reports.
 */
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
}

/** One warning for measured files the reports leave out, or undefined when none. */
export function unmappedWarning(unmapped: readonly string[], count: number): string | undefined {
  if (count === 0) return undefined;
  const more = count > 5 ? ` and ${count - 5} more` : '';
  return `${count} measured file(s) map to nothing in the workspace (${unmapped.slice(0, 5).join(', ')}${more}), so the reports leave them out; if they are the service's own code, set \`path-map\` (e.g. \`/app=.\`) to map their container paths onto the checkout`;
}

/** One warning when `extra-data` files add nothing to the reports, or undefined. */
export function extraDataWarning(
  result: Pick<ConvertResult, 'extraMeasured' | 'extraKept' | 'badFiles'>,
  extraData: readonly string[],
): string | undefined {
  const readable = extraData.filter((file) => !result.badFiles.some((bad) => bad.file === file));
  // Unreadable files are named one by one; files with workspace files measured add to the reports.
  if (readable.length === 0 || result.extraKept > 0) return undefined;
  if (result.extraMeasured === 0)
    return `the \`extra-data\` files measured no files, so they add nothing to the reports; check that they are the data files the other job wrote after its tests ran`;
  return `none of the ${result.extraMeasured} file(s) the \`extra-data\` files measured is in the workspace, so they add nothing to the reports; measure the other job in a checkout of this repository (or with \`relative_files = true\`), or set \`path-map\` for its paths`;
}

/** Why the reports would hold none of the service's code, in one sentence with the fix. */
export function nothingKeptMessage(
  result: Pick<ConvertResult, 'measured' | 'unmapped'>,
  pathMap: readonly PathMapping[],
): string {
  if (result.measured === 0)
    return 'the combined coverage data measured no files; check the coverage configuration of the services (`source`, `include`)';
  const example = result.unmapped[0] ?? '';
  if (pathMap.length > 0)
    return `none of the ${result.measured} measured file(s) maps to a file in the workspace with \`path-map\` ${pathMap.map((m) => `${m.remote}=${m.local}`).join(', ')} (e.g. ${example}); check \`path-map\` and that the sources are checked out before this step`;
  return `none of the ${result.measured} measured file(s) is in the workspace (e.g. ${example}), so none of the service's own code was measured; check out the sources before this step and set \`path-map\` (e.g. \`/app=.\`) if the automatic mapping does not find them`;
}

/** How docker and podman say `run --pull never` found no such image locally. */
const IMAGE_MISSING =
  /no such image|image not known|unable to find image|not found locally|does not exist locally/i;

async function pullImage(
  cli: ContainerCli,
  toolchain: Toolchain,
  log: (line: string) => void,
): Promise<void> {
  log(`pulling the conversion image ${toolchain.image}`);
  const pull = await cli.run(['pull', toolchain.image], { timeoutMs: 600_000 });
  if (pull.exitCode !== 0) {
    throw new Error(
      `the conversion image \`${toolchain.image}\` is not available locally and cannot be pulled (${errorLine(pull.stderr)}); set \`coverage-image\` to an image with Python and coverage${toolchain.coverageVersion ? ` ${toolchain.coverageVersion}` : ''} installed`,
    );
  }
}

/**
 * Reports must belong to the runner's user. Rootless podman maps the runner's uid to root inside
 * the container unless told to keep it; docker and rootful podman take the uid:gid as is.
 */
export function userArgs(
  command: string,
  uid: number | undefined,
  gid: number | undefined,
): string[] {
  if (uid === undefined || gid === undefined) return [];
  if (uid !== 0 && basename(command).startsWith('podman')) return ['--userns', 'keep-id'];
  return ['--user', `${uid}:${gid}`];
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
  const rcfile = join(outputDir, 'pycov-harvest.rc');
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

/** One run of the convert program in the conversion container (pulling a missing image once). */
async function runConversion(
  options: ConvertOptions,
  plan: ConversionPlan,
  install: boolean,
): Promise<ProgramResult> {
  const { cli, toolchain, workspace } = options;
  const args = {
    rcfile: plan.rcfile,
    data_files: options.dataFiles,
    outputs: plan.outputs,
    combined: plan.reports.dataFile,
    workspace,
    path_map: options.pathMap.length > 0 ? options.pathMap.map((m) => [m.remote, m.local]) : null,
    version: toolchain.coverageVersion || null,
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
  const program = invocation('python3', 'convert', args);
  const argv = [
    'run',
    '-i',
    '--rm',
    // The image is used as it is locally; only when it is missing is it pulled (below).
    '--pull',
    'never',
    ...(install ? [] : ['--network', 'none']),
    ...userArgs(cli.command, process.getuid?.(), process.getgid?.()),
    '-e',
    'HOME=/tmp',
    ...plan.mounts,
    '-w',
    workspace,
    '--entrypoint',
    'python3',
    toolchain.image,
    ...program.argv.slice(1),
  ];
  const runOptions = { timeoutMs: 900_000, ...(program.stdin ? { stdin: program.stdin } : {}) };
  const began = performance.now();
  let result = await cli.run(argv, runOptions);
  if (result.exitCode === 125 && IMAGE_MISSING.test(result.stderr)) {
    await pullImage(cli, toolchain, options.log);
    result = await cli.run(argv, runOptions);
  }
  core.debug(
    `conversion container: exit ${result.exitCode} in ${Math.round(performance.now() - began)} ms`,
  );
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
  };
}

/** A data file coverage.py would not add to the others (e.g. line data into branch data). */
export function combineFailedMessage(
  failed: { file: string; error: string },
  extraData: readonly string[],
  workspace: string,
): string {
  if (extraData.includes(failed.file)) {
    return `the \`extra-data\` file ${displayPath(failed.file, workspace)} cannot be combined with the E2E data (${failed.error}); measure the unit tests and the services the same way, both with \`branch = true\` or both without`;
  }
  return `data file ${displayPath(failed.file, workspace)} cannot be combined with the other data files (${failed.error}); measure every service the same way, all with \`branch = true\` or all without`;
}

function outsideOf(path: string, dirs: readonly string[]): boolean {
  return dirs.every((dir) => {
    const rel = relative(dir, path);
    return rel.startsWith('..') || isAbsolute(rel);
  });
}
