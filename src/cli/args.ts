// The arguments of `context` and `serve`: a context name and the action's inputs as options.
import { getInputs } from '../inputs/get-inputs.js';
import { InputError } from '../inputs/parse.js';
import type { Inputs } from '../inputs/types.js';
import { contextNameProblem } from './context-name.js';
import { splitOptions, UsageError } from './options.js';

export { UsageError } from './options.js';

/** Options of `context` and `serve` and the action input each one stands for. */
const OPTIONS: Readonly<Record<string, string>> = {
  target: 'target',
  selector: 'selector',
  namespace: 'namespace',
  container: 'container',
  kubeconfig: 'kubeconfig',
  'docker-command': 'docker-command',
  'data-dir': 'data-dir',
  'agent-port': 'agent-port',
  timeout: 'flush-timeout',
};

export interface CliRequest {
  readonly command: 'context' | 'serve';
  /** The context to switch to (`context`); '' for `serve`. */
  readonly context: string;
  readonly inputs: Inputs;
  /** `serve`: the runner loopback port to take switches on. */
  readonly port?: number;
}

/** Parses `context NAME --option value|--option=value ...` into the context and checked inputs. */
export function parseCliArgs(argv: readonly string[], env = process.env): CliRequest {
  const [command, ...rest] = argv;
  if (command !== 'context' && command !== 'serve')
    throw new UsageError(
      command === undefined ? 'no command given' : `unknown command \`${command}\``,
    );
  const known = [...Object.keys(OPTIONS), ...(command === 'serve' ? ['port'] : [])];
  const { values, positional } = splitOptions(rest, { known });
  if (command === 'serve' && positional.length > 0)
    throw new UsageError(
      `\`serve\` takes no context name (got ${JSON.stringify(positional[0])}); POST it to /context`,
    );
  if (command === 'context' && positional.length !== 1)
    throw new UsageError(
      positional.length === 0
        ? "name the context, e.g. `context test_refund` ('' for none)"
        : `one context name, got ${positional.length} (${positional.map((p) => JSON.stringify(p)).join(', ')}); quote a name with spaces`,
    );
  let port: number | undefined;
  if (command === 'serve') {
    const text = values.get('port') ?? '';
    port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= 0 && port <= 65535))
      throw new UsageError(
        '`serve` needs `--port` with a free port number, e.g. `--port 9898` (0: any free port, printed)',
      );
    values.delete('port');
  }
  const inputs = inputsOf(values, env);
  const context = positional[0] ?? '';
  if (command === 'serve') return { command, context, inputs, port: port ?? 0 };
  const problem = contextNameProblem(context);
  if (problem !== undefined) throw new UsageError(problem);
  return { command, context, inputs };
}

/** The action's inputs from the options; an input error is told in the options' names. */
function inputsOf(values: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): Inputs {
  const byInput = new Map<string, string>();
  for (const [option, value] of values) byInput.set(OPTIONS[option] ?? option, value);
  if (!byInput.has('target')) throw new UsageError('`--target docker|kubernetes` is required');
  if (!byInput.has('selector')) throw new UsageError('`--selector` is required');
  return withOptionNames(
    () => getInputs((name) => byInput.get(name) ?? '', env),
    (input) => Object.entries(OPTIONS).find(([, name]) => name === input)?.[0] ?? input,
  );
}

/** Runs `read`; an `InputError` becomes a `UsageError` that names the option instead of the input. */
export function withOptionNames<T>(read: () => T, optionOf: (input: string) => string): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new UsageError(`option \`--${optionOf(error.input)}\` ${error.problem}; ${error.fix}`);
  }
}
