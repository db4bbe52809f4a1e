// Whole archives held in memory (small ones: registries, tests) and the files written from them.
import { mkdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { quoted } from '../shared/text.js';
import { TarReader, UnsafeArchiveError, type TarEntry } from './tar-reader.js';

/** Parses a whole tar stream held in memory (small archives: registries, tests). */
export function parseTar(archive: Buffer, maxBytes: number): TarEntry[] {
  const entries: TarEntry[] = [];
  const reader = new TarReader(
    { maxBytes },
    {
      onFile: (header) => {
        const chunks: Buffer[] = [];
        return {
          write: (chunk) => chunks.push(Buffer.from(chunk)),
          close: () => entries.push({ ...header, data: Buffer.concat(chunks) }),
        };
      },
      onDirectory: (header) => entries.push({ ...header, data: Buffer.alloc(0) }),
    },
  );
  reader.push(archive);
  reader.end();
  return entries;
}

export interface ExtractedFile {
  readonly path: string;
  readonly bytes: number;
  readonly mtime: number;
}

/**
 * Writes the file entries that `select` names (it returns the output file name, or undefined
 * to skip the entry) into dir. Output names must be plain names, never paths.
 */
export async function extractFiles(
  entries: readonly TarEntry[],
  dir: string,
  select: (entry: TarEntry) => string | undefined,
): Promise<ExtractedFile[]> {
  await mkdir(dir, { recursive: true });
  const written: ExtractedFile[] = [];
  const used = new Set<string>();
  for (const entry of entries) {
    if (entry.type !== 'file') continue;
    const outName = select(entry);
    if (outName === undefined) continue;
    assertPlainName(outName, used);
    used.add(outName);
    const path = join(dir, outName);
    await writeFile(path, entry.data, { flag: 'wx', mode: 0o644 });
    if (entry.mtime > 0) await utimes(path, entry.mtime, entry.mtime);
    written.push({ path, bytes: entry.data.length, mtime: entry.mtime });
  }
  return written;
}

/** An output file name must be a plain name, used once. */
export function assertPlainName(outName: string, used: ReadonlySet<string>): void {
  if (
    outName.includes('/') ||
    outName === '' ||
    outName === '.' ||
    outName === '..' ||
    used.has(outName)
  ) {
    throw new UnsafeArchiveError(`refusing to write ${quoted(outName)}`);
  }
}
