// `pycov-harvest COMMAND ...` (dist/cli.js): `harvest` runs the action's whole pipeline from any
// CI; `context` and `serve` let the test harness switch every agent process of every matched
// target to a context (which test runs now), with the action's own target code and input checks.
import { outcomeLine, switchAll } from '../harvest/switch.js';
import { errorText, logLine } from '../shared/text.js';
import { discoverTargets } from '../targets/discover.js';
import { parseCliArgs, UsageError, type CliRequest } from './args.js';
import { wantsHelp } from './options.js';
import { CONTEXT_USAGE, harvestUsage, MAIN_USAGE, SERVE_USAGE } from './usage.js';

const COMMAND_USAGE: Readonly<Record<string, () => string>> = {
  harvest: harvestUsage,
  context: () => CONTEXT_USAGE,
  serve: () => SERVE_USAGE,
};

/**
 * Runs the CLI; returns the exit status. `print` takes stdout lines, `fail` stderr lines. Both
 * are a step's log (the harness runs in one), and may hold a target's words: each goes out as
 * one line that cannot be a workflow command (logLine).
 */
export async function runCli(
  argv: readonly string[],
  printLine: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  failLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const print = (line: string): void => printLine(logLine(line));
  const fail = (line: string): void => failLine(logLine(line));
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMAND_USAGE[rest[0]];
    printLine(topic === undefined ? MAIN_USAGE : topic()); // ours, several lines
    return 0;
  }
  const usage = command === undefined ? undefined : COMMAND_USAGE[command];
  if (usage === undefined) {
    fail(
      `pycov-harvest: ${command === undefined ? 'no command given' : `unknown command \`${command}\``}`,
    );
    failLine(MAIN_USAGE);
    return 2;
  }
  if (wantsHelp(rest)) {
    printLine(usage());
    return 0;
  }
  if (command === 'harvest') {
    const { harvestCommand } = await import('./harvest.js');
    // Blocks of its own (the summary as text): it keeps each line safe itself.
    return harvestCommand(rest, {
      print: printLine,
      fail: failLine,
      env: process.env,
      cwd: process.cwd(),
    });
  }
  return switchCommand(argv, print, fail);
}

/** `context` and `serve`. */
async function switchCommand(
  argv: readonly string[],
  print: (line: string) => void,
  fail: (line: string) => void,
): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(`pycov-harvest: ${error.message}`);
    fail(`run \`pycov-harvest ${argv[0]} --help\` for the options`);
    return 2;
  }
  const { inputs, context } = request;
  if (request.command === 'serve') {
    const { serve } = await import('./serve.js');
    return serve(inputs, request.port ?? 0, print, fail);
  }
  try {
    const discovery = await discoverTargets(inputs, (message) => fail(`pycov-harvest: ${message}`));
    if (discovery.targets.length === 0) {
      fail(`pycov-harvest: no ${discovery.searched} found; ${discovery.hint}`);
      return 1;
    }
    const outcomes = await switchAll(discovery.targets, context, {
      dataDir: inputs.dataDir,
      agentPort: inputs.agentPort,
      timeoutMs: inputs.flushTimeoutMs,
    });
    for (const outcome of outcomes) print(outcomeLine(context, outcome));
    return outcomes.every((o) => o.ok) ? 0 : 1;
  } catch (error) {
    fail(`pycov-harvest: ${errorText(error)}`);
    return 1;
  }
}
