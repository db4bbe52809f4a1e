/**
 * The sticky pull request comment: one per pull request and `comment-key`, created on the first
 * run and updated in place on later ones. `auto` never fails the harvest over it; `always` does.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommentMode } from '../inputs/types.js';
import type { RunEvent } from '../pr/event.js';
import { errorText } from '../shared/text.js';
import { commentMarker, renderComment, type CommentInput } from './comment-body.js';
import type { PullRequestRef } from './github-comments.js';

/** Written to `output-dir` (and the artifact) for a comment posted from another workflow. */
export const COMMENT_FILE = 'pr-comment.md';
export const COMMENT_META_FILE = 'pr-comment.json';

export interface CommentSettings {
  readonly mode: CommentMode;
  readonly token: string;
  readonly key: string;
  readonly outputDir: string;
}

export interface CommentOutcome {
  /** The comment written or updated; undefined when none was. */
  readonly url: string | undefined;
  readonly warnings: readonly string[];
}

type Figures = Omit<CommentInput, 'marker'>;

/** Where the comment goes, or why there is none (a sentence for `always`, '' for `never`). */
export function commentTarget(
  settings: Pick<CommentSettings, 'mode'>,
  event: RunEvent,
  env: NodeJS.ProcessEnv,
): PullRequestRef | { readonly skip: string } {
  if (settings.mode === 'never') return { skip: '' };
  const pr = event.pullRequest;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (pr === undefined) {
    return {
      skip: `this run's event is \`${env.GITHUB_EVENT_NAME ?? '(none)'}\`, not a pull request, so there is no pull request to comment on`,
    };
  }
  if (pr.number === undefined || !owner || !repo) {
    return {
      skip: 'the event payload or `GITHUB_REPOSITORY` does not say which pull request this is, so there is nothing to comment on',
    };
  }
  return { owner, repo, number: pr.number, fromFork: pr.fromFork === true };
}

/**
 * Writes the comment (and its metadata) into `output-dir`, for the artifact: a workflow that
 * cannot write to the pull request hands it to one that can (docs/action.md).
 */
export async function writeCommentFiles(
  settings: CommentSettings,
  target: PullRequestRef,
  figures: Figures,
): Promise<string[]> {
  const marker = commentMarker(settings.key);
  const body = join(settings.outputDir, COMMENT_FILE);
  const meta = join(settings.outputDir, COMMENT_META_FILE);
  await writeFile(body, renderComment({ ...figures, marker }), 'utf8');
  await writeFile(meta, `${JSON.stringify({ number: target.number, marker }, null, 2)}\n`, 'utf8');
  return [body, meta];
}

/** Creates or updates this job's comment; in `auto` a failure is a warning, in `always` it throws. */
export async function postComment(
  settings: CommentSettings,
  target: PullRequestRef,
  figures: Figures,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<CommentOutcome> {
  const fail = (message: string): CommentOutcome => {
    if (settings.mode === 'always') throw new Error(`\`comment: always\`: ${message}`);
    return { url: undefined, warnings: [message] };
  };
  if (settings.token === '') {
    const why =
      'no `github-token` was given, so the pull request comment is not written; pass `github-token: ${{ github.token }}` (the default) or set `comment: never`';
    if (settings.mode === 'always') return fail(why);
    log(why);
    return { url: undefined, warnings: [] };
  }
  const marker = commentMarker(settings.key);
  const body = renderComment({ ...figures, marker });
  // The API client is large: loaded only when a comment is written.
  const { CommentError, CommentsApi } = await import('./github-comments.js');
  const api = new CommentsApi(settings.token, env.GITHUB_API_URL || 'https://api.github.com');
  try {
    const own = await api.findOwn(target, marker);
    const url =
      own === undefined ? await api.create(target, body) : await api.update(target, own.id, body);
    log(
      `${own === undefined ? 'commented on' : 'updated the comment on'} pull request #${target.number}: ${url}`,
    );
    return { url, warnings: [] };
  } catch (error) {
    if (!(error instanceof CommentError))
      return fail(`the pull request comment failed: ${errorText(error)}`);
    return fail(error.message);
  }
}
