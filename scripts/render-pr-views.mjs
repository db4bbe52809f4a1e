// Renders the pull request comment and the job summary as a reader sees them on GitHub, into
// docs/images/: GitHub-flavoured markdown through cmark-gfm (Debian's `cmark-gfm`, with the
// extensions GitHub turns on), GitHub's stylesheet (npm `github-markdown-css`), a screenshot in
// headless Chromium (Debian's `chromium`). docs/summary.md shows the pictures.
//
//   apt-get install -y cmark-gfm chromium && node scripts/render-pr-views.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs/images');
// Inside the checkout, so the bundle's imports of packages resolve to node_modules.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const scratch = mkdtempSync(join(root, 'node_modules/.cache/pycov-pr-views-'));
execFileSync(join(root, 'node_modules/.bin/esbuild'), [
  join(root, 'scripts/pr-views/scenarios.ts'),
  '--bundle',
  '--platform=node',
  '--format=esm',
  '--packages=external',
  '--log-level=warning',
  `--outfile=${join(scratch, 'scenarios.mjs')}`,
]);
const { views } = await import(pathToFileURL(join(scratch, 'scenarios.mjs')).href);
const rendered = await views(join(root, 'test/unit/fixtures/coverage-json'));

const css = readFileSync(
  join(root, 'node_modules/github-markdown-css/github-markdown-light.css'),
  'utf8',
);
const gfm = (markdown) =>
  execFileSync(
    'cmark-gfm',
    ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'tagfilter', '-e', 'strikethrough'],
    {
      input: markdown,
      encoding: 'utf8',
    },
  );
const page = (title, markdown) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><style>${css}\nbody{margin:0;background:#fff}.markdown-body{box-sizing:border-box;width:880px;padding:24px}</style><article class="markdown-body">${gfm(markdown)}</article>`;

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const tab = await browser.newPage({ viewport: { width: 880, height: 600 } });
  for (const [name, view] of Object.entries(rendered)) {
    for (const [kind, markdown] of Object.entries(view)) {
      const html = join(scratch, `${name}-${kind}.html`);
      writeFileSync(html, page(`${name} ${kind}`, markdown));
      await tab.goto(pathToFileURL(html).href);
      const file = join(out, `${name}-${kind}.png`);
      await tab.locator('article').screenshot({ path: file });
      console.log(`wrote ${file}`);
    }
  }
} finally {
  await browser.close();
  rmSync(scratch, { recursive: true, force: true });
}
