/** `extra-data`: other coverage.py data files (e.g. the unit-test job's) to combine into the reports. */
import * as glob from '@actions/glob';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';

const GLOB_CHARS = /[*?[\]{}!]/;
const SQLITE_SIDE_FILES = /-(journal|wal|shm)$/;

/** coverage.py's data file names: `.coverage` and the parallel `.coverage.<suffix>` files. */
export function isCoverageDataName(name: string): boolean {
  return (name === '.coverage' || name.startsWith('.coverage.')) && !SQLITE_SIDE_FILES.test(name);
}

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The data files the `extra-data` patterns name, each once, in pattern order. A pattern that is a
 * plain path to a file is taken whatever the file's name; globs and directories yield coverage.py
 * data files only (`.coverage`, `.coverage.*`). Files under `outputDir` (this action's own) are
 * never taken. A pattern that matches nothing is an error: the combined figures would silently
 * leave out the tests it stands for.
 */
export async function resolveExtraData(
  patterns: readonly string[],
  workspace: string,
  outputDir: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const pattern of patterns) {
    const absolute = isAbsolute(pattern) ? pattern : join(workspace, pattern);
    const matched: string[] = [];
    if (!GLOB_CHARS.test(pattern) && (await isFile(absolute))) {
      matched.push(absolute);
    } else {
      const globber = await glob.create(absolute, {
        matchDirectories: false,
        implicitDescendants: true,
      });
      for (const file of await globber.glob()) {
        if (isCoverageDataName(basename(file)) && (await isFile(file))) matched.push(file);
      }
    }
    const taken = matched.filter((file) => !inside(file, outputDir));
    if (taken.length === 0) {
      throw new Error(
        `input \`extra-data\` has \`${pattern}\`, which matches no coverage data file (\`.coverage\` or \`.coverage.*\`) outside \`output-dir\`; download the other job's coverage data before this step (e.g. actions/download-artifact) or fix the path`,
      );
    }
    for (const file of taken.sort()) if (!found.includes(file)) found.push(file);
  }
  return found;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
