// The text of the files whose changed lines did not run, read from the checkout (the pull
// request's head), so a reader sees the missed lines as code.
import { open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ChangedLines } from './changed-lines.js';

/** Files read: more than the comment or the summary shows as code. */
const MAX_FILES = 100;
/** A source file larger than this is not read (generated code, data): its ranges show as links. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Repository path → the file's lines (1-based: line N is `lines[N - 1]`). */
export type SourceLines = ReadonlyMap<string, readonly string[]>;

/**
 * The lines of each changed file with a missed changed line, most missed first. A file that is
 * missing, too large, or outside the repository's top directory is left out.
 */
export async function readSourceLines(changed: ChangedLines, top: string): Promise<SourceLines> {
  const lines = new Map<string, readonly string[]>();
  const wanted = changed.files.filter((file) => file.missed.length > 0).slice(0, MAX_FILES);
  for (const file of wanted) {
    const path = resolve(join(top, file.path));
    const rel = relative(top, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    const text = await readBounded(path);
    if (text !== undefined) lines.set(file.path, text.split(/\r?\n/));
  }
  return lines;
}

async function readBounded(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_FILE_BYTES) return undefined;
      return (await handle.readFile()).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
