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
