// What stayed in a target, as a few warnings however many files it was: one per reason, naming
// at most MAX_NAMED_FILES files and counting the rest, and at most MAX_SKIP_REASONS reasons. A
// data directory with 20,000 junk files gives one warning, not 20,000.
import type { SkippedFile } from '../remote/contract.js';
import { clipped, quoted } from '../shared/text.js';
import { MAX_NAMED_FILES, MAX_SKIP_REASONS } from './limits.js';

/** At most MAX_NAMED_FILES names, quoted, then how many more. */
export function someNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMED_FILES).map((n) => quoted(n));
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** Items grouped by a key, in the order the keys first came. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return [...groups.entries()];
}

/** The files named like data files that stayed in the target, grouped by reason. */
export function skippedWarnings(label: string, skipped: readonly SkippedFile[]): string[] {
  const data = skipped.filter((s) => s.name.startsWith('.coverage'));
  const groups = groupBy(data, (s) => s.reason);
  const warnings = groups.slice(0, MAX_SKIP_REASONS).map(([reason, files]) => {
    const first = files[0];
    return files.length === 1 && first !== undefined
      ? `${label}: data file ${quoted(first.name)} (${first.size} bytes) was not copied: ${clipped(reason)}`
      : `${label}: ${files.length} data files were not copied, ${clipped(reason)}: ${someNames(files.map((f) => f.name))}`;
  });
  const rest = groups.slice(MAX_SKIP_REASONS);
  if (rest.length > 0) {
    const files = rest.reduce((sum, [, group]) => sum + group.length, 0);
    warnings.push(
      `${label}: ${files} more data file(s) were not copied, for ${rest.length} other reasons`,
    );
  }
  return warnings;
}

/** Every warning about one target's copy: what stayed behind, and what was renamed. */
export function copyWarnings(
  label: string,
  received: {
    readonly skipped: readonly SkippedFile[];
    readonly renamed?: readonly { readonly sent: string }[];
  },
): string[] {
  const warnings = skippedWarnings(label, received.skipped);
  const renamed = received.renamed ?? [];
  if (renamed.length > 0)
    warnings.push(
      `${label}: ${renamed.length} data file(s) came with names coverage.py does not write (${someNames(renamed.map((r) => r.sent))}), so they are kept as .coverage.renamed-<n>`,
    );
  return warnings;
}

/** Registrations of the agent that the in-target program could not read, named a few at a time. */
export function malformedWarnings(
  label: string,
  malformed: readonly { name: string; reason: string }[],
): string[] {
  return groupBy(malformed, (m) => m.reason)
    .slice(0, MAX_SKIP_REASONS)
    .map(
      ([reason, bad]) =>
        `${label}: ignored ${bad.length} malformed agent registration(s) (${clipped(reason)}): ${someNames(bad.map((b) => b.name))}`,
    );
}
