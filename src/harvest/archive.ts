// The data files a target sent: checked against the manifest the packer wrote last (name, size,
// SHA-256 of the copy that was not torn by a concurrent save), then written out. A stream without
// a manifest was cut off. Files read from outside a stopped target (`docker cp`) have no manifest
// and are taken by name; the conversion step checks their contents with coverage.py.
import { createHash } from 'node:crypto';
import { dataFileEntryName } from '../data-files.js';
import { extractFiles, parseTar, type ExtractedFile, type TarEntry } from '../extract.js';
import type { SkippedFile } from '../remote/contract.js';
import { ContractError, arrayOf, int, num, object, str } from '../remote/schema.js';

export const MANIFEST_NAME = '.pycov-harvest-manifest.json';

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

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Verifies a packer's stream against its manifest and writes the good copies into destDir. */
export async function receivePacked(
  archive: Buffer,
  maxBytes: number,
  destDir: string,
  source: string,
  via: 'agent' | 'pack' = 'pack',
): Promise<ReceivedFiles> {
  const entries = parseTar(archive, maxBytes);
  const last = entries[entries.length - 1];
  if (last?.name !== MANIFEST_NAME) {
    throw new IncompleteArchiveError(
      `the data files from ${source} arrived without their manifest, so the stream was cut off (${archive.length} bytes); run the step again, and check the target's logs if it stopped meanwhile`,
    );
  }
  let manifest;
  try {
    manifest = manifestCheck(JSON.parse(last.data.toString('utf8')), 'manifest', 'pack');
  } catch (error) {
    if (error instanceof ContractError) throw error;
    throw new IncompleteArchiveError(`the manifest of the data files from ${source} is not JSON`);
  }
  const wanted = new Map(manifest.files.map((file) => [file.name, file]));
  const chosen = new Map<string, TarEntry>();
  for (const entry of entries) {
    const file = entry.type === 'file' ? wanted.get(entry.name) : undefined;
    if (file !== undefined && entry.data.length === file.size && sha256(entry.data) === file.sha256)
      chosen.set(entry.name, entry);
  }
  const lost = manifest.files.filter((file) => !chosen.has(file.name));
  if (lost.length > 0) {
    throw new IncompleteArchiveError(
      `${lost.length} data file(s) from ${source} do not match their manifest (${lost.map((f) => f.name).join(', ')}); the stream was damaged on the way, run the step again`,
    );
  }
  const files = await extractFiles([...chosen.values()], destDir, (entry) =>
    dataFileEntryName(entry.name, '') === undefined ? undefined : entry.name,
  );
  return { files, skipped: manifest.skipped, via };
}

/** Data files read from outside the target (`docker cp <id>:<dir>/. -`): taken by name. */
export async function receiveCopied(
  archive: Buffer,
  maxBytes: number,
  destDir: string,
  dataDir: string,
): Promise<ReceivedFiles> {
  const entries = parseTar(archive, maxBytes);
  const files = await extractFiles(entries, destDir, (entry) =>
    entry.data.length > 0 ? dataFileEntryName(entry.name, dataDir) : undefined,
  );
  const skipped = entries
    .filter(
      (entry) =>
        entry.type === 'file' &&
        entry.data.length === 0 &&
        dataFileEntryName(entry.name, dataDir) !== undefined,
    )
    .map((entry) => ({ name: entry.name, size: 0, reason: 'empty (0 bytes)' }));
  return { files, skipped, via: 'copy' };
}
