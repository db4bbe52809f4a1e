// The publish stage: the job summary, the artifact, the pull request comment and the outputs.
import * as core from '@actions/core';
import type { Inputs } from '../inputs/types.js';
import { join } from 'node:path';
import { RC_FILE_NAME } from '../report/report-files.js';
import { displayPath } from '../shared/paths.js';
import { appendCommentNote } from '../summary/comment-note.js';
import { writeJobSummary } from '../summary/summary.js';
import { setOutputs } from './outputs.js';
import { commentStep, type CommentStep } from './comment-step.js';
import type { RunResults } from './results.js';

/**
 * Writes the job summary, uploads the artifact, comments on the pull request and sets the
 * outputs, as the inputs ask; returns the warnings of the comment. Throws only for
 * `comment: always`, once everything else is done.
 */
export async function publish(inputs: Inputs, results: RunResults): Promise<readonly string[]> {
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
  const comment: CommentStep = commentStep(inputs, results, process.env);
  const commentFiles = await comment.writeFiles();
  const artifact = inputs.upload
    ? await upload(inputs, results, [summaryFile, ...commentFiles])
    : undefined;
  const posted = await comment.post(artifact?.url);
  if (inputs.summary) await appendCommentNote(posted.url, posted.failure ?? posted.warnings[0]);
  setOutputs({
    lcovFile: reports.lcov,
    xmlFile: reports.xml,
    percent: results.percent,
    targets: results.outcomes,
    artifactId: artifact?.id,
    artifactUrl: artifact?.url,
    contextsFile: shown(contexts?.file),
    commentUrl: posted.url,
    ...view.outputs,
  });
  if (posted.failure !== undefined) throw new Error(posted.failure);
  return posted.warnings;
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
  extraFiles: readonly (string | undefined)[],
): Promise<{ id: number; url: string | undefined }> {
  const { reports } = results.converted;
  const files = [
    reports.dataFile,
    join(inputs.outputDir, RC_FILE_NAME),
    reports.lcov,
    reports.xml,
    reports.json,
    reports.e2eJson,
    reports.html,
    results.contexts?.file,
    ...extraFiles,
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
