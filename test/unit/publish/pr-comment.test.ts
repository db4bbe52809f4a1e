// The sticky comment through the real Octokit client against a real HTTP server on loopback
// that answers the REST endpoints as GitHub does (test/support/github-api.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../../src/publish/comment-body.js';
import { postComment, type CommentSettings } from '../../../src/publish/pr-comment.js';
import type { PullRequestRef } from '../../../src/publish/github-comments.js';
import { readCoverageJson } from '../../../src/report/coverage-json.js';
import { GitHubApi, type GitHubApiOptions } from '../../support/github-api.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const TOKEN = 'ghs_test_token';
const BOT = { login: 'github-actions[bot]', type: 'Bot' } as const;
const PR: PullRequestRef = { owner: 'o', repo: 'r', number: 7, fromFork: false };

let api: GitHubApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function server(options: Partial<GitHubApiOptions> = {}): Promise<GitHubApi> {
  api = new GitHubApi({ token: TOKEN, identity: BOT, ...options });
  await api.start();
  return api;
}

function settings(extra: Partial<CommentSettings> = {}): CommentSettings {
  return {
    mode: 'auto',
    token: TOKEN,
    key: 'CI/e2e/python-coverage',
    outputDir: mkdtempSync(join(tmpdir(), 'pycov-comment-')),
    ...extra,
  };
}

async function post(
  github: GitHubApi,
  extra: Partial<CommentSettings> = {},
  pr: PullRequestRef = PR,
): Promise<{ url: string | undefined; warnings: readonly string[]; log: string[] }> {
  const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
  const log: string[] = [];
  const figures = { coverage, unconfirmed: 0, warnings: 0 };
  const outcome = await postComment(
    settings(extra),
    pr,
    figures,
    { GITHUB_API_URL: github.url },
    (line) => log.push(line),
  );
  return { ...outcome, log };
}

const writes = (github: GitHubApi) =>
  github.requests.filter((r) => r.route === 'create' || r.route === 'update').map((r) => r.route);

describe('the sticky pull request comment', () => {
  it('creates one comment, then updates that same comment on every later run', async () => {
    const github = await server();
    const first = await post(github);
    expect(first.warnings).toEqual([]);
    expect(github.comments).toHaveLength(1);
    expect(first.url).toBe(github.comments[0]?.html_url);
    await post(github);
    await post(github);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.updates).toBe(2);
    expect(writes(github)).toEqual(['create', 'update', 'update']);
    expect(github.comments[0]?.body.split('\n')[0]).toBe(commentMarker('CI/e2e/python-coverage'));
  });

  it('gives another key a comment of its own, and leaves the first alone', async () => {
    const github = await server();
    await post(github);
    await post(github, { key: 'CI/e2e/py3.13-coverage' });
    expect(github.comments).toHaveLength(2);
    expect(github.comments.map((c) => c.updates)).toEqual([0, 0]);
  });

  it("never edits someone else's comment, even one that carries the same marker", async () => {
    const github = await server();
    const marker = commentMarker('CI/e2e/python-coverage');
    const person = github.seed(7, `${marker}\nI copied your comment`, {
      login: 'alice',
      type: 'User',
    });
    const otherBot = github.seed(7, `<!-- pycov-harvest:other -->\nnot ours`, BOT);
    await post(github);
    expect(person.body).toBe(`${marker}\nI copied your comment`);
    expect(otherBot.body).toBe('<!-- pycov-harvest:other -->\nnot ours');
    expect(github.comments).toHaveLength(3);
  });

  it('with a personal token, takes only the comment that user wrote', async () => {
    const me = { login: 'release-bot-user', type: 'User' } as const;
    const github = await server({ identity: me });
    const marker = commentMarker('CI/e2e/python-coverage');
    const bots = github.seed(7, `${marker}\nold, by the run's token`, BOT);
    const mine = github.seed(7, `${marker}\nmine`, me);
    await post(github);
    expect(mine.updates).toBe(1);
    expect(bots.updates).toBe(0);
  });

  it('finds its comment on the third page of a long conversation', async () => {
    const github = await server({ pageSize: 100 });
    for (let i = 0; i < 230; i++) github.seed(7, `comment ${i}`, { login: 'alice', type: 'User' });
    const ours = github.seed(7, `${commentMarker('CI/e2e/python-coverage')}\nold`, BOT);
    await post(github);
    expect(ours.updates).toBe(1);
    expect(github.requests.filter((r) => r.route === 'list')).toHaveLength(3);
  });

  it('on a fork pull request, a read-only token is a warning naming the fix; `always` fails', async () => {
    const github = await server();
    github.fail('create', { status: 403, message: 'Resource not accessible by integration' });
    const fork = { ...PR, fromFork: true };
    const auto = await post(github, {}, fork);
    expect(auto.url).toBeUndefined();
    expect(auto.warnings).toEqual([
      'the token may not comment on pull request #7 of o/r (403: Resource not accessible by integration); this pull request comes from a fork, where the run’s token is read-only: post the comment from a `workflow_run` workflow (docs/action.md, "Pull requests from forks"), or set `comment: never`',
    ]);
    github.fail('create', { status: 403, message: 'Resource not accessible by integration' });
    await expect(post(github, { mode: 'always' }, fork)).rejects.toThrow(
      /^`comment: always`: the token may not comment on pull request #7 of o\/r \(403/,
    );
    expect(github.comments).toHaveLength(0);
  });

  it('a 401 names `github-token`; a 422 leaves the comment as it was', async () => {
    const github = await server();
    const refused = await post(github, { token: 'wrong' });
    expect(refused.warnings[0]).toMatch(
      /^GitHub refused the token while trying to read the token's identity for pull request #7 of o\/r \(401: Bad credentials\); check `github-token`$/,
    );
    await post(github);
    github.fail('update', { status: 422, message: 'Validation Failed' });
    const invalid = await post(github);
    expect(invalid.warnings).toEqual([
      'GitHub refused to update the comment on pull request #7 of o/r (422: Validation Failed); the comment is left as it was',
    ]);
    expect(github.comments[0]?.updates).toBe(0);
  });

  it('retries once after a 5xx, and says so when the second try fails too', async () => {
    const github = await server();
    github.fail('create', { status: 502, message: 'Bad Gateway' });
    const once = await post(github);
    expect(once.warnings).toEqual([]);
    expect(github.comments).toHaveLength(1);
    github.fail(
      'update',
      { status: 503, message: 'Unavailable' },
      { status: 503, message: 'Unavailable' },
    );
    const twice = await post(github);
    expect(twice.warnings).toEqual([
      'GitHub answered 503 when asked to update the comment on pull request #7 of o/r (Unavailable), twice; the comment is updated on the next run',
    ]);
  });

  it('waits out a short rate limit once; a long one is a warning with the reset', async () => {
    const github = await server();
    github.fail('list', {
      status: 429,
      message: 'You have exceeded a secondary rate limit',
      headers: { 'retry-after': '1' },
    });
    const began = Date.now();
    const waited = await post(github);
    expect(waited.warnings).toEqual([]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
    expect(github.comments).toHaveLength(1);
    github.fail('list', {
      status: 403,
      message: 'API rate limit exceeded',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
    });
    const limited = await post(github);
    expect(limited.warnings[0]).toMatch(
      /^GitHub's API rate limit stopped the action from trying to list the comments of pull request #7 of o\/r \(403: API rate limit exceeded; it resets in 3\d{3} s\); the comment is updated on the next run$/,
    );
  });

  it('without a token, `auto` only logs and `always` fails', async () => {
    const github = await server();
    const auto = await post(github, { token: '' });
    expect(auto).toMatchObject({ url: undefined, warnings: [] });
    expect(auto.log[0]).toMatch(/^no `github-token` was given/);
    await expect(post(github, { token: '', mode: 'always' })).rejects.toThrow(
      /^`comment: always`: no `github-token`/,
    );
    expect(github.requests).toEqual([]);
  });
});
