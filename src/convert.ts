// Combine and report with coverage.py itself, in a container whose Python and coverage versions
// match the service's, with the workspace mounted at the same path.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { PathMapping, ReportFormat } from './inputs.js';
import type { Versions } from './harvest.js';
import { jsonLines, programArgv } from './remote/programs.js';
import { firstLine, type ContainerCli } from './targets/docker.js';

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

/** A `[paths]` value: workspace-relative (`./src/`) when inside the workspace, else absolute. */
function localPattern(local: string, workspace: string): string {
  const rel = relative(workspace, local);
  if (rel === '') return './';
  if (rel.startsWith('..') || isAbsolute(rel)) return `${local}/`;
  return `./${rel}/`;
}

/** The rc file for combine and the reports. */
export function renderRcFile(options: {
  readonly pathMap: readonly PathMapping[];
  readonly workspace: string;
  readonly dataFile: string;
}): string {
  const lines = [
    '# Written by pycov-harvest for coverage combine and the reports.',
    '[run]',
    '# Workspace-relative file names, as Codecov, Coveralls and py-cov-action expect.',
    'relative_files = true',
    `data_file = ${options.dataFile}`,
  ];
  if (options.pathMap.length > 0) {
    lines.push('', '[paths]');
    options.pathMap.forEach((mapping, index) => {
      lines.push(
        `map${index} =`,
        `    ${localPattern(mapping.local, options.workspace)}`,
        `    ${mapping.remote}/`,
      );
    });
  }
  return lines.join('\n') + '\n';
}

export interface ReportFiles {
  readonly dataFile: string;
  readonly lcov?: string;
  readonly xml?: string;
  readonly json: string;
  readonly html?: string;
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
  readonly log: (line: string) => void;
}

export interface ConvertResult {
  readonly reports: ReportFiles;
  readonly coverageVersion: string;
  readonly python: string;
  readonly installed: boolean;
  /** Container prefixes mapped onto the workspace because `path-map` was empty. */
  readonly inferred: readonly string[];
  /** Measured files whose source coverage.py did not find (reports skip them). */
  readonly missingSources: readonly string[];
}

/** One warning for measured files the reports had to leave out, or undefined when none. */
export function missingSourcesWarning(missing: readonly string[]): string | undefined {
  if (missing.length === 0) return undefined;
  const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
  return `coverage.py found no source in the workspace for ${missing.length} measured file(s) (${missing.slice(0, 5).join(', ')}${more}), so the reports leave them out; set \`path-map\` (e.g. \`/app=.\`) to map the container paths onto the checkout`;
}

/** The files coverage.py reported as "No source for code: '<path>'", each once. */
export function missingSources(output: string): string[] {
  const found = new Set<string>();
  for (const match of output.matchAll(/No source for code: '([^']+)'/g)) {
    if (match[1] !== undefined) found.add(match[1]);
  }
  return [...found];
}

async function ensureImage(
  cli: ContainerCli,
  toolchain: Toolchain,
  log: (line: string) => void,
): Promise<void> {
  const inspect = await cli.run(['image', 'inspect', toolchain.image], { timeoutMs: 60_000 });
  if (inspect.exitCode === 0) return;
  log(`pulling the conversion image ${toolchain.image}`);
  const pull = await cli.run(['pull', toolchain.image], { timeoutMs: 600_000 });
  if (pull.exitCode !== 0) {
    throw new Error(
      `the conversion image \`${toolchain.image}\` is not available locally and cannot be pulled (${firstLine(pull.stderr)}); set \`coverage-image\` to an image with Python and coverage${toolchain.coverageVersion ? ` ${toolchain.coverageVersion}` : ''} installed`,
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
  const { cli, toolchain, outputDir, workspace } = options;
  await ensureImage(cli, toolchain, options.log);
  await mkdir(outputDir, { recursive: true });
  const reports = reportPaths(outputDir, options.formats);
  await rm(reports.dataFile, { force: true });
  const rcfile = join(outputDir, 'pycov-harvest.rc');
  await writeFile(
    rcfile,
    renderRcFile({ pathMap: options.pathMap, workspace, dataFile: reports.dataFile }),
  );
  const outputs: Record<string, string> = { json: reports.json };
  if (reports.lcov) outputs.lcov = reports.lcov;
  if (reports.xml) outputs.xml = reports.xml;
  if (reports.html) outputs.html = reports.html;
  const mounts = ['-v', `${workspace}:${workspace}`];
  const rel = relative(workspace, outputDir);
  if (rel.startsWith('..') || isAbsolute(rel)) mounts.push('-v', `${outputDir}:${outputDir}`);

  const attempt = async (install: boolean) => {
    const args = {
      rcfile,
      data_files: options.dataFiles,
      outputs,
      version: toolchain.coverageVersion || null,
      install,
      install_dir: '/tmp/pycov-harvest-coverage',
      infer_paths: options.pathMap.length === 0,
    };
    const argv = [
      'run',
      '--rm',
      ...(install ? [] : ['--network', 'none']),
      ...userArgs(cli.command, process.getuid?.(), process.getgid?.()),
      '-e',
      'HOME=/tmp',
      ...mounts,
      '-w',
      workspace,
      '--entrypoint',
      'python3',
      toolchain.image,
      ...programArgv('python3', 'convert', args).slice(1),
    ];
    return cli.run(argv, { timeoutMs: 900_000 });
  };

  let result = await attempt(false);
  if (result.exitCode === 3) {
    options.log(
      `the conversion image lacks coverage ${toolchain.coverageVersion || '(any version)'}; installing it with pip (needs network)`,
    );
    result = await attempt(true);
  }
  const lines = jsonLines(result.stdout);
  const installFailed = lines.find((line) => line.event === 'install-failed');
  if (installFailed !== undefined) {
    const output = typeof installFailed.output === 'string' ? installFailed.output : '';
    throw new Error(
      `the conversion image \`${toolchain.image}\` has coverage ${String(installFailed.have ?? '(none)')}, not ${String(installFailed.want)}, and \`pip install ${String(installFailed.spec)}\` failed in it (${lastLine(output)}); set \`coverage-image\` to an image with coverage ${String(installFailed.want)} installed, or give the conversion container network access`,
    );
  }
  const final = lines.find((line) => line.event === 'result') as
    | {
        ok: boolean;
        coverage: string;
        python: string;
        installed: boolean;
        inferred?: string[];
        steps: { step: string; exit: number; output: string }[];
      }
    | undefined;
  if (final === undefined) {
    throw new Error(
      `the conversion container failed with exit status ${result.exitCode} (${firstLine(result.stderr)}); check that \`${toolchain.image}\` has python3`,
    );
  }
  const failed = final.steps.find((step) => step.exit !== 0);
  if (failed !== undefined) {
    throw new Error(
      `\`coverage ${failed.step}\` failed in ${toolchain.image}: ${lastLine(failed.output)}; check \`path-map\` and that the sources are checked out in the workspace`,
    );
  }
  const output = final.steps.map((step) => step.output).join('\n');
  return {
    reports,
    coverageVersion: final.coverage,
    python: final.python,
    installed: final.installed,
    inferred: final.inferred ?? [],
    missingSources: missingSources(output),
  };
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '(no output)';
}
