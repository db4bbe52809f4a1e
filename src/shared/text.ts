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

/**
 * Characters that must never reach a log line or a summary raw: C0 and C1 controls (a line
 * break ends the line, so the rest could be a workflow command), DEL, the line and paragraph
 * separators, and the bidi overrides and isolates (they make a name display as another).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One unsafe character as visible text: `\n`, `\r`, `\t`, else `\u001b`. */
export function escapeControl(c: string): string {
  return NAMED[c] ?? `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/** Text with every unsafe character shown as its escape (see UNSAFE). */
export function withoutControls(text: string): string {
  return text.replace(UNSAFE, escapeControl);
}

/** Target-made strings longer than this are cut in messages: a name, a reason, a version. */
export const QUOTED_MAX_CHARS = 200;

/**
 * A target-made string inside one of the action's sentences: in double quotes, with quotes,
 * backslashes and control characters escaped, and cut after `max` characters. Whatever the
 * target sent, the result is one line that cannot end the quote.
 */
export function quoted(text: string, max = QUOTED_MAX_CHARS): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${withoutControls(cut.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

/**
 * A target-made sentence (a reason, an error text) inside one of the action's: control
 * characters escaped and cut after `max` characters, but not quoted, so that the packer's
 * own reasons read as they are written.
 */
export function clipped(text: string, max = QUOTED_MAX_CHARS): string {
  return withoutControls(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * A whole log line, the last defence where a line may hold target-made text: nothing in it can
 * start another line, and it cannot itself be read as a workflow command (the runner looks for
 * `::` after leading white space).
 */
export function logLine(text: string): string {
  const line = withoutControls(text);
  return /^\s*::/.test(line) ? line.replace(/::/, '\\u003a:') : line;
}
