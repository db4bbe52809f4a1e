// The pull request comment as a reader sees it: rendered from a real coverage.py report and the
// real sources it measured, read back through a GitHub-flavoured markdown renderer.
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { changedLines } from '../../../src/pr/changed-lines.js';
import type { FileChange } from '../../../src/pr/diff-parse.js';
import { sourceLinks } from '../../../src/pr/links.js';
import { readSourceLines } from '../../../src/pr/source-lines.js';
import {
  COMMENT_LIMIT_CHARS,
  commentMarker,
  renderComment,
  type CommentInput,
} from '../../../src/publish/comment-body.js';
import { compareToBaseline } from '../../../src/report/baseline.js';
import { readCoverageJson, type CoverageJson } from '../../../src/report/coverage-json.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');
const SHA = 'c0ffee0000000000000000000000000000000001';
const links = sourceLinks(
  { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'example/service' },
  SHA,
  (name) => name,
);
const blob = `https://github.com/example/service/blob/${SHA}/`;
const marker = commentMarker('CI/e2e/python-coverage');

const render = (markdown: string): string =>
  micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });

const change = (path: string, lines: number[]): FileChange => ({
  kind: 'modified',
  oldPath: path,
  newPath: path,
  addedLines: lines,
});

async function input(
  changes: FileChange[],
  extra: Partial<CommentInput> = {},
): Promise<CommentInput> {
  const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
  const changed = changedLines(changes, coverage, (name) => name);
  return {
    coverage,
    marker,
    changed,
    links,
    sources: await readSourceLines(changed, fixtures),
    unconfirmed: 0,
    warnings: 0,
    runUrl: 'https://github.com/example/service/actions/runs/42',
    ...extra,
  };
}

describe('the pull request comment', () => {
  it('shows each run of missed changed lines as code, linked to its lines at the head commit', async () => {
    // pricing.py: 9-11 and 22 are missing, 8 and 23 ran (the fixture's own report).
    const body = renderComment(await input([change('sample/pricing.py', [8, 9, 10, 11, 22, 23])]));
    expect(body.split('\n')[0]).toBe(marker);
    const html = render(body);
    expect(html).toContain('The E2E run executed 2 of the 6 statements this pull request changes.');
    expect(html).toContain('<h4>4 changed lines not executed</h4>');
    const hrefs = [...html.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(hrefs).toEqual(
      expect.arrayContaining([
        [`${blob}sample/pricing.py#L9-L11`, 'lines 9-11'],
        [`${blob}sample/pricing.py#L22`, 'line 22'],
      ]),
    );
    const blocks = [
      ...html.matchAll(/<pre><code class="language-python">([\s\S]*?)<\/code><\/pre>/g),
    ].map((m) => m[1] ?? '');
    expect(blocks).toHaveLength(2);
    const source = (await import('node:fs'))
      .readFileSync(join(fixtures, 'sample/pricing.py'), 'utf8')
      .split('\n');
    const unescape = (text: string) =>
      text
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    expect(unescape(blocks[0] ?? '')).toBe(
      [9, 10, 11].map((n) => `${String(n).padStart(2)}  ${source[n - 1]}`).join('\n') + '\n',
    );
    expect(unescape(blocks[1] ?? '')).toBe(`22  ${source[21]}\n`);
  });

  it('says so when every changed statement ran, and shows no code', async () => {
    const html = render(renderComment(await input([change('sample/pricing.py', [8, 23])])));
    expect(html).toContain(
      'executed 2 of the 2 statements this pull request changes. All of them ran.',
    );
    expect(html).not.toContain('<pre>');
  });

  it('puts the change against the baseline in the headline, files whose coverage fell first', async () => {
    const head = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
    type Mutable = {
      files: Record<string, { summary: { covered_lines: number; num_statements: number } }>;
      totals: { covered_lines: number };
    };
    const base = structuredClone(head) as unknown as Mutable;
    const pricing = base.files['sample/pricing.py'];
    const shapes = base.files['sample/shapes.py'];
    if (pricing === undefined || shapes === undefined) throw new Error('fixture changed');
    pricing.summary.covered_lines = pricing.summary.num_statements; // fell in the head
    shapes.summary.covered_lines = 0; // rose in the head
    base.totals.covered_lines += 3;
    const baseline = compareToBaseline(head, base as unknown as CoverageJson, (name) => name);
    const html = render(
      renderComment(await input([change('sample/pricing.py', [9])], { baseline })),
    );
    expect(html).toMatch(/<h3>Python coverage: [\d.]+% of lines \([+-][\d.]+\)/);
    const rows = [...html.matchAll(/<tr>\s*<td><code>([^<]+)<\/code>/g)].map((m) => m[1]);
    expect(rows.slice(0, 2)).toEqual(['sample/pricing.py', 'sample/shapes.py']);
  });

  it('never lets a file name add a link, an image, a mention or a table break', async () => {
    const odd = 'sample/odd<b>|*name*`[x](y).py';
    const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
    const renamed = `@team ![img](https://evil.example/x.png) <img src=x> [link](https://evil.example)|.py`;
    const files = { ...coverage.files, [renamed]: coverage.files[odd] } as CoverageJson['files'];
    const changed = changedLines(
      [change(odd, [1, 2, 3, 4, 5]), change(renamed, [1, 2, 3, 4, 5])],
      { ...coverage, files },
      (name) => name,
    );
    const html = render(renderComment({ ...(await input([])), changed, sources: new Map() }));
    expect(html).not.toMatch(/<img|evil\.example"|<b>/);
    expect(html).not.toMatch(/href="https:\/\/evil/);
    expect(html).not.toMatch(/(^|[^&#\w])@team/);
    expect(html).not.toContain('<table>');
  });

  it('stays under GitHub limit for a 200-file pull request, shortening before it cuts', async () => {
    const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
    const pricing = coverage.files['sample/pricing.py'];
    if (pricing === undefined) throw new Error('fixture changed');
    const names = Array.from({ length: 200 }, (_, i) => `pkg/module_${i}.py`);
    const lines = Array.from({ length: 400 }, (_, i) => i + 1);
    const big = {
      ...coverage,
      files: Object.fromEntries(
        names.map((name) => [name, { ...pricing, executed_lines: [], missing_lines: lines }]),
      ),
    } as CoverageJson;
    const changed = changedLines(
      names.map((name) => change(name, lines)),
      big,
      (name) => name,
    );
    const text = `${'x = "'.padEnd(180, 'y')}"`;
    const sources = new Map(names.map((name) => [name, lines.map(() => text)]));
    const body = renderComment({ ...(await input([])), coverage: big, changed, sources });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS);
    const html = render(body);
    // Every fence closed: as many code blocks opened as rendered, none swallowing the footer.
    expect(html).toContain('<sub>pycov-harvest');
    expect((body.match(/^```python$/gm) ?? []).length).toBe((html.match(/<pre>/g) ?? []).length);
    expect(html).toMatch(/and \d+ more not shown here \(\d+ more files\): see <a href=/);
    // A smaller limit gives a shorter, still whole comment.
    const short = renderComment({ ...(await input([])), coverage: big, changed, sources }, 5000);
    expect(short.length).toBeLessThanOrEqual(5000);
    expect(render(short)).toContain('<sub>pycov-harvest');
  });
});
