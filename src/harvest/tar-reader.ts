// Reads tar streams that come out of targets (the agent's `GET /data`, the in-target packer,
// `docker cp <id>:<dir>/. -`) as they arrive, and writes only safe, wanted entries. The stream
// comes from a service we do not control, so every entry is checked before anything touches the
// disk, and nothing is held in memory but one header at a time.

const BLOCK = 512;
/** pax and GNU long-name records are small; anything larger is not what a packer writes. */
const MAX_META_BYTES = 1024 * 1024;

export interface TarEntry {
  /** Normalized relative path: no leading `./`, no `..`, never absolute. */
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Modification time in seconds since the epoch. */
  readonly mtime: number;
  readonly data: Buffer;
}

/** An entry's header, before its data arrives. */
export interface TarHeader {
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly mtime: number;
  readonly size: number;
}

/** Takes one file entry's data as it arrives. */
export interface FileSink {
  write(chunk: Buffer): void;
  close(): void;
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

type State =
  | { readonly kind: 'header' }
  | { readonly kind: 'meta'; readonly typeflag: string; readonly size: number }
  | { readonly kind: 'data'; remaining: number; readonly sink: FileSink | undefined }
  | { kind: 'pad'; remaining: number }
  | { readonly kind: 'done' };

/**
 * A tar stream read chunk by chunk. `onFile` is asked for a sink per file entry (undefined skips
 * it); `onDirectory` hears of directories. Throws on links, devices, unsafe names, a bad
 * checksum, a stream that ends inside an entry, or files adding up to more than maxBytes.
 */
export class TarReader {
  private state: State = { kind: 'header' };
  private pending: Buffer = Buffer.alloc(0);
  private total = 0;
  private offset = 0;
  private longName: string | undefined;
  private pax = new Map<string, string>();
  private globalPax = new Map<string, string>();

  constructor(
    private readonly maxBytes: number,
    private readonly onFile: (header: TarHeader) => FileSink | undefined,
    private readonly onDirectory: (header: TarHeader) => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      const state = this.state;
      if (state.kind === 'done') return;
      if (state.kind === 'data') {
        const take = Math.min(state.remaining, data.length);
        state.sink?.write(data.subarray(0, take));
        state.remaining -= take;
        data = data.subarray(take);
        this.offset += take;
        if (state.remaining === 0) this.endEntry(state);
        continue;
      }
      if (state.kind === 'pad') {
        const take = Math.min(state.remaining, data.length);
        state.remaining -= take;
        data = data.subarray(take);
        this.offset += take;
        if (state.remaining === 0) this.state = { kind: 'header' };
        continue;
      }
      const need = state.kind === 'header' ? BLOCK : state.size;
      if (data.length < need) {
        this.pending = Buffer.from(data);
        return;
      }
      const block = data.subarray(0, need);
      data = data.subarray(need);
      if (state.kind === 'header') this.header(block);
      else this.meta(state.typeflag, block);
      this.offset += need;
    }
  }

  /** The stream ended: it must not end inside an entry. */
  end(): void {
    const state = this.state;
    if (state.kind === 'done' || (state.kind === 'header' && this.pending.length === 0)) return;
    if (state.kind === 'pad' && state.remaining > 0 && this.pending.length === 0) {
      // Some writers leave out the last entry's padding before the end of the stream.
      return;
    }
    throw new UnsafeArchiveError('truncated tar stream');
  }

  private endEntry(state: { sink: FileSink | undefined; remaining: number }): void {
    state.sink?.close();
    const pad = (BLOCK - (this.offset % BLOCK)) % BLOCK;
    this.state = pad > 0 ? { kind: 'pad', remaining: pad } : { kind: 'header' };
  }

  private header(header: Buffer): void {
    if (header.every((byte) => byte === 0)) {
      this.state = { kind: 'done' };
      return;
    }
    if (!checksumOk(header))
      throw new UnsafeArchiveError(`not a tar stream (bad header checksum at byte ${this.offset})`);
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const size = Number(
      this.pax.get('size') ?? this.globalPax.get('size') ?? numeric(header, 124, 12),
    );
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (size > MAX_META_BYTES) throw new UnsafeArchiveError(`a ${size}-byte tar metadata record`);
      this.state = size > 0 ? { kind: 'meta', typeflag, size } : { kind: 'header' };
      if (size === 0) this.afterMeta(typeflag, Buffer.alloc(0));
      return;
    }
    const prefix = field(header, 345, 155);
    const shortName = field(header, 0, 100);
    const rawName =
      this.pax.get('path') ??
      this.longName ??
      (prefix && header.subarray(257, 262).toString() === 'ustar'
        ? `${prefix}/${shortName}`
        : shortName);
    const mtime = Number(this.pax.get('mtime') ?? numeric(header, 136, 12));
    this.pax = new Map();
    this.longName = undefined;

    const forbidden = TYPE_NAMES[typeflag];
    if (forbidden !== undefined)
      throw new UnsafeArchiveError(`${forbidden} \`${rawName}\` in the archive`);
    if (typeflag !== '0' && typeflag !== '\0' && typeflag !== '5') {
      throw new UnsafeArchiveError(`unsupported entry type \`${typeflag}\` for \`${rawName}\``);
    }
    const name = safeEntryName(rawName);
    if (typeflag === '5') {
      this.onDirectory({ name, type: 'directory', mtime, size: 0 });
      this.state = { kind: 'header' };
      return;
    }
    if (name === '') throw new UnsafeArchiveError('a file entry without a name');
    this.total += size;
    if (this.total > this.maxBytes)
      throw new UnsafeArchiveError(`archive holds more than ${this.maxBytes} bytes of files`);
    const sink = this.onFile({ name, type: 'file', mtime, size });
    this.state = { kind: 'data', remaining: size, sink };
    if (size === 0) this.endEntry(this.state);
  }

  private meta(typeflag: string, data: Buffer): void {
    this.afterMeta(typeflag, data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    this.state = pad > 0 ? { kind: 'pad', remaining: pad } : { kind: 'header' };
  }

  private afterMeta(typeflag: string, data: Buffer): void {
    if (typeflag === 'x') this.pax = parsePax(data);
    else if (typeflag === 'g') this.globalPax = parsePax(data);
    else if (typeflag === 'L') this.longName = data.toString('utf8').replace(/\0+$/, '');
    // 'K' (a GNU long link name): the link itself is refused when its header comes.
  }
}
