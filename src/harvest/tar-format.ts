// The tar format as the reader needs it: header fields, numbers, checksums, pax records, and the
// names an entry may have. Everything here only reads; nothing touches the disk.
import { quoted } from '../shared/text.js';

const BLOCK = 512;

/** A tar stream that breaks a rule: unsafe, malformed, or over a bound. One sentence. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

export function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

export function numeric(header: Buffer, start: number, length: number): number {
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
    throw new UnsafeArchiveError(`not a tar stream (bad number ${quoted(text, 20)})`);
  return parseInt(text, 8);
}

export function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

export function parsePax(data: Buffer): Map<string, string> {
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
    throw new UnsafeArchiveError(`unsafe entry name ${quoted(raw)} (NUL or backslash)`);
  if (raw.startsWith('/')) throw new UnsafeArchiveError(`absolute entry name ${quoted(raw)}`);
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafeArchiveError(`entry name with \`..\`: ${quoted(raw)}`);
  return parts.join('/');
}

export const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  '7': 'contiguous file',
};
