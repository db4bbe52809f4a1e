import * as core from '@actions/core';

/** Every warning of the run, in one place: announced at once, listed in the summary. */
export class Warnings {
  private readonly list: string[] = [];

  /** `announce` tells each new warning as it comes: an annotation in the action's log by default. */
  constructor(private readonly announce: (message: string) => void = (m) => core.warning(m)) {}

  add(message: string): void {
    if (this.list.includes(message)) return;
    this.list.push(message);
    this.announce(message);
  }

  addAll(messages: readonly string[]): void {
    for (const message of messages) this.add(message);
  }

  all(): readonly string[] {
    return [...this.list];
  }
}
