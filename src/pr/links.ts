/** Links from the summary to lines of the sources on GitHub. */

/** Where links point: `<server>/<owner>/<repo>/blob/<sha>/`, and each report file's repository path. */
export interface SourceLinks {
  readonly blobRoot: string;
  readonly repoPathOf: (reportName: string) => string | undefined;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Pure. Undefined when the runner does not say which repository or commit this is. */
export function sourceLinks(
  env: { readonly GITHUB_SERVER_URL?: string; readonly GITHUB_REPOSITORY?: string },
  sha: string | undefined,
  repoPathOf: (reportName: string) => string | undefined,
): SourceLinks | undefined {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (sha === undefined || !SHA.test(sha) || !REPOSITORY.test(repository)) return undefined;
  if (!/^https?:\/\/[^\s"<>]+$/.test(server)) return undefined;
  return { blobRoot: `${server}/${repository}/blob/${sha}/`, repoPathOf };
}

/** The URL of lines `from`-`to` (one line when equal) of a repository path. */
export function lineUrl(blobRoot: string, repoPath: string, from: number, to = from): string {
  const path = repoPath.split('/').map(encodeURIComponent).join('/');
  return `${blobRoot}${path}#L${from}${to === from ? '' : `-L${to}`}`;
}
