// Numbers as the log, the summary and the outputs show them.

/**
 * Two decimals, never rounded up to 100.00 or down to 0.00 unless exactly so (as coverage.py
 * avoids showing 100% for a file that misses a line).
 */
export function formatPercent(value: number): string {
  const text = value.toFixed(2);
  if (text === '100.00' && value < 100) return '99.99';
  if (text === '0.00' && value > 0) return '0.01';
  return text;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
