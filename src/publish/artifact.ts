/** Uploads the reports as one workflow artifact with the official @actions/artifact client. */
import { DefaultArtifactClient } from '@actions/artifact';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface UploadedArtifact {
  readonly id: number;
  /** The artifact's page on GitHub, when the run's repository and id are known. */
  readonly url: string | undefined;
}

/**
 * Uploads `files` (directories are taken with everything below them, e.g. the HTML report) as
 * the artifact `name`; paths inside the zip are relative to `rootDirectory`.
 */
export async function uploadReports(
  name: string,
  files: readonly string[],
  rootDirectory: string,
): Promise<UploadedArtifact> {
  requireArtifactRuntime();
  const paths = await expandDirectories(files);
  if (paths.length === 0) {
    throw new Error(
      `Nothing to upload as artifact "${name}": no report files were written. ` +
        'Check `formats`, or set `upload: false`.',
    );
  }
  let id: number | undefined;
  try {
    ({ id } = await new DefaultArtifactClient().uploadArtifact(name, paths, rootDirectory));
  } catch (error) {
    throw new Error(explainUploadError(name, error));
  }
  if (id === undefined) {
    throw new Error(
      `Uploading artifact "${name}" finished without an artifact id from the results service; ` +
        'rerun the job, or set `upload: false`.',
    );
  }
  return { id, url: artifactUrl(id) };
}

function requireArtifactRuntime(): void {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((v) => !process.env[v]);
  if (missing.length > 0) {
    throw new Error(
      `Cannot upload the artifact: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. ` +
        'GitHub sets them for steps of a workflow job on a runner; outside one, set `upload: false` ' +
        '(the reports stay in `output-dir`).',
    );
  }
}

async function expandDirectories(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new Error(`Cannot upload ${path}: it does not exist (a report that was not written?).`);
    }
    if (!info.isDirectory()) {
      out.push(resolve(path));
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (entry.isFile()) out.push(resolve(join(entry.parentPath, entry.name)));
    }
  }
  return [...new Set(out)].sort();
}

function explainUploadError(name: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `Uploading artifact "${name}" failed: ${message}`;
  if (/\(409\)|already exists/i.test(message)) {
    return `${prefix}. An artifact of that name already exists in this workflow run: give each job its own \`artifact-name\` (e.g. add the matrix values).`;
  }
  if (/GHES|GitHub Enterprise Server/i.test(message)) {
    return `${prefix}. Set \`upload: false\` and upload \`output-dir\` with actions/upload-artifact@v3 instead.`;
  }
  if (/is not a parent directory|does not exist|forbidden|invalid character/i.test(message)) {
    return `${prefix}. Report paths must lie under \`output-dir\` inside the workspace and avoid the characters " : < > | * ? \\r \\n.`;
  }
  return `${prefix}. Check the network from the runner to the results service, or set \`upload: false\`.`;
}

/** The artifact's page, as actions/upload-artifact reports it. */
function artifactUrl(id: number): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  if (!GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  const server = (GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  return `${server}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}/artifacts/${id}`;
}
