// What the conversion container sees of the runner, each at its own path and for one reason:
// the sources read-only (coverage.py parses them; the project's coverage config is among them),
// `output-dir` writable (the combined data and the reports, nothing else), the harvested data
// read-only inside it, and the runner's other inputs read-only where they lie outside both.
import { existsSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { dataDirOf } from '../shared/paths.js';
import type { Mount } from './conversion-container.js';

export interface MountedPaths {
  readonly workspace: string;
  readonly outputDir: string;
  readonly dataFiles: readonly string[];
  readonly extraDataFiles?: readonly string[] | undefined;
  readonly baseline?: { readonly dataFile: string; readonly sourceDir: string } | undefined;
  readonly coverageConfig?: string | undefined;
}

function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The mounts of a conversion run; `coverageDir` is the install run's coverage.py, read-only. */
export function conversionMounts(paths: MountedPaths, coverageDir?: string): Mount[] {
  const { workspace, outputDir } = paths;
  const mounts: Mount[] = [
    { path: workspace, writable: false },
    { path: outputDir, writable: true },
  ];
  const readOnly = (path: string): void => {
    if (!mounts.some((m) => m.path === path)) mounts.push({ path, writable: false });
  };
  const dataRoot = dataDirOf(outputDir);
  // The harvested files: only read (the convert program reads checked copies in its /tmp).
  if (existsSync(dataRoot)) readOnly(dataRoot);
  for (const file of paths.dataFiles) if (!within(file, dataRoot)) readOnly(file);
  const outside = (path: string): boolean =>
    !within(path, workspace) || (within(path, outputDir) && !within(path, dataRoot));
  const others = [
    ...(paths.extraDataFiles ?? []),
    ...(paths.baseline ? [paths.baseline.dataFile, paths.baseline.sourceDir] : []),
    ...(paths.coverageConfig ? [paths.coverageConfig] : []),
  ];
  for (const path of others) if (outside(path)) readOnly(path);
  if (coverageDir !== undefined) readOnly(coverageDir);
  return mounts;
}
