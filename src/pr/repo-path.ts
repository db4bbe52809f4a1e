import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Where a file of coverage.py's report (workspace-relative, or absolute when outside the
 * workspace) lives in the repository, as git and GitHub name it (`/`-separated, from the
 * repository's top directory); undefined for a file outside the repository.
 */
export function repoPathOf(reportName: string, workspace: string, top: string): string | undefined {
  const rel = relative(top, resolve(workspace, reportName));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}
