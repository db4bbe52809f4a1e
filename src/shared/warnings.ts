import * as core from '@actions/core';

/** Every warning of the run, in one place: annotated in the log at once, listed in the summary. */
export class Warnings {
  private readonly list: string[] = [];

  add(message: string): void {
    if (this.list.includes(message)) return;
    this.list.push(message);
    core.warning(message);
  }

  addAll(messages: readonly string[]): void {
    for (const message of messages) this.add(message);
  }

  all(): readonly string[] {
    return [...this.list];
  }
}
