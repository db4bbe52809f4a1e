// `pycov-harvest harvest --target ... --selector ...`: the action's whole run (discover, harvest,
// combine and convert, report) from any CI or a laptop. Every action input is an option of the
// same name; paths are relative to the current directory; nothing needs GitHub's variables.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getInputs } from '../inputs/get-inputs.js';
import type { Inputs } from '../inputs/types.js';
import { pipeline, type Reporter, type RunState } from '../pipeline/pipeline.js';
import { terminalDestination } from '../publish/terminal.js';
import { errorText, logLine } from '../shared/text.js';
import { Warnings } from '../shared/warnings.js';
import { FALLBACK_FILE_NAME } from '../summary/input.js';
import { renderFailure } from '../summary/summary.js';
import { renderFailureText, terminalSafe } from '../summary/text.js';
import { withOptionNames } from './args.js';
import { INPUT_OPTIONS } from './catalog.js';
import { splitOptions, UsageError } from './options.js';

export interface CliIo {
  /** A line (or block) for stdout. */
  readonly print: (text: string) => void;
  /** A line for stderr. */
  readonly fail: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The workspace: relative paths (`output-dir`, `path-map`, `baseline`) start here. */
  readonly cwd: string;
}

/** The inputs from `harvest`'s options; a usage error names the option and the fix. */
export function parseHarvestArgs(
  rest: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Inputs {
  const { values, positional } = splitOptions(rest, {
    known: INPUT_OPTIONS.map((o) => o.name),
    repeatable: INPUT_OPTIONS.filter((o) => o.multi).map((o) => o.name),
  });
  if (positional.length > 0)
    throw new UsageError(
      `\`harvest\` takes only options (got ${JSON.stringify(positional[0])}); write each input as \`--name value\``,
    );
  if (!values.has('target')) throw new UsageError('`--target docker|kubernetes` is required');
  if (!values.has('selector')) throw new UsageError('`--selector` is required');
  const read = (name: string): string => {
    const given = values.get(name);
    if (given !== undefined) return given;
    // The CLI runs where GitHub's artifact service and pull request events usually are not.
    if (name === 'upload') return 'false';
    if (name === 'comment') return env.GITHUB_EVENT_NAME ? 'auto' : 'never';
    return '';
  };
  const inputs = withOptionNames(
    () => getInputs(read, { ...env, GITHUB_WORKSPACE: cwd }),
    (input) => input,
  );
  if (inputs.upload && !env.ACTIONS_RUNTIME_TOKEN)
    throw new UsageError(
      '`--upload true` uploads a GitHub Actions artifact, which only a GitHub Actions job can (ACTIONS_RUNTIME_TOKEN is not set); keep the files of `--output-dir` with your CI instead',
    );
  return inputs;
}

/** Runs `harvest`; returns the exit status: 0 done, 1 failed, 2 usage error. */
export async function harvestCommand(rest: readonly string[], io: CliIo): Promise<number> {
  let inputs: Inputs;
  try {
    inputs = parseHarvestArgs(rest, io.env, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.fail(`pycov-harvest: ${error.message}`);
    io.fail('run `pycov-harvest harvest --help` for the options');
    return 2;
  }
  const state: RunState = {
    warnings: new Warnings((message) =>
      io.fail(`pycov-harvest: warning: ${terminalSafe(message)}`),
    ),
    outcomes: [],
  };
  const reporter: Reporter = {
    // Every line of the text summary may hold a target's words: none may become a workflow command.
    ...terminalDestination(inputs.outputDir, (text) =>
      io.print(text.split('\n').map(logLine).join('\n')),
    ),
    stage: async (name, run) => {
      io.print(`== ${name}`);
      return run();
    },
    info: (line) => io.print(logLine(line)),
  };
  try {
    await pipeline(inputs, state, reporter);
    return 0;
  } catch (error) {
    const message = errorText(error);
    const failure = { error: message, targets: state.outcomes, warnings: state.warnings.all() };
    if (inputs.summary) {
      io.print(`\n${renderFailureText(failure)}\n`);
      await writeFailureFile(inputs.outputDir, renderFailure(failure)).catch((fileError) =>
        io.fail(`pycov-harvest: could not write ${FALLBACK_FILE_NAME}: ${errorText(fileError)}`),
      );
    }
    io.fail(`pycov-harvest: ${terminalSafe(message)}`);
    return 1;
  }
}

async function writeFailureFile(outputDir: string, text: string): Promise<void> {
  await mkdir(outputDir, { recursive: true });
  await writeFile(join(outputDir, FALLBACK_FILE_NAME), text, 'utf8');
}
