// `node <action>/dist/cli.js context NAME --target ... --selector ...`: the test harness on the
// runner switches every agent process of every matched target to a context (which test runs now),
// with the action's own target code (discovery, exec, port-forward) and input checks.
import { outcomeLine, switchAll } from '../harvest/switch.js';
import { errorText, logLine } from '../shared/text.js';
import { discoverTargets } from '../targets/discover.js';
import { parseCliArgs, USAGE, UsageError, type CliRequest } from './args.js';

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
  let request: CliRequest;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(`pycov-harvest: ${error.message}`);
    failLine(USAGE); // ours, several lines
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
