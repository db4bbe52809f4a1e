// The report stage: combine every data file and write the reports with coverage.py, then read the
// contexts the agent's switches recorded.
import { info } from '../shared/log.js';
import { join } from 'node:path';
import type { TargetHarvest } from '../harvest/types.js';
import type { Inputs } from '../inputs/types.js';
import type { Warnings } from '../shared/warnings.js';
import { ContainerCli } from '../targets/container-cli.js';
import {
  contextLines,
  summarizeContexts,
  writeContextsFile,
  type ContextsSummary,
} from './contexts.js';
import { convertReports, type ConvertResult, type RunnerData } from './conversion.js';
import {
  badFileWarning,
  droppedWarning,
  extraDataWarning,
  nothingKeptMessage,
  tracerConflictWarning,
  unmappedWarning,
} from './convert-messages.js';
import { readCoverageJson, type CoverageJson } from './coverage-json.js';
import { chooseToolchain } from './toolchain.js';

/** Combines the harvested data (and `extra-data`, a `.coverage` baseline) into the reports. */
export async function combineAndConvert(
  inputs: Inputs,
  harvests: readonly TargetHarvest[],
  runnerData: RunnerData,
  warnings: Warnings,
): Promise<ConvertResult> {
  const toolchain = chooseToolchain(
    harvests.map((h) => h.versions),
    { coverageImage: inputs.coverageImage, coverageVersion: inputs.coverageVersion },
  );
  warnings.addAll(toolchain.warnings);
  info(
    `conversion image ${toolchain.image}, coverage ${toolchain.coverageVersion || "(the image's)"}`,
  );
  const converted = await convertReports({
    cli: new ContainerCli(inputs.dockerCommand),
    toolchain,
    workspace: inputs.workspace,
    workingDirectory: inputs.workingDirectory,
    coverageConfig: inputs.coverageConfig,
    outputDir: inputs.outputDir,
    pathMap: inputs.pathMap,
    formats: inputs.formats,
    dataFiles: harvests.flatMap((h) => h.files.map((f) => f.path)),
    ...runnerData,
    log: info,
  });
  if (converted.inferred.length > 0) {
    info(
      `\`path-map\` not set: mapped ${converted.inferred.map((p) => `${p}/`).join(', ')} onto the workspace (inferred from the measured files)`,
    );
  }
  warnings.addAll(converted.warnings);
  warnings.addAll(converted.pluginsMissing);
  for (const dropped of converted.dropped) warnings.add(droppedWarning(dropped, inputs.workspace));
  for (const conflict of converted.tracerConflicts)
    warnings.add(tracerConflictWarning(conflict, inputs.workspace));
  for (const bad of converted.badFiles)
    warnings.add(badFileWarning(bad, runnerData.extraDataFiles, inputs.workspace));
  const extra = extraDataWarning(converted, runnerData.extraDataFiles);
  if (extra !== undefined) warnings.add(extra);
  const unmapped = unmappedWarning(converted.unmapped, converted.unmappedCount);
  if (unmapped !== undefined) warnings.add(unmapped);
  if (converted.kept === 0) throw new Error(nothingKeptMessage(converted, inputs.pathMap));
  return converted;
}

export interface Contexts {
  readonly file: string;
  readonly summary: ContextsSummary;
}

const CONTEXTS_FILE_NAME = 'contexts.json';

/**
 * When the agent's switches recorded contexts: the `contexts-file` (context → file → lines, from the
 * E2E-only report when `extra-data` was combined in) and the figures of the "E2E tests" section.
 */
export async function readContexts(
  converted: ConvertResult,
  coverage: CoverageJson,
  outputDir: string,
): Promise<Contexts | undefined> {
  if (converted.contexts === 0) return undefined;
  const e2e =
    converted.reports.e2eJson === undefined
      ? coverage
      : await readCoverageJson(converted.reports.e2eJson);
  const own = otherContexts(e2e, converted.contextLabels);
  if (own > 0)
    info(
      `${own} context(s) in the data were not switched by the test harness (coverage.py's own, e.g. \`dynamic_context\` under \`coverage run\`, or written by an agent older than this action, which does not mark its contexts): their lines count as outside any test`,
    );
  const lines = contextLines(e2e, converted.contextLabels);
  if (lines === undefined) return undefined;
  const file = join(outputDir, CONTEXTS_FILE_NAME);
  await writeContextsFile(file, lines);
  const summary = summarizeContexts(lines);
  info(`${summary.contexts.length} context(s) recorded by the agent; lines per context in ${file}`);
  return { file, summary };
}

/** How many named contexts of the report no agent mark names (coverage.py's own). */
function otherContexts(coverage: CoverageJson, labels: Readonly<Record<string, string>>): number {
  const others = new Set<string>();
  for (const file of Object.values(coverage.files))
    for (const names of Object.values(file.contexts ?? {}))
      for (const name of names) if (name !== '' && !Object.hasOwn(labels, name)) others.add(name);
  return others.size;
}
