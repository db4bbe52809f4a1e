// Reads tar streams that come out of targets (the agent's `GET /data`, the in-target packer,
// `docker cp <id>:<dir>/. -`) as they arrive, and writes only safe, wanted entries. The stream
// comes from a service we do not control, so every entry is checked before anything touches the
// disk, and nothing is held in memory but one header at a time. Names in messages are quoted.
import { quoted } from '../shared/text.js';
import {
  checksumOk,
  field,
  numeric,
  parsePax,
  safeEntryName,
  TYPE_NAMES,
  UnsafeArchiveError,
} from './tar-format.js';

export { safeEntryName, UnsafeArchiveError } from './tar-format.js';

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

/** What one stream may hold. */
export interface TarLimits {
  /** Bytes of all file entries together. */
  readonly maxBytes: number;
  /** Bytes of one file entry (announced in its header). */
  readonly maxFileBytes?: number;
  /** Entries of every kind, skipped ones included. */
  readonly maxEntries?: number;
  /**
   * Links, devices and FIFOs: refused (no packer of ours writes them), or skipped and named to
   * `onSpecial` (`docker cp` of a data directory holds whatever the target planted there).
   */
  readonly special?: 'refuse' | 'skip';
}

/** What the reader hands its caller as entries arrive. */
export interface TarHandlers {
  /** A sink for a file entry's data, or undefined to skip it. */
  readonly onFile: (header: TarHeader) => FileSink | undefined;
  readonly onDirectory?: (header: TarHeader) => void;
  /** A link, device or FIFO skipped (with `special: 'skip'`): its normalized name, and its kind. */
  readonly onSpecial?: (name: string, kind: string) => void;
}

type State =
  | { readonly kind: 'header' }
  | { readonly kind: 'meta'; readonly typeflag: string; readonly size: number }
  | { readonly kind: 'data'; remaining: number; readonly sink: FileSink | undefined }
  | { kind: 'pad'; remaining: number }
  | { readonly kind: 'done' };

/**
 * A tar stream read chunk by chunk. `onFile` is asked for a sink per file entry (undefined skips
 * it); `onDirectory` hears of directories. Throws on unsafe names, links and devices (unless
 * skipped), a bad checksum, a stream that ends inside an entry, and anything over `limits`.
 */
export class TarReader {
  private state: State = { kind: 'header' };
  private pending: Buffer = Buffer.alloc(0);
  private total = 0;
  private entries = 0;
  private offset = 0;
  private longName: string | undefined;
  private pax = new Map<string, string>();
  private globalPax = new Map<string, string>();

  constructor(
    private readonly limits: TarLimits,
    private readonly handlers: TarHandlers,
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
    this.count();
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const size = Number(
      this.pax.get('size') ?? this.globalPax.get('size') ?? numeric(header, 124, 12),
    );
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (!(size <= MAX_META_BYTES))
        throw new UnsafeArchiveError(
          `a ${size}-byte tar metadata record, over the ${MAX_META_BYTES}-byte bound of one`,
        );
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

    if (!Number.isSafeInteger(size) || size < 0)
      throw new UnsafeArchiveError(`entry ${quoted(rawName)} has no valid size`);
    const special = TYPE_NAMES[typeflag];
    if (special !== undefined) return this.special(rawName, special, size);
    if (typeflag !== '0' && typeflag !== '\0' && typeflag !== '5') {
      throw new UnsafeArchiveError(
        `unsupported entry type ${quoted(typeflag)} for ${quoted(rawName)} in the archive`,
      );
    }
    const name = safeEntryName(rawName);
    if (typeflag === '5') {
      this.handlers.onDirectory?.({ name, type: 'directory', mtime, size: 0 });
      this.state = { kind: 'header' };
      return;
    }
    if (name === '') throw new UnsafeArchiveError('a file entry without a name');
    this.charge(rawName, size);
    const sink = this.handlers.onFile({ name, type: 'file', mtime, size });
    this.startData(size, sink);
  }

  /** One more entry, within the bound. */
  private count(): void {
    const max = this.limits.maxEntries;
    if (max !== undefined && ++this.entries > max)
      throw new UnsafeArchiveError(`the archive holds more than ${max} entries`);
  }

  /** A file's announced size, within the bound of one file and of all together. */
  private charge(rawName: string, size: number): void {
    const one = this.limits.maxFileBytes;
    if (one !== undefined && size > one)
      throw new UnsafeArchiveError(
        `entry ${quoted(rawName)} announces ${size} bytes, over the ${one}-byte bound of one data file`,
      );
    this.total += size;
    if (this.total > this.limits.maxBytes)
      throw new UnsafeArchiveError(
        `archive holds more than ${this.limits.maxBytes} bytes of files (at entry ${quoted(rawName)})`,
      );
  }

  private special(rawName: string, kind: string, size: number): void {
    if (this.limits.special !== 'skip')
      throw new UnsafeArchiveError(`${kind} ${quoted(rawName)} in the archive`);
    const name = safeEntryName(rawName);
    this.charge(rawName, size);
    this.handlers.onSpecial?.(name, kind);
    this.startData(size, undefined);
  }

  private startData(size: number, sink: FileSink | undefined): void {
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
