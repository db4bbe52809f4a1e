// Inputs that say where the project's Python lives in the checkout: `working-directory` (where
// coverage.py runs for the reports) and `coverage-config` (the project's coverage config file).
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError } from './parse.js';
import type { InputReader, Inputs } from './types.js';

function kindOf(path: string): 'file' | 'directory' | 'missing' | 'other' {
  try {
    const stat = statSync(path);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/** A directory inside the workspace (the workspace itself by default, checked only when named). */
export function parseWorkingDirectory(input: string, value: string, workspace: string): string {
  const text = value.trim();
  if (text === '') return workspace;
  const dir = resolve(workspace, text);
  const rel = relative(workspace, dir);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(
      input,
      `is \`${value}\`, outside the workspace (${dir})`,
      'give a directory of the checkout, relative to the workspace, e.g. `services/api`',
    );
  }
  if (kindOf(dir) !== 'directory') {
    throw new InputError(
      input,
      `is \`${value}\`, which is not a directory (${dir})`,
      'check out the sources before this step, and give the directory of the Python project, e.g. `services/api`',
    );
  }
  return dir;
}

/** A file (relative to the workspace, or absolute), or undefined: coverage.py's own search. */
export function parseCoverageConfig(
  input: string,
  value: string,
  workspace: string,
): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const file = resolve(workspace, text);
  if (kindOf(file) !== 'file') {
    throw new InputError(
      input,
      `names ${file}, which is not a file`,
      "give the path of the project's .coveragerc, setup.cfg, tox.ini or pyproject.toml, relative to the workspace",
    );
  }
  return file;
}

/** `coverage-config` and `working-directory`. */
export function parseProjectInputs(
  read: InputReader,
  workspace: string,
): Pick<Inputs, 'coverageConfig' | 'workingDirectory'> {
  return {
    coverageConfig: parseCoverageConfig('coverage-config', read('coverage-config'), workspace),
    workingDirectory: parseWorkingDirectory(
      'working-directory',
      read('working-directory'),
      workspace,
    ),
  };
}
