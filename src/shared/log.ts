// The step's log: every line the action prints with core.info goes through logLine, so that no
// target-made text in it can start a line of its own (a workflow command).
import * as core from '@actions/core';
import { logLine } from './text.js';

/** One line of the step log. */
export function info(line: string): void {
  core.info(logLine(line));
}
