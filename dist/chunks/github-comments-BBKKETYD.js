import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  getOctokit
} from "./chunk-2RJ7MZZR.js";
import "./chunk-FSLHNYYV.js";

// src/publish/github-comments.ts
var REQUEST_TIMEOUT_MS = 3e4;
var MAX_RETRY_WAIT_MS = 6e4;
var SERVER_RETRY_WAIT_MS = 2e3;
var CommentError = class extends Error {
  constructor(message, readOnly, options) {
    super(message, options);
    this.readOnly = readOnly;
    this.name = "CommentError";
  }
  readOnly;
};
var CommentsApi = class {
  constructor(token, baseUrl, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))) {
    this.baseUrl = baseUrl;
    this.sleep = sleep;
    this.octokit = getOctokit(token, { baseUrl });
  }
  baseUrl;
  sleep;
  octokit;
  /**
   * This job's comment: the first line is `marker`, and its author is the token's own identity
   * (the user of a personal token; a bot for the run's own token or an app's), so a person's
   * comment that copies the marker is never taken.
   */
  async findOwn(pr, marker) {
    const login = await this.call("read the token's identity for", pr, () => this.tokenLogin());
    const comments = await this.call(
      "list the comments of",
      pr,
      () => this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: pr.owner,
        repo: pr.repo,
        issue_number: pr.number,
        per_page: 100,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 4) }
      })
    );
    const own = comments.find(
      (c) => (c.body ?? "").split("\n", 1)[0]?.trim() === marker && (login === void 0 ? c.user?.type === "Bot" : c.user?.login === login)
    );
    return own === void 0 ? void 0 : { id: own.id };
  }
  async create(pr, body) {
    const created = await this.call(
      "comment on",
      pr,
      () => this.octokit.rest.issues.createComment({
        owner: pr.owner,
        repo: pr.repo,
        issue_number: pr.number,
        body,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }
      })
    );
    return created.data.html_url;
  }
  async update(pr, id, body) {
    const updated = await this.call(
      "update the comment on",
      pr,
      () => this.octokit.rest.issues.updateComment({
        owner: pr.owner,
        repo: pr.repo,
        comment_id: id,
        body,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }
      })
    );
    return updated.data.html_url;
  }
  /** The login of a user token; undefined for an installation token (the run's own, an app's). */
  async tokenLogin() {
    try {
      const user = await this.octokit.rest.users.getAuthenticated({
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }
      });
      return user.data.login;
    } catch (error) {
      if (failureOf(error).status === 403) return void 0;
      throw error;
    }
  }
  /** One API call, tried once more after a 5xx, a dropped connection or a short rate limit. */
  async call(doing, pr, request) {
    try {
      return await request();
    } catch (first) {
      const wait = retryWait(failureOf(first));
      if (wait === void 0) throw sentence(first, doing, pr, this.baseUrl);
      await this.sleep(wait);
      try {
        return await request();
      } catch (second) {
        throw sentence(second, doing, pr, this.baseUrl);
      }
    }
  }
};
function failureOf(error) {
  const e = error;
  return {
    status: typeof e.status === "number" ? e.status : void 0,
    message: typeof e.message === "string" ? e.message : String(error),
    headers: e.response?.headers ?? {}
  };
}
function rateLimitWaitMs(failure) {
  const { status, headers } = failure;
  const limited = status === 429 || status === 403 && (headers["retry-after"] !== void 0 || headers["x-ratelimit-remaining"] === "0");
  if (!limited) return void 0;
  const after = Number(headers["retry-after"]);
  if (Number.isFinite(after) && after >= 0) return after * 1e3;
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) ? Math.max(0, reset * 1e3 - Date.now()) : MAX_RETRY_WAIT_MS + 1;
}
function retryWait(failure) {
  const limited = rateLimitWaitMs(failure);
  if (limited !== void 0) return limited <= MAX_RETRY_WAIT_MS ? limited : void 0;
  const { status } = failure;
  return status === void 0 || status >= 500 ? SERVER_RETRY_WAIT_MS : void 0;
}
function sentence(error, doing, pr, baseUrl) {
  const failure = failureOf(error);
  const where = `pull request #${pr.number} of ${pr.owner}/${pr.repo}`;
  const { status } = failure;
  const said = firstLine(failure.message);
  const limited = rateLimitWaitMs(failure);
  if (limited !== void 0) {
    return new CommentError(
      `GitHub's API rate limit stopped the action from trying to ${doing} ${where} (${status}: ${said}; it resets in ${Math.ceil(limited / 1e3)} s); the comment is updated on the next run`,
      false,
      { cause: error }
    );
  }
  if (status === 401) {
    return new CommentError(
      `GitHub refused the token while trying to ${doing} ${where} (401: ${said}); check \`github-token\``,
      true,
      { cause: error }
    );
  }
  if (status === 403) {
    const fix = pr.fromFork ? 'this pull request comes from a fork, where the run\u2019s token is read-only: post the comment from a `workflow_run` workflow (docs/action.md, "Pull requests from forks"), or set `comment: never`' : "give the job `permissions: pull-requests: write`, or set `comment: never`";
    return new CommentError(`the token may not ${doing} ${where} (403: ${said}); ${fix}`, true, {
      cause: error
    });
  }
  if (status === 404) {
    return new CommentError(
      `GitHub answered 404 when asked to ${doing} ${where}: the token cannot see it; check \`github-token\` and that it has access to ${pr.owner}/${pr.repo}`,
      true,
      { cause: error }
    );
  }
  if (status === 422) {
    return new CommentError(
      `GitHub refused to ${doing} ${where} (422: ${said}); the comment is left as it was`,
      false,
      { cause: error }
    );
  }
  if (status === void 0) {
    return new CommentError(
      `GitHub's API at ${baseUrl} did not answer when asked to ${doing} ${where} (${said}), twice; check the runner's network and \`GITHUB_API_URL\``,
      false,
      { cause: error }
    );
  }
  return new CommentError(
    `GitHub answered ${status} when asked to ${doing} ${where} (${said})${status >= 500 ? ", twice" : ""}; the comment is updated on the next run`,
    false,
    { cause: error }
  );
}
function firstLine(text) {
  return (text.split("\n")[0] ?? "").trim().slice(0, 200) || "(no message)";
}
export {
  CommentError,
  CommentsApi
};
