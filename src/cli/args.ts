// The CLI's arguments: a command, a context name and the action's inputs as options.
import { getInputs } from '../inputs/get-inputs.js';
import { InputError } from '../inputs/parse.js';
import type { Inputs } from '../inputs/types.js';
import { contextNameProblem } from './context-name.js';

export const USAGE = `usage: node dist/cli.js context NAME --target docker|kubernetes --selector SELECTOR [options]
       node dist/cli.js serve --port PORT --target docker|kubernetes --selector SELECTOR [options]

Switches every agent process of every matched target to the context NAME ('' for none): each
saves what ran since the previous switch under the previous context, then measures on under NAME.
Prints one line per target; exits 1 when a target did not confirm, 2 on a usage error.
\`serve\` keeps the port-forwards open and takes switches on http://127.0.0.1:PORT/context
(POST {"context": NAME}) until SIGTERM or SIGINT: a switch then costs one request per pod.

options (as the action's inputs of the same names):
  --target docker|kubernetes    where the services run (required)
  --selector SELECTOR           label selector (k=v,...) or, for docker, container names (required)
  --namespace NAMESPACE         kubernetes namespace (default: default)
  --container NAME              the container of each pod (default: the first)
  --kubeconfig PATH             kubeconfig (default: KUBECONFIG, then in-cluster)
  --docker-command COMMAND      docker or podman (default: docker)
  --data-dir DIR                the agent's data dir in the targets (default: /coverdata)
  --agent-port PORT             the agent's listener port (default: 9797)
  --timeout SECONDS             how long each process may take to confirm (default: 10)
  --port PORT                   serve: the runner loopback port (0: any free port, printed)`;

/** Options of the CLI and the action input each one stands for. */
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

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

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
  const { values, positional } = splitArgs(command, rest);
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

/** The options (by name, without `--`) and the positional arguments, each option at most once. */
function splitArgs(
  command: CliRequest['command'],
  rest: readonly string[],
): { values: Map<string, string>; positional: string[] } {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') {
      positional.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const option = arg.slice(2, eq < 0 ? undefined : eq);
    if (OPTIONS[option] === undefined && !(command === 'serve' && option === 'port'))
      throw new UsageError(`unknown option \`--${option}\``);
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = rest[i + 1];
      if (next === undefined) throw new UsageError(`option \`--${option}\` needs a value`);
      value = next;
      i++;
    }
    if (values.has(option)) throw new UsageError(`option \`--${option}\` is given twice`);
    values.set(option, value);
  }
  return { values, positional };
}

/** The action's inputs from the options; an input error is told in the options' names. */
function inputsOf(values: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): Inputs {
  const byInput = new Map<string, string>();
  for (const [option, value] of values) byInput.set(OPTIONS[option] ?? option, value);
  if (!byInput.has('target')) throw new UsageError('`--target docker|kubernetes` is required');
  if (!byInput.has('selector')) throw new UsageError('`--selector` is required');
  try {
    return getInputs((name) => byInput.get(name) ?? '', env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new UsageError(optionNames(error.message));
  }
}

/** An input error in the CLI's own words: `input \`flush-timeout\`` → `option \`--timeout\``. */
function optionNames(message: string): string {
  return message.replace(/input `([a-z-]+)`/g, (_, input: string) => {
    const option = Object.entries(OPTIONS).find(([, name]) => name === input)?.[0] ?? input;
    return `option \`--${option}\``;
  });
}
