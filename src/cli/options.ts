// `--name value`, `--name=value` and `--` for every command; the options each command knows.

/** A command line the CLI cannot run: the message says what is wrong and how to write it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionRules {
  /** The command's option names, without `--`. */
  readonly known: readonly string[];
  /** Options that may be given more than once; their values are joined as lines. */
  readonly repeatable?: readonly string[];
}

export interface SplitArgs {
  readonly values: Map<string, string>;
  readonly positional: string[];
}

/** The options (by name, without `--`) and the positional arguments. */
export function splitOptions(rest: readonly string[], rules: OptionRules): SplitArgs {
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
    if (!rules.known.includes(option)) throw new UsageError(unknownOption(option, rules.known));
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = rest[i + 1];
      if (next === undefined) throw new UsageError(`option \`--${option}\` needs a value`);
      value = next;
      i++;
    }
    const earlier = values.get(option);
    if (earlier !== undefined && !(rules.repeatable ?? []).includes(option))
      throw new UsageError(`option \`--${option}\` is given twice`);
    values.set(option, earlier === undefined ? value : `${earlier}\n${value}`);
  }
  return { values, positional };
}

/** Whether the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(rest: readonly string[]): boolean {
  const end = rest.indexOf('--');
  return (end < 0 ? rest : rest.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function unknownOption(option: string, known: readonly string[]): string {
  const closest = known
    .map((name) => ({ name, distance: editDistance(option, name) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint =
    closest !== undefined && closest.distance <= Math.max(2, Math.floor(option.length / 3))
      ? `; did you mean \`--${closest.name}\`?`
      : '; see `--help` for the options';
  return `unknown option \`--${option}\`${hint}`;
}

/** Levenshtein distance, for the closest option name. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
