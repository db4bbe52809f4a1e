import * as core from '@actions/core';
import { logLine } from './text.js';

/**
 * Warnings annotated in the log and listed in the summary. Sources aggregate their own floods
 * (skipped files are grouped with a count); this bound is the backstop, so that no target can
 * turn one run into thousands of annotations.
 */
export const MAX_WARNINGS = 200;

/** Every warning of the run, in one place: announced at once, listed in the summary. */
export class Warnings {
  private readonly list: string[] = [];
  private readonly seen = new Set<string>();
  private over = 0;

  /** `announce` tells each new warning as it comes: an annotation in the action's log by default. */
  constructor(private readonly announce: (message: string) => void = (m) => core.warning(m)) {}

  add(message: string): void {
    if (this.seen.has(message)) return;
    this.seen.add(message);
    if (this.list.length >= MAX_WARNINGS) {
      if (this.over++ === 0)
        this.announce(`more than ${MAX_WARNINGS} warnings; the rest are counted in the summary`);
      return;
    }
    this.list.push(message);
    this.announce(logLine(message));
  }

  addAll(messages: readonly string[]): void {
    for (const message of messages) this.add(message);
  }

  /** The warnings, and one more line that counts those past the bound. */
  all(): readonly string[] {
    if (this.over === 0) return [...this.list];
    return [
      ...this.list,
      `and ${this.over} more warning(s), not shown: a run past ${MAX_WARNINGS} warnings has one cause repeated, which the ones above name`,
    ];
  }
}
