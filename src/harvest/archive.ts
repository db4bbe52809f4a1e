// The data files a target sends, received as they arrive: each file goes straight to disk (so
// memory stays flat however large the data), then is kept only when it checks out. A packer's
// stream (the agent's `GET /data`, the in-target `harvest` program) ends with a manifest naming
// each file's size and SHA-256 of the copy no concurrent save tore; a stream without it was cut
// off. Files read from outside a stopped target (`docker cp`) have no manifest and are taken by
// name; the conversion step checks their contents with coverage.py. Every bound is in limits.ts;
// the runner names the files it writes itself (runnerFileName).
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { quoted } from '../shared/text.js';
import { someNames } from './skipped.js';
import type { ByteBudget } from './byte-budget.js';
import { dataFileEntryName, isDataFileName, runnerFileName } from './data-files.js';
import type { ExtractedFile } from './extract.js';
import {
  MAX_DATA_FILE_BYTES,
  MAX_DATA_FILES_PER_TARGET,
  MAX_ENTRIES_PER_STREAM,
} from './limits.js';
import { TarReader, UnsafeArchiveError, type FileSink, type TarHeader } from './tar-reader.js';
import type { SkippedFile } from '../remote/contract.js';
import { ContractError, arrayOf, int, num, object, str } from '../remote/schema.js';

export const MANIFEST_NAME = '.pycov-harvest-manifest.json';
/** The manifest lists every file with its hash, and every file left behind: 16 MiB is ample. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const manifestCheck = object({
  version: int,
  files: arrayOf(object({ name: str, size: int, mtime: num, sha256: str })),
  skipped: arrayOf(object({ name: str, size: int, reason: str })),
});

/** A data file the runner keeps under another name than the one it was sent with. */
export interface RenamedFile {
  readonly sent: string;
  readonly kept: string;
}

export interface ReceivedFiles {
  readonly files: readonly ExtractedFile[];
  /** How they came: the agent's `GET /data`, the in-target packer, or a copy from outside. */
  readonly via: 'agent' | 'pack' | 'copy';
  /** Files that stayed in the target, with the packer's reason (or the reader's, for a copy). */
  readonly skipped: readonly SkippedFile[];
  /** Files whose names coverage.py does not write, kept under the runner's own names. */
  readonly renamed?: readonly RenamedFile[];
}

/** What one target's stream may hold: its byte bound, and the run's shared budget. */
export interface CopyBounds {
  readonly maxBytes: number;
  readonly budget?: ByteBudget;
}

/** A stream that was cut off or damaged on the way (no manifest, or files that do not match it). */
export class IncompleteArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteArchiveError';
  }
}

interface Incoming {
  readonly header: TarHeader;
  readonly path: string;
  readonly sha256: string;
}

/**
 * Receives one tar stream into `destDir`: `push` each chunk as it arrives (it never throws; a
 * bad stream is reported by `finish`), then `finish` keeps the files that check out.
 */
export class DataReceiver {
  private readonly incomingDir: string;
  private readonly reader: TarReader;
  private readonly incoming: Incoming[] = [];
  private readonly special: SkippedFile[] = [];
  private manifest: Buffer[] | undefined;
  private manifestBytes = 0;
  private failure: unknown;
  private bytes = 0;
  private charged = 0;

  constructor(
    private readonly destDir: string,
    private readonly bounds: CopyBounds,
    private readonly source: string,
    private readonly via: ReceivedFiles['via'],
    /** Only for `copy`: the data directory the entries are named relative to. */
    private readonly dataDir = '',
  ) {
    mkdirSync(destDir, { recursive: true });
    this.incomingDir = join(destDir, '.incoming');
    rmSync(this.incomingDir, { recursive: true, force: true });
    mkdirSync(this.incomingDir);
    this.reader = new TarReader(
      {
        maxBytes: bounds.maxBytes,
        maxFileBytes: MAX_DATA_FILE_BYTES,
        maxEntries: MAX_ENTRIES_PER_STREAM,
        // A packer never sends links or devices; a stopped target's data directory may hold them.
        special: via === 'copy' ? 'skip' : 'refuse',
      },
      {
        onFile: (header) => this.sinkFor(header),
        onSpecial: (name, kind) => this.skipSpecial(name, kind),
      },
    );
  }

  /** Bytes of the stream seen so far. */
  get received(): number {
    return this.bytes;
  }

  /** Whether the stream was refused already: what follows need not be read. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    this.bytes += chunk.length;
    try {
      this.reader.push(chunk);
    } catch (error) {
      this.failure = error;
    }
  }

  /** Keeps what checks out, names what stayed behind, removes everything else. */
  finish(): ReceivedFiles {
    let kept = 0;
    try {
      if (this.failure !== undefined) throw this.failure;
      this.reader.end();
      const received = this.via === 'copy' ? this.keepByName() : this.keepByManifest();
      kept = received.files.reduce((sum, f) => sum + f.bytes, 0);
      return received;
    } finally {
      this.bounds.budget?.give(this.charged - kept);
      rmSync(this.incomingDir, { recursive: true, force: true });
    }
  }

  /** Nothing came after all (the program did not pack), or the stream failed: leave no trace. */
  discard(): void {
    this.bounds.budget?.give(this.charged);
    this.charged = 0;
    rmSync(this.incomingDir, { recursive: true, force: true });
  }

  private sinkFor(header: TarHeader): FileSink | undefined {
    if (this.via !== 'copy' && header.name === MANIFEST_NAME) return this.manifestSink();
    const wanted =
      this.via === 'copy'
        ? dataFileEntryName(header.name, this.dataDir) !== undefined && header.size > 0
        : isDataFileName(header.name);
    if (!wanted) return undefined;
    if (this.incoming.length >= MAX_DATA_FILES_PER_TARGET)
      throw new UnsafeArchiveError(
        `the archive holds more than ${MAX_DATA_FILES_PER_TARGET} data files, the bound of one target`,
      );
    this.bounds.budget?.take(header.size, `entry ${quoted(header.name)}`);
    this.charged += header.size;
    const path = join(this.incomingDir, String(this.incoming.length));
    const fd = openSync(path, 'wx', 0o644);
    const hash: Hash = createHash('sha256');
    return {
      write: (chunk) => {
        hash.update(chunk);
        let at = 0;
        while (at < chunk.length) at += writeSync(fd, chunk, at);
      },
      close: () => {
        closeSync(fd);
        this.incoming.push({ header, path, sha256: hash.digest('hex') });
      },
    };
  }

  private manifestSink(): FileSink {
    this.manifest = [];
    return {
      write: (chunk) => {
        this.manifestBytes += chunk.length;
        if (this.manifestBytes > MAX_MANIFEST_BYTES)
          throw new UnsafeArchiveError(
            `the manifest from ${this.source} is larger than ${MAX_MANIFEST_BYTES} bytes, the bound of one`,
          );
        this.manifest?.push(Buffer.from(chunk));
      },
      close: () => undefined,
    };
  }

  /** A link, device or FIFO in a stopped target's data directory: left there, with the reason. */
  private skipSpecial(entryName: string, kind: string): void {
    const name = dataFileEntryName(entryName, this.dataDir);
    if (name !== undefined) this.special.push({ name, size: 0, reason: `a ${kind}` });
  }

  private keepByManifest(): ReceivedFiles {
    if (this.manifest === undefined) {
      throw new IncompleteArchiveError(
        `the data files from ${this.source} arrived without their manifest, so the stream was cut off (${this.bytes} bytes); run the step again, and check the target's logs if it stopped meanwhile`,
      );
    }
    let manifest;
    try {
      manifest = manifestCheck(
        JSON.parse(Buffer.concat(this.manifest).toString('utf8')),
        'manifest',
        'pack',
      );
    } catch (error) {
      if (error instanceof ContractError) throw error;
      throw new IncompleteArchiveError(
        `the manifest of the data files from ${this.source} is not JSON`,
      );
    }
    const byName = new Map<string, Incoming[]>();
    for (const copy of this.incoming) {
      const same = byName.get(copy.header.name);
      if (same === undefined) byName.set(copy.header.name, [copy]);
      else same.push(copy);
    }
    const chosen = manifest.files.map((file) => ({
      file,
      copy: byName
        .get(file.name)
        ?.find((c) => c.header.size === file.size && c.sha256 === file.sha256),
    }));
    const lost = chosen.filter((c) => c.copy === undefined).map((c) => c.file.name);
    if (lost.length > 0) {
      throw new IncompleteArchiveError(
        `${lost.length} data file(s) from ${this.source} do not match their manifest (${someNames(lost)}); the stream was damaged on the way, run the step again`,
      );
    }
    return this.keep(
      chosen.flatMap((c) => (c.copy === undefined ? [] : [c.copy])),
      manifest.skipped,
    );
  }

  private keepByName(): ReceivedFiles {
    return this.keep(this.incoming, this.special);
  }

  private keep(copies: readonly Incoming[], skipped: readonly SkippedFile[]): ReceivedFiles {
    const used = new Set<string>();
    const renamed: RenamedFile[] = [];
    const files = copies.map((copy) => {
      const sent =
        this.via === 'copy'
          ? (dataFileEntryName(copy.header.name, this.dataDir) ?? '')
          : copy.header.name;
      const name = runnerFileName(sent, used);
      used.add(name);
      if (name !== sent) renamed.push({ sent, kept: name });
      const path = join(this.destDir, name);
      renameSync(copy.path, path);
      if (copy.header.mtime > 0) utimesSync(path, copy.header.mtime, copy.header.mtime);
      return { path, bytes: copy.header.size, mtime: copy.header.mtime };
    });
    return { files, skipped, via: this.via, ...(renamed.length > 0 ? { renamed } : {}) };
  }
}

/**
 * A refused stream of the packer inside the target or of a copy from outside, as one sentence:
 * nothing else reads those files, so the target's data is left out (its harvest fails alone).
 */
export function refusedData(error: unknown, what: string): unknown {
  if (!(error instanceof UnsafeArchiveError)) return error;
  return new UnsafeArchiveError(
    `refused ${what} (${error.message}); its data is left out, check what was planted in its data directory`,
  );
}
