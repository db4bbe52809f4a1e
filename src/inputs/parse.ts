// Parsers shared by every input: each takes the input's name for its error message.
/** An input's value that the action cannot use; the fields let the CLI say it in its options' names. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`input \`${input}\` ${problem}; ${fix}`);
    this.name = 'InputError';
  }
}

/** Splits on commas and newlines, trims, drops empty items. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function parseChoice<T extends string>(
  input: string,
  value: string,
  choices: readonly T[],
): T {
  const found = choices.find((choice) => choice === value.trim().toLowerCase());
  if (found === undefined) {
    throw new InputError(
      input,
      `is \`${value}\``,
      `use one of ${choices.map((c) => `\`${c}\``).join(', ')}`,
    );
  }
  return found;
}

export function parseChoiceList<T extends string>(
  input: string,
  value: string,
  choices: readonly T[],
): T[] {
  const items = splitList(value).map((item) => parseChoice(input, item, choices));
  if (items.length === 0) {
    throw new InputError(
      input,
      'is empty',
      `give at least one of ${choices.map((c) => `\`${c}\``).join(', ')}`,
    );
  }
  return [...new Set(items)];
}

export function parseBoolean(input: string, value: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true') return true;
  if (normalized === 'false') return false;
  throw new InputError(input, `is \`${value}\``, 'use `true` or `false`');
}

/** A plain decimal number: digits with an optional fraction (no sign, exponent, hex or spaces inside). */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/** The longest wait an input may ask for: beyond it a typo is likelier than a plan. */
export const MAX_SECONDS = 3600;

export function parseSeconds(input: string, value: string): number {
  const text = value.trim();
  const seconds = Number(text);
  if (!DECIMAL.test(text) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new InputError(
      input,
      `is \`${value}\``,
      `give a number of seconds greater than 0 and at most ${MAX_SECONDS}, e.g. \`10\``,
    );
  }
  return Math.round(seconds * 1000);
}

export function parsePort(input: string, value: string): number {
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) {
    throw new InputError(input, `is \`${value}\``, 'give a TCP port between 1 and 65535');
  }
  return port;
}

export function parsePercent(input: string, value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const text = value.trim().replace(/%$/, '');
  const percent = Number(text);
  if (!DECIMAL.test(text) || percent > 100) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give a percentage between 0 and 100, or leave it empty',
    );
  }
  return percent;
}
export function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
export function parseVersion(input: string, value: string): string {
  const version = value.trim();
  if (version !== '' && !/^\d+(\.\d+){1,2}([a-z]+\d*)?$/.test(version)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give a coverage.py version such as `7.6.1`, or leave it empty',
    );
  }
  return version;
}
export function required(input: string, value: string, example: string): string {
  if (value.trim() === '') throw new InputError(input, 'is empty', `set it, e.g. \`${example}\``);
  return value.trim();
}
