/**
 * A small zip reader for tests: reads the central directory (so entries written with data
 * descriptors, as streaming zip writers do, work), inflates with node:zlib and checks each
 * entry's CRC-32 and size. Stored and deflated entries, zip64 sizes and offsets.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly directory: boolean;
  readonly data: Buffer;
  /** 0 stored, 8 deflated. */
  readonly method: number;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function readZip(zip: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(zip);
  let count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  if (offset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (zip.readUInt32LE(locator) !== ZIP64_EOCD_LOCATOR) throw new Error('zip64 locator missing');
    const record = Number(zip.readBigUInt64LE(locator + 8));
    if (zip.readUInt32LE(record) !== ZIP64_EOCD) throw new Error('zip64 end record missing');
    count = Number(zip.readBigUInt64LE(record + 32));
    offset = Number(zip.readBigUInt64LE(record + 48));
  }
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL) throw new Error(`bad central header ${i}`);
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    let compressed = zip.readUInt32LE(offset + 20);
    let size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    let local = zip.readUInt32LE(offset + 42);
    const nameBytes = zip.subarray(offset + 46, offset + 46 + nameLength);
    const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    const extra = zip.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength);
    ({ compressed, size, local } = applyZip64(extra, { compressed, size, local }));
    offset += 46 + nameLength + extraLength + commentLength;

    if (zip.readUInt32LE(local) !== LOCAL) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${name}: unsupported compression method ${method}`);
    if (data.length !== size) throw new Error(`${name}: size ${data.length}, header says ${size}`);
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch`);
    entries.push({ name, directory: name.endsWith('/'), data, method });
  }
  return entries;
}

/** The regular files of a zip by name. */
export function zipFiles(zip: Buffer): Map<string, Buffer> {
  return new Map(readZip(zip).flatMap((e) => (e.directory ? [] : [[e.name, e.data] as const])));
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const stop = Math.max(0, zip.length - 22 - 0xffff);
  for (let i = zip.length - 22; i >= stop; i--) {
    if (zip.readUInt32LE(i) === EOCD) return i;
  }
  throw new Error(`not a zip archive (${zip.length} bytes, no end-of-central-directory record)`);
}

function applyZip64(
  extra: Buffer,
  values: { compressed: number; size: number; local: number },
): { compressed: number; size: number; local: number } {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = (): number => {
        const v = Number(extra.readBigUInt64LE(field));
        field += 8;
        return v;
      };
      // Present only for the fields whose 32-bit value is 0xffffffff, in this order.
      const size = values.size === 0xffffffff ? next() : values.size;
      const compressed = values.compressed === 0xffffffff ? next() : values.compressed;
      const local = values.local === 0xffffffff ? next() : values.local;
      return { compressed, size, local };
    }
    at += 4 + length;
  }
  return values;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
