/** Why the agent would refuse this context name, or undefined when it takes it. */
export function contextNameProblem(name: string): string | undefined {
  const control = [...name].some((c) => (c.codePointAt(0) ?? 0) < 32 || c === '\u007f');
  return Buffer.byteLength(name, 'utf8') > 256 || control
    ? 'the context name must be at most 256 bytes of UTF-8, without control characters'
    : undefined;
}
