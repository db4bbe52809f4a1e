import { isAbsolute, join, relative } from 'node:path';

/** A directory name for one target's files: readable, unique by index, never a path. */
export function targetDirName(index: number, label: string): string {
  const slug = label
    .replace(/^(container|pod)\s+/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 60);
  return `${String(index + 1).padStart(2, '0')}-${slug || 'target'}`;
}

export function dataDirOf(outputDir: string): string {
  return join(outputDir, 'data');
}

/** Workspace-relative when inside the workspace (what users paste into later steps), else absolute. */
export function displayPath(path: string, workspace: string): string {
  const rel = relative(workspace, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
