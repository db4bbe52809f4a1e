// Where the publish stage writes what is GitHub's and what is not: the action writes the job
// summary and step outputs of the runner; the CLI prints and writes files (publish/terminal.ts).
import * as core from '@actions/core';
import type { Inputs } from '../inputs/types.js';
import { appendCommentNote } from '../summary/comment-note.js';
import type { SummaryInput } from '../summary/input.js';
import { writeJobSummary } from '../summary/summary.js';
import { setOutputs, type ActionOutputs } from './outputs.js';

/** The parts of publishing that depend on where the run happens. */
export interface Destination {
  /** Shows the summary; returns a file to upload with the reports, if it wrote one. */
  summary(input: SummaryInput, inputs: Inputs): Promise<string | undefined>;
  /** Says where the pull request comment is, or why there is none. */
  commentNote(url: string | undefined, problem: string | undefined): Promise<void>;
  /** The run's outputs (also when it ends before publishing: no targets, no data). */
  outputs(outputs: ActionOutputs): Promise<void>;
}

/** The action on a runner: the job summary, its comment line, and the step's outputs. */
export const githubDestination: Destination = {
  async summary(input, inputs) {
    const written = await writeJobSummary(input, inputs.outputDir, {
      artifactName: inputs.upload ? inputs.artifactName : undefined,
    });
    const summaryFile = written.fallbackFile;
    if (summaryFile !== undefined)
      core.info(`full summary in ${summaryFile} (uploaded with the reports)`);
    return summaryFile;
  },
  commentNote: (url, problem) => appendCommentNote(url, problem),
  outputs: async (outputs) => setOutputs(outputs),
};
