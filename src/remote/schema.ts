// A small runtime check for what the in-target programs print: every field is checked against
// the contract, and a mismatch is an error naming the program and the field, never a cast.

export class ContractError extends Error {
  constructor(program: string, path: string, expected: string, value: unknown) {
    const shown = JSON.stringify(value)?.slice(0, 80) ?? String(value);
    super(
      `the in-target program \`${program}\` broke its contract: \`${path}\` should be ${expected}, got ${shown}; this is a bug in pycov-harvest, please report it with the step's log`,
    );
    this.name = 'ContractError';
  }
}

/** Checks one value at `path` (for the error message) and returns it typed. */
export type Check<T> = (value: unknown, path: string, program: string) => T;

export const str: Check<string> = (value, path, program) => {
  if (typeof value !== 'string') throw new ContractError(program, path, 'a string', value);
  return value;
};

export const num: Check<number> = (value, path, program) => {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ContractError(program, path, 'a number', value);
  return value;
};

/** Seconds since the epoch, within what a JavaScript Date can hold (±8.64e12 s). */
export const epochSeconds: Check<number> = (value, path, program) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 8.64e12)
    throw new ContractError(program, path, 'a time in seconds since the epoch', value);
  return value;
};

export const int: Check<number> = (value, path, program) => {
  if (!Number.isInteger(value)) throw new ContractError(program, path, 'an integer', value);
  return value as number;
};

export const bool: Check<boolean> = (value, path, program) => {
  if (typeof value !== 'boolean') throw new ContractError(program, path, 'true or false', value);
  return value;
};

export function oneOf<const T extends readonly (string | number)[]>(
  ...choices: T
): Check<T[number]> {
  return (value, path, program) => {
    if (!choices.includes(value as T[number]))
      throw new ContractError(program, path, `one of ${choices.join(', ')}`, value);
    return value as T[number];
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path, program) => (value === null ? null : check(value, path, program));
}

/** A field that may be absent (undefined when it is). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path, program) => (value === undefined ? undefined : check(value, path, program));
}

export function either<A, B>(a: Check<A>, b: Check<B>, expected: string): Check<A | B> {
  return (value, path, program) => {
    try {
      return a(value, path, program);
    } catch {
      try {
        return b(value, path, program);
      } catch {
        throw new ContractError(program, path, expected, value);
      }
    }
  };
}

export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (value, path, program) => {
    if (!Array.isArray(value)) throw new ContractError(program, path, 'a list', value);
    return value.map((item, index) => check(item, `${path}[${index}]`, program));
  };
}

type Shape = Record<string, Check<unknown>>;
type Checked<S extends Shape> = { [K in keyof S]: S[K] extends Check<infer T> ? T : never };

/** An object with these fields (others are ignored: a newer program may add fields). */
export function object<S extends Shape>(shape: S): Check<Checked<S>> {
  return (value, path, program) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ContractError(program, path, 'an object', value);
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const checked = check(record[key], path === '' ? key : `${path}.${key}`, program);
      if (checked !== undefined) out[key] = checked;
    }
    return out as Checked<S>;
  };
}

/** An object used as a map: any keys, each value checked. */
export function record<T>(check: Check<T>): Check<Record<string, T>> {
  return (value, path, program) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ContractError(program, path, 'an object', value);
    const out: Record<string, T> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      out[key] = check(item, `${path}[${JSON.stringify(key)}]`, program);
    return out;
  };
}
