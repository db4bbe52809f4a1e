/** coverage.py data file names: `.coverage` or `.coverage.<suffix>`, never SQLite side files. */
export function isDataFileName(name: string): boolean {
  if (name !== '.coverage' && !name.startsWith('.coverage.')) return false;
  return !/-(journal|wal|shm)$/.test(name);
}
