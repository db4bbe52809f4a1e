import { MAX_FILE_NAME_CHARS } from './limits.js';

/** coverage.py data file names: `.coverage` or `.coverage.<suffix>`, never SQLite side files. */
export function isDataFileName(name: string): boolean {
  if (name !== '.coverage' && !name.startsWith('.coverage.')) return false;
  return !/-(journal|wal|shm)$/.test(name);
}

/**
 * The data file name of a tar entry read from a data directory, or undefined when the entry is
 * not a data file directly in it. `docker cp <id>:<dir>/. -` names entries `./<file>`; some
 * engines put the directory's own name first (`coverdata/<file>`), which is accepted too.
 */
export function dataFileEntryName(entryName: string, dataDir: string): string | undefined {
  const parts = entryName.split('/');
  const dirName = dataDir
    .split('/')
    .filter((part) => part !== '')
    .pop();
  const name =
    parts.length === 1
      ? parts[0]
      : parts.length === 2 && parts[0] === dirName
        ? parts[1]
        : undefined;
  return name !== undefined && isDataFileName(name) ? name : undefined;
}

/** The names coverage.py writes (`.coverage`, `.coverage.<host>.<pid>.<random>`), and no others. */
const PLAIN_DATA_FILE = /^\.coverage(\.[A-Za-z0-9_.-]+)?$/;

/**
 * The runner's own name for a data file: the name it came with when coverage.py could have
 * written it (and it is free), else `.coverage.renamed-<n>`. No name a target sends can hold a
 * line break, a path or a workflow command on the runner's disk.
 */
export function runnerFileName(sent: string, used: ReadonlySet<string>): string {
  if (sent.length <= MAX_FILE_NAME_CHARS && PLAIN_DATA_FILE.test(sent) && !used.has(sent))
    return sent;
  for (let n = 1; ; n++) {
    const name = `.coverage.renamed-${n}`;
    if (!used.has(name)) return name;
  }
}
