// Small text helpers for messages; below every other module.

/** The first non-empty line, trimmed; `(no output)` when there is none. */
export function firstLine(text: string): string {
  return nonEmptyLines(text)[0] ?? '(no output)';
}

/** The last non-empty line, trimmed; `(no output)` when there is none. */
export function lastLine(text: string): string {
  const lines = nonEmptyLines(text);
  return lines[lines.length - 1] ?? '(no output)';
}

/**
 * The line of a tool's stderr that says what went wrong: the last one that reads like an error
 * (engines print progress and aliases first), else the last line.
 */
export function errorLine(text: string): string {
  const lines = nonEmptyLines(text);
  const errors = lines.filter((line) =>
    /\b(error|failed|denied|refused|not found|no such)\b/i.test(line),
  );
  return errors[errors.length - 1] ?? lines[lines.length - 1] ?? '(no output)';
}

function nonEmptyLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
