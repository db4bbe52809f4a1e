// Reads tar streams that come out of targets (the agent's `GET /data`, the remote pack script,
// `docker cp <id>:<dir>/. -`) and writes only safe, wanted entries. The stream comes from a
// service we do not control, so every entry is checked before anything touches the disk.
import { mkdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';

const BLOCK = 512;

export interface TarEntry {
  /** Normalized relative path: no leading `./`, no `..`, never absolute. */
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Modification time in seconds since the epoch. */
  readonly mtime: number;
  readonly data: Buffer;
}

export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function numeric(header: Buffer, start: number, length: number): number {
  const first = header[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256 encoding for values that do not fit in octal.
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (header[i] ?? 0);
    return value;
  }
  const text = field(header, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new UnsafeArchiveError(`not a tar stream (bad number \`${text}\`)`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(data.subarray(offset, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0)
      throw new UnsafeArchiveError('malformed pax header');
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
  return records;
}

/** Rejects absolute paths, `..`, NUL and backslashes; strips `./`. Returns '' for the root itself. */
export function safeEntryName(raw: string): string {
  if (raw.includes('\0') || raw.includes('\\'))
    throw new UnsafeArchiveError(`unsafe entry name \`${raw}\``);
  if (raw.startsWith('/')) throw new UnsafeArchiveError(`absolute entry name \`${raw}\``);
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafeArchiveError(`entry name with \`..\`: \`${raw}\``);
  return parts.join('/');
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  '7': 'contiguous file',
};

/**
 * Parses a whole tar stream. Throws on links, devices, unsafe names, a bad checksum or when the
 * regular files add up to more than maxBytes.
 */
export function parseTar(archive: Buffer, maxBytes: number): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let total = 0;
  let longName: string | undefined;
  let pax = new Map<string, string>();
  let globalPax = new Map<string, string>();
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    if (!checksumOk(header))
      throw new UnsafeArchiveError(`not a tar stream (bad header checksum at byte ${offset})`);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const headerSize = numeric(header, 124, 12);
    const size = Number(pax.get('size') ?? globalPax.get('size') ?? headerSize);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + (typeflag === '5' ? 0 : size);
    if (dataEnd > archive.length) throw new UnsafeArchiveError('truncated tar stream');
    const data = archive.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil((dataEnd - dataStart) / BLOCK) * BLOCK;

    if (typeflag === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (typeflag === 'g') {
      globalPax = parsePax(data);
      continue;
    }
    if (typeflag === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (typeflag === 'K') continue; // GNU long link name: the link itself is rejected below.

    const prefix = field(header, 345, 155);
    const shortName = field(header, 0, 100);
    const rawName =
      pax.get('path') ??
      longName ??
      (prefix && header.subarray(257, 262).toString() === 'ustar'
        ? `${prefix}/${shortName}`
        : shortName);
    const mtime = Number(pax.get('mtime') ?? numeric(header, 136, 12));
    pax = new Map();
    longName = undefined;

    const forbidden = TYPE_NAMES[typeflag];
    if (forbidden !== undefined)
      throw new UnsafeArchiveError(`${forbidden} \`${rawName}\` in the archive`);
    if (typeflag !== '0' && typeflag !== '\0' && typeflag !== '5') {
      throw new UnsafeArchiveError(`unsupported entry type \`${typeflag}\` for \`${rawName}\``);
    }
    const name = safeEntryName(rawName);
    if (typeflag === '5') {
      entries.push({ name, type: 'directory', mtime, data: Buffer.alloc(0) });
      continue;
    }
    if (name === '') throw new UnsafeArchiveError('a file entry without a name');
    total += size;
    if (total > maxBytes)
      throw new UnsafeArchiveError(`archive holds more than ${maxBytes} bytes of files`);
    entries.push({ name, type: 'file', mtime, data });
  }
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
    if (
      outName.includes('/') ||
      outName === '' ||
      outName === '.' ||
      outName === '..' ||
      used.has(outName)
    ) {
      throw new UnsafeArchiveError(`refusing to write \`${outName}\``);
    }
    used.add(outName);
    const path = join(dir, outName);
    await writeFile(path, entry.data, { flag: 'wx', mode: 0o644 });
    if (entry.mtime > 0) await utimes(path, entry.mtime, entry.mtime);
    written.push({ path, bytes: entry.data.length, mtime: entry.mtime });
  }
  return written;
}
