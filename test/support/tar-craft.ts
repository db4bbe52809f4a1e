// Tar streams built by hand, byte by byte, for the tests of the reader: entries of any type and
// name, pax records, and headers whose size field says anything.
import { createHash } from 'node:crypto';

export interface Entry {
  name: string;
  type?: string;
  data?: string;
  linkname?: string;
  mtime?: number;
  prefix?: string;
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

export function header(entry: Entry, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(entry.name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(entry.mtime ?? 1_700_000_000, 12), 136);
  block.write(entry.type ?? '0', 156);
  block.write(entry.linkname ?? '', 157, 100);
  block.write('ustar\u000000', 257);
  if (entry.prefix) block.write(entry.prefix, 345, 155);
  block.write('        ', 148);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148);
  return block;
}

export function tar(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    parts.push(header(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function pax(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 1;
      while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
      return `${length}${body}`;
    })
    .join('');
}

/** A packer's stream: the files, then the manifest that names them (as tarstream.py writes it). */
export function packed(
  files: readonly { name: string; data: string }[],
  skipped: readonly { name: string; size: number; reason: string }[] = [],
): Buffer {
  const manifest = {
    version: 1,
    files: files.map((f) => ({
      name: f.name,
      size: Buffer.byteLength(f.data),
      mtime: 1_700_000_000,
      sha256: createHash('sha256').update(f.data).digest('hex'),
    })),
    skipped,
  };
  return tar([
    ...files.map((f) => ({ name: f.name, data: f.data })),
    { name: '.pycov-harvest-manifest.json', data: JSON.stringify(manifest) },
  ]);
}
