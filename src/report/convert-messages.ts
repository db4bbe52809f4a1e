// What the conversion's findings mean for the user: one sentence each, with the fix.
import type { PathMapping } from '../inputs/types.js';
import type { ConvertResult } from '../remote/contract.js';
import { displayPath } from '../shared/paths.js';
import { lastLine, quoted } from '../shared/text.js';
import type { Toolchain } from './toolchain.js';

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
/** A data file the conversion left out: `error` completes the sentence (one predicate). */
export function badFileWarning(
  bad: { readonly file: string; readonly size: number; readonly error: string },
  extraData: readonly string[],
  workspace: string,
): string {
  const what = extraData.includes(bad.file) ? '`extra-data` file' : 'data file';
  return `${what} ${displayPath(bad.file, workspace)} (${bad.size} bytes) ${bad.error}; it is left out`;
}

/** Measured names of one data file that are not plausible paths (the example comes escaped). */
export function droppedWarning(
  dropped: { readonly file: string; readonly count: number; readonly example: string },
  workspace: string,
): string {
  return `data file ${displayPath(dropped.file, workspace)}: ${dropped.count} measured file name(s) are not plausible paths (e.g. ${quoted(dropped.example)}), so they are left out; the rest of its data is used`;
}

/** Measured files one data file names another file tracer (plugin) for than the other data files. */
export function tracerConflictWarning(
  conflict: { readonly file: string; readonly count: number; readonly example: string },
  workspace: string,
): string {
  return `data file ${displayPath(conflict.file, workspace)}: ${conflict.count} measured file(s) have another file tracer (coverage plugin) there than in the other data files (e.g. ${quoted(conflict.example)}), so its data of them is left out; the rest of its data is used`;
}

/** The project's config coverage.py rejects, or a report that failed: one sentence with the fix. */
export function throwOnFailure(final: ConvertResult, image: string): void {
  if (final.config_error !== undefined) throw new Error(final.config_error);
  const failed = (final.steps ?? []).find((step) => step.exit !== 0);
  if (failed !== undefined) throw new Error(reportFailedMessage(failed, image, final.config_file));
}

export function reportFailedMessage(
  step: { readonly step: string; readonly output: string; readonly file?: string | null },
  image: string,
  configFile: string | null | undefined,
): string {
  const file = step.file ?? undefined;
  const config = configFile ?? "the project's coverage config";
  const output = lastLine(step.output);
  let fix: string;
  if (/No source for code/i.test(output)) {
    fix = `${file ?? 'the file it names'} is missing from the workspace: check it out before this step`;
  } else if (file?.endsWith('.py') === true && /parse|NotPython|SyntaxError/i.test(output)) {
    fix = `the workspace's ${file} is not Python this coverage.py can parse: check out the commit the service runs, or set \`[report] ignore_errors = true\` in ${config}`;
  } else {
    fix = `set \`[report] ignore_errors = true\` in ${config} to skip files coverage.py cannot report, or \`omit\` this one`;
  }
  return `\`coverage ${step.step}\` failed${file === undefined ? '' : ` on ${file}`} in ${image}: ${output}; ${fix}`;
}

/** pip could not install the coverage.py the inputs (or every target) asked for. */
export function installFailedMessage(
  toolchain: Toolchain,
  have: string | null | undefined,
  failure: string | undefined,
): string {
  const want = toolchain.coverageVersion;
  return `the conversion image \`${toolchain.image}\` has coverage ${have ?? '(none)'}, not ${want || '(any)'}, and \`pip install coverage${want ? `==${want}` : ''}\` failed in it (${failure ?? 'no output'}); set \`coverage-image\` to an image with coverage ${want} installed, or give the conversion container network access`;
}

/** The version the targets reported could not be installed: the image's own coverage.py is used. */
export function installFallbackWarning(
  toolchain: Toolchain,
  have: string,
  failure: string | undefined,
): string {
  return `the targets measured with coverage ${toolchain.coverageVersion}, which \`pip install\` could not put in the conversion image \`${toolchain.image}\` (${failure ?? 'no output'}); the reports are made with its coverage ${have} instead; set \`coverage-image\` or \`coverage-version\` to choose`;
}
