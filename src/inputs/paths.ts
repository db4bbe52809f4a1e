// Inputs that name paths, on the runner (`output-dir`, `baseline`, `extra-data`, the local side of
// `path-map`) or inside the targets (`data-dir`).
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { InputError, splitList, trimSlash } from './parse.js';
import type { PathMapping } from './types.js';

/** `container-prefix=workspace-path` items; workspace paths resolve against the workspace. */
export function parsePathMap(input: string, value: string, workspace: string): PathMapping[] {
  return splitList(value).map((item) => {
    const at = item.indexOf('=');
    const remote = at < 0 ? '' : item.slice(0, at).trim();
    const local = at < 0 ? '' : item.slice(at + 1).trim();
    if (remote === '' || local === '' || !remote.startsWith('/')) {
      throw new InputError(
        input,
        `has \`${item}\``,
        'write each entry as `/absolute/container/prefix=workspace/path`, e.g. `/app=.`',
      );
    }
    return { remote: trimSlash(remote), local: resolve(workspace, local) };
  });
}
/** The deepest existing ancestor of `path`, with symbolic links resolved, plus the rest. */
function realpathOfNearest(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(existing.slice(parent.length).replace(/^\//, ''));
      existing = parent;
    }
  }
}

/**
 * A directory inside the workspace (never the workspace itself): the action deletes and
 * rewrites what it puts there, and must never touch anything else.
 */
export function parseOutputDir(input: string, value: string, workspace: string): string {
  const text = value.trim() || 'coverage-harvest';
  const dir = isAbsolute(text) ? resolve(text) : resolve(workspace, text);
  const real = realpathOfNearest(dir);
  const realWorkspace = realpathOfNearest(workspace);
  const rel = relative(realWorkspace, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(
      input,
      `is \`${value}\`, which ${rel === '' ? 'is the workspace itself' : 'resolves outside the workspace'} (${real})`,
      'give a directory inside the workspace of its own, e.g. `coverage-harvest`',
    );
  }
  return dir;
}
export function parseDataDir(input: string, value: string): string {
  const dir = value.trim();
  if (!dir.startsWith('/')) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give an absolute path inside the targets, e.g. `/coverdata`',
    );
  }
  return trimSlash(dir);
}
/** `path` is `dir` or inside it, symbolic links resolved. */
function isWithin(path: string, dir: string): boolean {
  const rel = relative(realpathOfNearest(dir), realpathOfNearest(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** One file, never one the step itself rewrites (the head's own coverage.json is in output-dir). */
export function parseBaseline(
  input: string,
  value: string,
  workspace: string,
  outputDir: string,
): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (text.includes('\n')) {
    throw new InputError(
      input,
      `has ${text.split('\n').length} lines`,
      "give one file, the base branch's `coverage.json` or `.coverage`",
    );
  }
  const path = resolve(workspace, text);
  if (isWithin(path, outputDir)) {
    throw new InputError(
      input,
      `is \`${value}\`, inside \`output-dir\`, which this step rewrites`,
      "download the base branch's coverage to another directory, e.g. `baseline/`",
    );
  }
  return path;
}

/** Where a glob's files can be: its leading directories without a glob character. */
function globRoot(pattern: string): string {
  const parts = pattern.split('/');
  const at = parts.findIndex((part) => /[*?[\]]/.test(part));
  return at < 0 ? pattern : parts.slice(0, at).join('/') || '/';
}

/** Paths or globs of data files; none that @actions/glob reads otherwise, none in output-dir. */
export function parseExtraData(
  input: string,
  value: string,
  workspace: string,
  outputDir: string,
): string[] {
  const items = splitList(value);
  for (const item of items) {
    const why = item.startsWith('!')
      ? 'which begins with `!`, an exclusion this input does not take'
      : item.startsWith('#')
        ? 'which begins with `#`, which the glob matcher reads as a comment'
        : isWithin(resolve(workspace, globRoot(item)), outputDir)
          ? 'inside `output-dir`, where this step writes its own data'
          : undefined;
    if (why !== undefined) {
      throw new InputError(
        input,
        `has \`${item}\`, ${why}`,
        "give paths or globs of the other job's data files elsewhere, e.g. `unit-coverage/.coverage*`",
      );
    }
  }
  return items;
}
