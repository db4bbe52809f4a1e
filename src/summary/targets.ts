/** The summary's targets table, their flush attempts and the run's warnings. */
import * as core from '@actions/core';
import type { TargetOutcome } from '../harvest/outcome.js';
import { formatBytes, formatDuration } from '../shared/format.js';
import { escapeText } from './markdown.js';
import { EMPTY, type Cell } from './table.js';

export function addTargets(targets: readonly TargetOutcome[]): void {
  if (targets.length === 0) return;
  core.summary.addHeading('Targets', 3);
  const header: Cell[] = ['Target', 'Method', 'Time', 'Files', 'Bytes', 'Failed attempts'].map(
    (data) => ({ data, header: true }),
  );
  const rows: Cell[][] = targets.map((t) => [
    escapeText(t.label),
    t.method ?? '<strong>none</strong>',
    formatDuration(t.ms),
    String(t.files),
    formatBytes(t.bytes),
    failures(t),
  ]);
  core.summary.addTable([header, ...rows]);
}

function failures(target: TargetOutcome): string {
  const lines = target.attempts
    .filter((a) => !a.confirmed)
    .map((a) => `${a.method} (${formatDuration(a.ms)}): ${escapeText(a.detail)}`);
  if (target.error !== undefined) lines.push(`<strong>${escapeText(target.error)}</strong>`);
  return lines.join('<br>') || EMPTY;
}
/** Every method tried per target, confirmed or not, in order. */
export function addAttempts(targets: readonly TargetOutcome[]): void {
  const lines = targets.flatMap((t) =>
    t.attempts.map(
      (a) =>
        `${escapeText(t.label)}: ${a.method} ${a.confirmed ? 'confirmed' : 'not confirmed'} in ${formatDuration(a.ms)}: ${escapeText(a.detail)}`,
    ),
  );
  if (lines.length === 0) return;
  core.summary.addHeading('Flush attempts', 3);
  core.summary.addList(lines);
}

/** Warnings listed one by one; the rest are counted (all of them are in the step's log). */
export const MAX_WARNINGS_LISTED = 50;

export function addWarnings(warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  core.summary.addHeading('Warnings', 3);
  const shown = warnings.slice(0, MAX_WARNINGS_LISTED).map(escapeText);
  const more = warnings.length - shown.length;
  if (more > 0) shown.push(`and ${more} more, in the step's log`);
  core.summary.addList(shown);
}
