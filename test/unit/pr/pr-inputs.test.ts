// The pull request's inputs from the runner: event payload, links, `extra-data` files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventFrom, readRunEvent } from '../../../src/pr/event.js';
import { isCoverageDataName, resolveExtraData } from '../../../src/report/extra-data.js';
import { lineUrl, sourceLinks } from '../../../src/pr/links.js';
import { tempDir } from '../../support/git-repo.js';

const BASE = 'a'.repeat(40);
const HEAD = 'c'.repeat(40);
const PUSH = 'd'.repeat(40);
const payload = { pull_request: { base: { sha: BASE }, head: { sha: HEAD } } };

describe('the run event', () => {
  it('reads base and head from pull_request and pull_request_target payloads; links go to the head', () => {
    for (const name of ['pull_request', 'pull_request_target']) {
      expect(eventFrom(name, payload, PUSH)).toEqual({
        pullRequest: { baseSha: BASE, headSha: HEAD },
        linkSha: HEAD,
      });
    }
  });

  it('has no pull request on other events, and links to GITHUB_SHA', () => {
    expect(eventFrom('push', payload, PUSH)).toEqual({ pullRequest: undefined, linkSha: PUSH });
    expect(eventFrom(undefined, {}, undefined)).toEqual({
      pullRequest: undefined,
      linkSha: undefined,
    });
  });

  it('refuses a pull request payload without both SHAs, in one sentence', () => {
    expect(() =>
      eventFrom('pull_request', { pull_request: { base: { sha: 'main' } } }, PUSH),
    ).toThrow(
      /^the pull_request event payload has no pull_request.base.sha and pull_request.head.sha, so the lines the pull request changes are unknown; run this step in a job triggered by the pull request itself$/,
    );
  });

  it('reads GITHUB_EVENT_PATH only on pull request events', async () => {
    const dir = tempDir('pycov-event-');
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify(payload));
    expect(
      await readRunEvent({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: path,
        GITHUB_SHA: PUSH,
      }),
    ).toEqual({ pullRequest: { baseSha: BASE, headSha: HEAD }, linkSha: HEAD });
    expect(
      await readRunEvent({
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: join(dir, 'none'),
        GITHUB_SHA: PUSH,
      }),
    ).toEqual({ pullRequest: undefined, linkSha: PUSH });
    await expect(
      readRunEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: join(dir, 'none') }),
    ).rejects.toThrow(
      /^cannot read the event payload .*none \(ENOENT.*\); run the action as a step of a workflow job$/,
    );
  });
});

describe('links', () => {
  it('point at the blob of the commit on the run’s server, lines as #La-Lb', () => {
    const links = sourceLinks(
      { GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_REPOSITORY: 'org/svc' },
      HEAD,
      (name) => name,
    );
    expect(links?.blobRoot).toBe(`https://ghe.example.com/org/svc/blob/${HEAD}/`);
    expect(lineUrl(links?.blobRoot ?? '', 'src/app.py', 12, 15)).toBe(
      `https://ghe.example.com/org/svc/blob/${HEAD}/src/app.py#L12-L15`,
    );
    expect(lineUrl('https://github.com/o/r/blob/x/', 'src/app.py', 7)).toBe(
      'https://github.com/o/r/blob/x/src/app.py#L7',
    );
  });

  it('encode path segments, and default to github.com', () => {
    const links = sourceLinks({ GITHUB_REPOSITORY: 'o/r' }, HEAD, (n) => n);
    expect(lineUrl(links?.blobRoot ?? '', 'pkg/na ïve#1?.py', 3)).toBe(
      `https://github.com/o/r/blob/${HEAD}/pkg/na%20%C3%AFve%231%3F.py#L3`,
    );
  });

  it('are off without a repository or a commit', () => {
    expect(sourceLinks({}, HEAD, (n) => n)).toBeUndefined();
    expect(sourceLinks({ GITHUB_REPOSITORY: 'o/r' }, undefined, (n) => n)).toBeUndefined();
    expect(sourceLinks({ GITHUB_REPOSITORY: 'o/r"><x' }, HEAD, (n) => n)).toBeUndefined();
  });
});

describe('extra-data', () => {
  function layout(): { workspace: string; outputDir: string } {
    const workspace = tempDir('pycov-extra-');
    for (const path of [
      'unit/.coverage',
      'unit/.coverage.host.1.abc',
      'unit/.coverage-journal',
      'unit/notes.txt',
      'shards/a/.coverage',
      'shards/b/.coverage',
      'named/unit.sqlite',
      'coverage-harvest/.coverage',
      'coverage-harvest/data/01-api/.coverage.x',
    ]) {
      mkdirSync(join(workspace, path, '..'), { recursive: true });
      writeFileSync(join(workspace, path), 'data');
    }
    return { workspace, outputDir: join(workspace, 'coverage-harvest') };
  }

  it('takes data files from directories and globs, a named file whatever its name, each once', async () => {
    const { workspace, outputDir } = layout();
    const files = await resolveExtraData(
      ['unit', 'shards/*/.coverage', 'named/unit.sqlite', 'unit/.coverage'],
      workspace,
      outputDir,
    );
    expect(files).toEqual(
      [
        'unit/.coverage',
        'unit/.coverage.host.1.abc',
        'shards/a/.coverage',
        'shards/b/.coverage',
        'named/unit.sqlite',
      ].map((p) => join(workspace, p)),
    );
  });

  it("never takes the action's own files under output-dir", async () => {
    const { workspace, outputDir } = layout();
    const files = await resolveExtraData(['**/.coverage*'], workspace, outputDir);
    expect(files.some((f) => f.startsWith(outputDir))).toBe(false);
    expect(files).toHaveLength(4);
  });

  it('fails in one sentence for a pattern that matches no data file', async () => {
    const { workspace, outputDir } = layout();
    await expect(resolveExtraData(['unit-coverage/'], workspace, outputDir)).rejects.toThrow(
      /^input `extra-data` has `unit-coverage\/`, which matches no coverage data file \(`.coverage` or `.coverage.\*`\) outside `output-dir`; download the other job's coverage data before this step \(e.g. actions\/download-artifact\) or fix the path$/,
    );
    await expect(resolveExtraData(['coverage-harvest'], workspace, outputDir)).rejects.toThrow(
      /matches no coverage data file/,
    );
  });

  it('knows coverage.py data file names', () => {
    expect(['.coverage', '.coverage.a.1.x'].every(isCoverageDataName)).toBe(true);
    expect(
      ['.coverage-journal', '.coverage.x-wal', 'coverage', '.coveragerc'].some(isCoverageDataName),
    ).toBe(false);
  });
});
