/**
 * The pull request's comments through GitHub's REST API (Octokit, from @actions/github): find
 * this job's own comment by its marker, create it, or update it in place. Every failure is one
 * sentence with the cause and the fix; a 5xx or a rate limit is tried once more.
 */
import { getOctokit } from '@actions/github';

type Octokit = ReturnType<typeof getOctokit>;

/** The pull request the comment belongs to. */
export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** The head branch is in a fork: the run's own token is read-only. */
  readonly fromFork: boolean;
}

/** Longest one API call may take. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Longest wait before the one retry after a rate limit; a longer reset is not waited for. */
const MAX_RETRY_WAIT_MS = 60_000;
/** Wait before the one retry after a 5xx or a dropped connection. */
const SERVER_RETRY_WAIT_MS = 2_000;

/** A failed API call, in one sentence; `readOnly` when the token may not write comments. */
export class CommentError extends Error {
  constructor(
    message: string,
    readonly readOnly: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CommentError';
  }
}

interface ApiFailure {
  readonly status?: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string | number | undefined>>;
}

export class CommentsApi {
  private readonly octokit: Octokit;

  constructor(
    token: string,
    readonly baseUrl: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.octokit = getOctokit(token, { baseUrl });
  }

  /**
   * This job's comment: the first line is `marker`, and its author is the token's own identity
   * (the user of a personal token; a bot for the run's own token or an app's), so a person's
   * comment that copies the marker is never taken.
   */
  async findOwn(pr: PullRequestRef, marker: string): Promise<{ id: number } | undefined> {
    const login = await this.call("read the token's identity for", pr, () => this.tokenLogin());
    const comments = await this.call('list the comments of', pr, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: pr.owner,
        repo: pr.repo,
        issue_number: pr.number,
        per_page: 100,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 4) },
      }),
    );
    const own = comments.find(
      (c) =>
        (c.body ?? '').split('\n', 1)[0]?.trim() === marker &&
        (login === undefined ? c.user?.type === 'Bot' : c.user?.login === login),
    );
    return own === undefined ? undefined : { id: own.id };
  }

  async create(pr: PullRequestRef, body: string): Promise<string> {
    const created = await this.call('comment on', pr, () =>
      this.octokit.rest.issues.createComment({
        owner: pr.owner,
        repo: pr.repo,
        issue_number: pr.number,
        body,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      }),
    );
    return created.data.html_url;
  }

  async update(pr: PullRequestRef, id: number, body: string): Promise<string> {
    const updated = await this.call('update the comment on', pr, () =>
      this.octokit.rest.issues.updateComment({
        owner: pr.owner,
        repo: pr.repo,
        comment_id: id,
        body,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      }),
    );
    return updated.data.html_url;
  }

  /** The login of a user token; undefined for an installation token (the run's own, an app's). */
  private async tokenLogin(): Promise<string | undefined> {
    try {
      const user = await this.octokit.rest.users.getAuthenticated({
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      return user.data.login;
    } catch (error) {
      // "Resource not accessible by integration": not a user, so its comments are a bot's.
      if (failureOf(error).status === 403) return undefined;
      throw error;
    }
  }

  /** One API call, tried once more after a 5xx, a dropped connection or a short rate limit. */
  private async call<T>(doing: string, pr: PullRequestRef, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (first) {
      const wait = retryWait(failureOf(first));
      if (wait === undefined) throw sentence(first, doing, pr, this.baseUrl);
      await this.sleep(wait);
      try {
        return await request();
      } catch (second) {
        throw sentence(second, doing, pr, this.baseUrl);
      }
    }
  }
}

function failureOf(error: unknown): ApiFailure {
  const e = error as {
    status?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, string | number | undefined> };
  };
  return {
    status: typeof e.status === 'number' ? e.status : undefined,
    message: typeof e.message === 'string' ? e.message : String(error),
    headers: e.response?.headers ?? {},
  };
}

/** Seconds GitHub asks to wait when rate limited (retry-after, or until x-ratelimit-reset). */
function rateLimitWaitMs(failure: ApiFailure): number | undefined {
  const { status, headers } = failure;
  const limited =
    status === 429 ||
    (status === 403 &&
      (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
  if (!limited) return undefined;
  const after = Number(headers['retry-after']);
  if (Number.isFinite(after) && after >= 0) return after * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) ? Math.max(0, reset * 1000 - Date.now()) : MAX_RETRY_WAIT_MS + 1;
}

function retryWait(failure: ApiFailure): number | undefined {
  const limited = rateLimitWaitMs(failure);
  if (limited !== undefined) return limited <= MAX_RETRY_WAIT_MS ? limited : undefined;
  const { status } = failure;
  return status === undefined || status >= 500 ? SERVER_RETRY_WAIT_MS : undefined;
}

/** The failure as one sentence with the fix. */
function sentence(
  error: unknown,
  doing: string,
  pr: PullRequestRef,
  baseUrl: string,
): CommentError {
  const failure = failureOf(error);
  const where = `pull request #${pr.number} of ${pr.owner}/${pr.repo}`;
  const { status } = failure;
  const said = firstLine(failure.message);
  const limited = rateLimitWaitMs(failure);
  if (limited !== undefined) {
    return new CommentError(
      `GitHub's API rate limit stopped the action from trying to ${doing} ${where} (${status}: ${said}; it resets in ${Math.ceil(limited / 1000)} s); the comment is updated on the next run`,
      false,
      { cause: error },
    );
  }
  if (status === 401) {
    return new CommentError(
      `GitHub refused the token while trying to ${doing} ${where} (401: ${said}); check \`github-token\``,
      true,
      { cause: error },
    );
  }
  if (status === 403) {
    const fix = pr.fromFork
      ? 'this pull request comes from a fork, where the run’s token is read-only: post the comment from a `workflow_run` workflow (docs/action.md, "Pull requests from forks"), or set `comment: never`'
      : 'give the job `permissions: pull-requests: write`, or set `comment: never`';
    return new CommentError(`the token may not ${doing} ${where} (403: ${said}); ${fix}`, true, {
      cause: error,
    });
  }
  if (status === 404) {
    return new CommentError(
      `GitHub answered 404 when asked to ${doing} ${where}: the token cannot see it; check \`github-token\` and that it has access to ${pr.owner}/${pr.repo}`,
      true,
      { cause: error },
    );
  }
  if (status === 422) {
    return new CommentError(
      `GitHub refused to ${doing} ${where} (422: ${said}); the comment is left as it was`,
      false,
      { cause: error },
    );
  }
  if (status === undefined) {
    return new CommentError(
      `GitHub's API at ${baseUrl} did not answer when asked to ${doing} ${where} (${said}), twice; check the runner's network and \`GITHUB_API_URL\``,
      false,
      { cause: error },
    );
  }
  return new CommentError(
    `GitHub answered ${status} when asked to ${doing} ${where} (${said})${status >= 500 ? ', twice' : ''}; the comment is updated on the next run`,
    false,
    { cause: error },
  );
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim().slice(0, 200) || '(no message)';
}
