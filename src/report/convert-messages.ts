// What the conversion's findings mean for the user: one sentence each, with the fix.
import type { PathMapping } from '../inputs/types.js';
import { displayPath } from '../shared/paths.js';

/** One warning for measured files the reports leave out, or undefined when none. */
export function unmappedWarning(unmapped: readonly string[], count: number): string | undefined {
  if (count === 0) return undefined;
  const more = count > 5 ? ` and ${count - 5} more` : '';
  return `${count} measured file(s) map to nothing in the workspace (${unmapped.slice(0, 5).join(', ')}${more}), so the reports leave them out; if they are the service's own code, set \`path-map\` (e.g. \`/app=.\`) to map their container paths onto the checkout`;
}

/** One warning when `extra-data` files add nothing to the reports, or undefined. */
export function extraDataWarning(
  result: {
    readonly extraMeasured: number;
    readonly extraKept: number;
    readonly badFiles: readonly { readonly file: string }[];
  },
  extraData: readonly string[],
): string | undefined {
  const readable = extraData.filter((file) => !result.badFiles.some((bad) => bad.file === file));
  // Unreadable files are named one by one; files with workspace files measured add to the reports.
  if (readable.length === 0 || result.extraKept > 0) return undefined;
  if (result.extraMeasured === 0)
    return `the \`extra-data\` files measured no files, so they add nothing to the reports; check that they are the data files the other job wrote after its tests ran`;
  return `none of the ${result.extraMeasured} file(s) the \`extra-data\` files measured is in the workspace, so they add nothing to the reports; measure the other job in a checkout of this repository (or with \`relative_files = true\`), or set \`path-map\` for its paths`;
}

/** Why the reports would hold none of the service's code, in one sentence with the fix. */
export function nothingKeptMessage(
  result: { readonly measured: number; readonly unmapped: readonly string[] },
  pathMap: readonly PathMapping[],
): string {
  if (result.measured === 0)
    return 'the combined coverage data measured no files; check the coverage configuration of the services (`source`, `include`)';
  const example = result.unmapped[0] ?? '';
  if (pathMap.length > 0)
    return `none of the ${result.measured} measured file(s) maps to a file in the workspace with \`path-map\` ${pathMap.map((m) => `${m.remote}=${m.local}`).join(', ')} (e.g. ${example}); check \`path-map\` and that the sources are checked out before this step`;
  return `none of the ${result.measured} measured file(s) is in the workspace (e.g. ${example}), so none of the service's own code was measured; check out the sources before this step and set \`path-map\` (e.g. \`/app=.\`) if the automatic mapping does not find them`;
}
/** A data file coverage.py would not add to the others (e.g. line data into branch data). */
export function combineFailedMessage(
  failed: { file: string; error: string },
  extraData: readonly string[],
  workspace: string,
): string {
  if (extraData.includes(failed.file)) {
    return `the \`extra-data\` file ${displayPath(failed.file, workspace)} cannot be combined with the E2E data (${failed.error}); measure the unit tests and the services the same way, both with \`branch = true\` or both without`;
  }
  return `data file ${displayPath(failed.file, workspace)} cannot be combined with the other data files (${failed.error}); measure every service the same way, all with \`branch = true\` or all without`;
}
