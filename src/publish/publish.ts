// The publish stage: the job summary, the artifact and the step's outputs.
import * as core from '@actions/core';
import type { TargetOutcome } from '../harvest/outcome.js';
import type { Inputs } from '../inputs/types.js';
import type { PullRequestView } from '../pr/view.js';
import type { ConvertResult } from '../report/conversion.js';
import type { CoverageJson } from '../report/coverage-json.js';
import type { Contexts } from '../report/reports.js';
import { displayPath } from '../shared/paths.js';
import { writeJobSummary } from '../summary/summary.js';
import { setOutputs } from './outputs.js';

/** Everything the run found, for the summary, the artifact and the outputs. */
export interface RunResults {
  readonly outcomes: readonly TargetOutcome[];
  readonly warnings: readonly string[];
  readonly converted: ConvertResult;
  readonly coverage: CoverageJson;
  readonly percent: number;
  readonly view: PullRequestView;
  readonly contexts: Contexts | undefined;
}

/** Writes the job summary, uploads the artifact and sets the outputs, as the inputs ask. */
export async function publish(inputs: Inputs, results: RunResults): Promise<void> {
  const { converted, contexts, view } = results;
  const shown = (path: string | undefined) =>
    path === undefined ? undefined : displayPath(path, inputs.workspace);
  const reports = {
    lcov: shown(converted.reports.lcov),
    xml: shown(converted.reports.xml),
    json: inputs.formats.includes('json') ? shown(converted.reports.json) : undefined,
    html: shown(converted.reports.html),
  };
  const summaryFile = inputs.summary ? await writeSummary(inputs, results, reports) : undefined;
  const artifact = inputs.upload ? await upload(inputs, results, summaryFile) : undefined;
  setOutputs({
    lcovFile: reports.lcov,
    xmlFile: reports.xml,
    percent: results.percent,
    targets: results.outcomes,
    artifactId: artifact?.id,
    artifactUrl: artifact?.url,
    contextsFile: shown(contexts?.file),
    ...view.outputs,
  });
}

/** The job summary; returns the fallback file when the summary was too large for the step. */
async function writeSummary(
  inputs: Inputs,
  results: RunResults,
  reports: Record<'lcov' | 'xml' | 'json' | 'html', string | undefined>,
): Promise<string | undefined> {
  const { contexts } = results;
  const written = await writeJobSummary(
    {
      coverage: results.coverage,
      targets: results.outcomes,
      warnings: results.warnings,
      reports: definedOnly(reports),
      ...results.view.summary,
      ...(contexts === undefined ? {} : { contexts: contexts.summary }),
    },
    inputs.outputDir,
    { artifactName: inputs.upload ? inputs.artifactName : undefined },
  );
  const summaryFile = written.fallbackFile;
  if (summaryFile !== undefined)
    core.info(`full summary in ${summaryFile} (uploaded with the reports)`);
  return summaryFile;
}

async function upload(
  inputs: Inputs,
  results: RunResults,
  summaryFile: string | undefined,
): Promise<{ id: number; url: string | undefined }> {
  const { reports } = results.converted;
  const files = [
    reports.dataFile,
    reports.lcov,
    reports.xml,
    reports.json,
    reports.e2eJson,
    reports.html,
    results.contexts?.file,
    summaryFile,
  ].filter((file): file is string => file !== undefined);
  // The artifact client is large: loaded only when there is something to upload.
  const { uploadReports } = await import('./artifact.js');
  const artifact = await uploadReports(inputs.artifactName, files, inputs.outputDir);
  core.info(`uploaded artifact ${inputs.artifactName} (id ${artifact.id})`);
  return artifact;
}

function definedOnly<T extends Record<string, string | undefined>>(
  record: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}
