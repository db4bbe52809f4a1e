// The CLI's destination: the summary printed as text and written as summary.md, and the outputs
// as outputs.json in `output-dir` (the same names as the action's outputs), for any CI to read.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FALLBACK_FILE_NAME } from '../summary/input.js';
import { renderSummary } from '../summary/render.js';
import { renderText, terminalSafe } from '../summary/text.js';
import type { Destination } from './destination.js';
import { targetsJson, type ActionOutputs } from './outputs.js';

export const OUTPUTS_FILE = 'outputs.json';

/** The outputs as the action names them, with `targets` as an array rather than JSON text. */
export function outputsObject(outputs: ActionOutputs): Record<string, unknown> {
  return {
    targets: JSON.parse(targetsJson(outputs.targets)) as unknown,
    'lcov-file': outputs.lcovFile ?? '',
    'xml-file': outputs.xmlFile ?? '',
    percent: outputs.percent === undefined ? '' : outputs.percent.toFixed(2),
    'artifact-id': outputs.artifactId === undefined ? '' : String(outputs.artifactId),
    'artifact-url': outputs.artifactUrl ?? '',
    'contexts-file': outputs.contextsFile ?? '',
    'diff-percent': outputs.diffPercent ?? '',
    'diff-lines': outputs.diffLines ?? '',
    delta: outputs.delta ?? '',
    'comment-url': outputs.commentUrl ?? '',
  };
}

/** Prints to `print` (stdout) and writes summary.md and outputs.json into `outputDir`. */
export function terminalDestination(outputDir: string, print: (text: string) => void): Destination {
  return {
    async summary(input) {
      print(`\n${renderText(input)}\n`);
      await mkdir(outputDir, { recursive: true });
      const file = join(outputDir, FALLBACK_FILE_NAME);
      await writeFile(file, renderSummary(input), 'utf8');
      return file;
    },
    async commentNote(url, problem) {
      if (url !== undefined) print(`pull request comment: ${terminalSafe(url)}`);
      else if (problem !== undefined)
        print(`pull request comment not written: ${terminalSafe(problem)}`);
    },
    async outputs(outputs) {
      await mkdir(outputDir, { recursive: true });
      const text = `${JSON.stringify(outputsObject(outputs), null, 2)}\n`;
      await writeFile(join(outputDir, OUTPUTS_FILE), text, 'utf8');
    },
  };
}
