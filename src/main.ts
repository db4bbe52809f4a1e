import * as core from '@actions/core';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { uploadReports } from './artifact.js';
import { chooseToolchain, convertReports, missingSourcesWarning } from './convert.js';
import { linePercent, readCoverageJson } from './coverage-json.js';
import { harvestTarget, noDataMessage, type Harvest } from './harvest.js';
import { getInputs, type Inputs } from './inputs.js';
import { setOutputs } from './outputs.js';
import { dataDirOf, displayPath, targetDirName } from './paths.js';
import { writeJobSummary } from './summary.js';
import { ContainerCli } from './targets/docker.js';
import { discoverTargets } from './targets/discover.js';
import type { FlushSettings } from './flush/methods.js';

/** Copy-out cap per target: coverage data of a service is kilobytes to a few megabytes. */
const MAX_BYTES_PER_TARGET = 512 * 1024 * 1024;

/** The action's entry point: every failure below surfaces here, as one failed step. */
export async function run(): Promise<void> {
  try {
    await harvest(getInputs());
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

function flushSettings(inputs: Inputs): FlushSettings {
  return {
    dataDir: inputs.dataDir,
    agentPort: inputs.agentPort,
    flushTimeoutMs: inputs.flushTimeoutMs,
    gracefulTimeoutMs: inputs.gracefulTimeoutMs,
    signal: inputs.signal,
    maxBytes: MAX_BYTES_PER_TARGET,
  };
}

async function harvest(inputs: Inputs): Promise<void> {
  const discovery = await discoverTargets(inputs);
  const targets = discovery.targets;
  if (targets.length === 0) {
    const message = `no ${discovery.searched} found; ${discovery.hint}`;
    if (inputs.ifNoTargets === 'error') throw new Error(message);
    if (inputs.ifNoTargets === 'warn') core.warning(message);
    else core.info(message);
    setOutputs({ targets: [] });
    return;
  }
  core.info(`harvesting ${targets.length} target(s): ${targets.map((t) => t.label).join(', ')}`);

  const dataRoot = dataDirOf(inputs.outputDir);
  await rm(dataRoot, { recursive: true, force: true });
  await mkdir(dataRoot, { recursive: true });
  const settings = flushSettings(inputs);
  const harvests: Harvest[] = await Promise.all(
    targets.map((target, index) =>
      harvestTarget(target, {
        methods: inputs.methods,
        settings,
        destDir: join(dataRoot, targetDirName(index, target.label)),
        log: (line) => core.info(line),
      }),
    ),
  );
  const outcomes = harvests.map((h) => h.outcome);
  const warnings = harvests.flatMap((h) => h.warnings);
  for (const h of harvests) {
    if (h.outcome.error !== undefined) warnings.push(`${h.outcome.label}: ${h.outcome.error}`);
  }
  // Annotate now: a failure below must not hide why the flush went wrong.
  for (const warning of warnings) core.warning(warning);
  const dataFiles = harvests.flatMap((h) => h.files.map((f) => f.path));
  if (dataFiles.length === 0) {
    setOutputs({ targets: outcomes });
    throw new Error(noDataMessage(harvests, inputs.dataDir));
  }

  core.startGroup('combine and convert with coverage.py');
  const toolchain = chooseToolchain(
    harvests.map((h) => h.versions),
    { coverageImage: inputs.coverageImage, coverageVersion: inputs.coverageVersion },
  );
  warnings.push(...toolchain.warnings);
  for (const warning of toolchain.warnings) core.warning(warning);
  core.info(
    `conversion image ${toolchain.image}, coverage ${toolchain.coverageVersion || "(the image's)"}`,
  );
  let converted;
  try {
    converted = await convertReports({
      cli: new ContainerCli(inputs.dockerCommand),
      toolchain,
      workspace: inputs.workspace,
      outputDir: inputs.outputDir,
      pathMap: inputs.pathMap,
      formats: inputs.formats,
      dataFiles,
      log: (line) => core.info(line),
    });
  } finally {
    core.endGroup();
  }
  if (converted.inferred.length > 0) {
    core.info(
      `\`path-map\` not set: mapped ${converted.inferred.map((p) => `${p}/`).join(', ')} onto the workspace (inferred from the measured files)`,
    );
  }
  const missing = missingSourcesWarning(converted.missingSources);
  if (missing !== undefined) {
    warnings.push(missing);
    core.warning(missing);
  }
  const coverage = await readCoverageJson(converted.reports.json);
  if (Object.keys(coverage.files).length === 0) {
    throw new Error(
      converted.missingSources.length > 0
        ? `none of the ${converted.missingSources.length} measured file(s) was found in the workspace (e.g. ${converted.missingSources[0]}); check out the sources before this step and set \`path-map\` (e.g. \`/app=.\`)`
        : 'the combined coverage data measured no files; check the coverage configuration of the services (`source`, `include`)',
    );
  }
  const percent = linePercent(coverage.totals);
  const shown = (path: string | undefined) =>
    path === undefined ? undefined : displayPath(path, inputs.workspace);
  const reports = {
    lcov: shown(converted.reports.lcov),
    xml: shown(converted.reports.xml),
    json: inputs.formats.includes('json') ? shown(converted.reports.json) : undefined,
    html: shown(converted.reports.html),
  };
  core.info(
    `total line coverage ${percent.toFixed(2)}% over ${Object.keys(coverage.files).length} file(s)`,
  );

  let summaryFile: string | undefined;
  if (inputs.summary) {
    const written = await writeJobSummary(
      { coverage, targets: outcomes, warnings, reports: definedOnly(reports) },
      inputs.outputDir,
      { artifactName: inputs.upload ? inputs.artifactName : undefined },
    );
    summaryFile = written.fallbackFile;
    if (summaryFile !== undefined)
      core.info(`full summary in ${summaryFile} (uploaded with the reports)`);
  }

  let artifact: { id: number; url: string | undefined } | undefined;
  if (inputs.upload) {
    const files = [
      converted.reports.dataFile,
      converted.reports.lcov,
      converted.reports.xml,
      converted.reports.json,
      converted.reports.html,
      summaryFile,
    ].filter((file): file is string => file !== undefined);
    artifact = await uploadReports(inputs.artifactName, files, inputs.outputDir);
    core.info(`uploaded artifact ${inputs.artifactName} (id ${artifact.id})`);
  }

  setOutputs({
    lcovFile: reports.lcov,
    xmlFile: reports.xml,
    percent,
    targets: outcomes,
    artifactId: artifact?.id,
    artifactUrl: artifact?.url,
  });

  if (inputs.failUnder !== undefined && percent < inputs.failUnder) {
    throw new Error(
      `total line coverage ${percent.toFixed(2)}% is below \`fail-under\` ${inputs.failUnder}%; add tests that exercise more code or lower \`fail-under\``,
    );
  }
}

function definedOnly<T extends Record<string, string | undefined>>(
  record: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}
