// The data files a target sends, received as they arrive: each file goes straight to disk (so
// memory stays flat however large the data), then is kept only when it checks out. A packer's
// stream (the agent's `GET /data`, the in-target `harvest` program) ends with a manifest naming
// each file's size and SHA-256 of the copy no concurrent save tore; a stream without it was cut
// off. Files read from outside a stopped target (`docker cp`) have no manifest and are taken by
// name; the conversion step checks their contents with coverage.py.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dataFileEntryName, isDataFileName } from './data-files.js';
import { assertPlainName, type ExtractedFile } from './extract.js';
import { TarReader, type TarHeader } from './tar-reader.js';
import type { SkippedFile } from '../remote/contract.js';
import type { Target } from '../targets/target.js';
import { ContractError, arrayOf, int, num, object, str } from '../remote/schema.js';

export const MANIFEST_NAME = '.pycov-harvest-manifest.json';
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const manifestCheck = object({
  version: int,
  files: arrayOf(object({ name: str, size: int, mtime: num, sha256: str })),
  skipped: arrayOf(object({ name: str, size: int, reason: str })),
});

export interface ReceivedFiles {
  readonly files: readonly ExtractedFile[];
  /** How they came: the agent's `GET /data`, the in-target packer, or a copy from outside. */
  readonly via: 'agent' | 'pack' | 'copy';
  /** Files that stayed in the target, with the packer's reason. */
  readonly skipped: readonly SkippedFile[];
}

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
  private manifest: Buffer[] | undefined;
  private manifestBytes = 0;
  private failure: unknown;
  private bytes = 0;

  constructor(
    private readonly destDir: string,
    maxBytes: number,
    private readonly source: string,
    private readonly via: ReceivedFiles['via'],
    /** Only for `copy`: the data directory the entries are named relative to. */
    private readonly dataDir = '',
  ) {
    mkdirSync(destDir, { recursive: true });
    this.incomingDir = join(destDir, '.incoming');
    rmSync(this.incomingDir, { recursive: true, force: true });
    mkdirSync(this.incomingDir);
    this.reader = new TarReader(maxBytes, (header) => this.sinkFor(header));
  }

  /** Bytes of the stream seen so far. */
  get received(): number {
    return this.bytes;
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
    try {
      if (this.failure !== undefined) throw this.failure;
      this.reader.end();
      return this.via === 'copy' ? this.keepByName() : this.keepByManifest();
    } finally {
      rmSync(this.incomingDir, { recursive: true, force: true });
    }
  }

  /** Nothing came after all (the program did not pack): leave no trace. */
  discard(): void {
    rmSync(this.incomingDir, { recursive: true, force: true });
  }

  private sinkFor(header: TarHeader): { write(chunk: Buffer): void; close(): void } | undefined {
    if (this.via !== 'copy' && header.name === MANIFEST_NAME) {
      this.manifest = [];
      return {
        write: (chunk) => {
          this.manifestBytes += chunk.length;
          if (this.manifestBytes > MAX_MANIFEST_BYTES)
            throw new IncompleteArchiveError(`the manifest from ${this.source} is too large`);
          this.manifest?.push(Buffer.from(chunk));
        },
        close: () => undefined,
      };
    }
    const wanted =
      this.via === 'copy'
        ? dataFileEntryName(header.name, this.dataDir) !== undefined && header.size > 0
        : isDataFileName(header.name);
    if (!wanted) return undefined;
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
    const chosen = manifest.files.map((file) => ({
      file,
      copy: this.incoming.find(
        (c) =>
          c.header.name === file.name && c.header.size === file.size && c.sha256 === file.sha256,
      ),
    }));
    const lost = chosen.filter((c) => c.copy === undefined).map((c) => c.file.name);
    if (lost.length > 0) {
      throw new IncompleteArchiveError(
        `${lost.length} data file(s) from ${this.source} do not match their manifest (${lost.join(', ')}); the stream was damaged on the way, run the step again`,
      );
    }
    const files = this.keep(chosen.flatMap((c) => (c.copy === undefined ? [] : [c.copy])));
    return { files, skipped: manifest.skipped, via: this.via };
  }

  private keepByName(): ReceivedFiles {
    const files = this.keep(this.incoming);
    return { files, skipped: [], via: this.via };
  }

  private keep(copies: readonly Incoming[]): ExtractedFile[] {
    const used = new Set<string>();
    return copies.map((copy) => {
      const name =
        this.via === 'copy'
          ? (dataFileEntryName(copy.header.name, this.dataDir) ?? '')
          : copy.header.name;
      assertPlainName(name, used);
      used.add(name);
      const path = join(this.destDir, name);
      renameSync(copy.path, path);
      if (copy.header.mtime > 0) utimesSync(path, copy.header.mtime, copy.header.mtime);
      return { path, bytes: copy.header.size, mtime: copy.header.mtime };
    });
  }
}

/** The data directory read from outside the target (`docker cp`), streamed to disk. */
export async function copyFromOutside(
  target: Target,
  settings: { readonly dataDir: string; readonly maxBytes: number },
  destDir: string,
): Promise<ReceivedFiles> {
  if (target.copyFromOutside === undefined)
    throw new Error(`${target.label}: its files cannot be read from outside`);
  const receiver = new DataReceiver(
    destDir,
    settings.maxBytes,
    target.label,
    'copy',
    settings.dataDir,
  );
  try {
    await target.copyFromOutside(settings.dataDir, settings.maxBytes, (chunk) =>
      receiver.push(chunk),
    );
  } catch (error) {
    receiver.discard();
    throw error;
  }
  return receiver.finish();
}
