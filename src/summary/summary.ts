/** The job summary written once to the step, with an artifact fallback when it is too large. */
import * as core from '@actions/core';
import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetOutcome } from '../harvest/outcome.js';
import { formatBytes } from '../shared/format.js';
import { FALLBACK_FILE_NAME, STEP_SUMMARY_LIMIT_BYTES, type SummaryInput } from './input.js';
import { escapeText } from './markdown.js';
import { renderSummary } from './render.js';
import { addAttempts, addTargets, addWarnings } from './targets.js';

export interface WriteOptions {
  /** The artifact the fallback file is uploaded in, when `upload` is on; named in the pointer. */
  readonly artifactName?: string;
}

/**
 * Writes the summary to the step summary file (`GITHUB_STEP_SUMMARY`). When it would take
 * the step's summary over GitHub's 1 MiB limit, the full summary goes to
 * `fallbackDir/summary.md` (for the caller to upload with the reports) and the job summary gets
 * the headline, the changed lines, the targets, the warnings and a pointer to that file instead
 * of the file lists; when even that is too large, the headline and the pointer.
 * Returns `written: false` when there is no step summary file (not running on a runner).
 */
export async function writeJobSummary(
  input: SummaryInput,
  fallbackDir: string,
  options: WriteOptions = {},
): Promise<{ written: boolean; fallbackFile?: string }> {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return { written: false };
  const already = await sizeOf(summaryFile);
  const full = renderSummary(input);
  if (already + Buffer.byteLength(full, 'utf8') <= STEP_SUMMARY_LIMIT_BYTES) {
    await appendFile(summaryFile, full, 'utf8');
    return { written: true };
  }

  await mkdir(fallbackDir, { recursive: true });
  const fallbackFile = join(fallbackDir, FALLBACK_FILE_NAME);
  await writeFile(fallbackFile, full, 'utf8');
  const where =
    options.artifactName === undefined
      ? `The full summary is in ${fallbackFile} on the runner.`
      : `The full summary is ${FALLBACK_FILE_NAME} in the artifact ${options.artifactName}.`;
  const fileCount = Object.keys(input.coverage.files).length;
  let short = renderSummary(input, {
    filesNote:
      `The per-file tables for ${fileCount} files do not fit in the job summary ` +
      `(GitHub allows 1 MiB per step; this step's summary would take ` +
      `${formatBytes(already + Buffer.byteLength(full, 'utf8'))}). ${where}`,
  });
  if (already + Buffer.byteLength(short, 'utf8') > STEP_SUMMARY_LIMIT_BYTES) {
    // Even the targets and warnings are too long: keep just the headline and the pointer.
    short = renderSummary(input, {
      filesNote: `The summary is too large for the job summary. ${where}`,
      headlineOnly: true,
    });
  }
  await appendFile(summaryFile, short, 'utf8');
  return { written: true, fallbackFile };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
export interface FailureInput {
  /** The one sentence the step failed with (cause and fix). */
  readonly error: string;
  readonly targets: readonly TargetOutcome[];
  readonly warnings: readonly string[];
}

/** The summary of a failed step: why, every target with every method tried, and the warnings. */
export function renderFailure(input: FailureInput): string {
  const pending = core.summary.stringify();
  core.summary.emptyBuffer();
  try {
    core.summary.addHeading('Python coverage: the harvest failed', 2);
    core.summary.addRaw(`<p><strong>${escapeText(input.error)}</strong></p>`, true);
    addTargets(input.targets);
    addAttempts(input.targets);
    addWarnings(input.warnings);
    return core.summary.stringify();
  } finally {
    core.summary.emptyBuffer().addRaw(pending);
  }
}
/** Appends the failure summary to the step summary, within GitHub's limit. */
export async function writeFailureSummary(input: FailureInput): Promise<boolean> {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return false;
  let text = renderFailure(input);
  const room = STEP_SUMMARY_LIMIT_BYTES - (await sizeOf(summaryFile));
  if (Buffer.byteLength(text, 'utf8') > room)
    text = renderFailure({ ...input, targets: [], warnings: [] });
  if (Buffer.byteLength(text, 'utf8') > room) return false;
  await appendFile(summaryFile, text, 'utf8');
  return true;
}
