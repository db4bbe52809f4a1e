// The job summary as GitHub shows it: rendered with GitHub's own cmark-gfm (Debian's `cmark-gfm`
// package) with the extensions github.com turns on (tables, autolinks, the tag filter,
// strikethrough), raw HTML kept as GitHub keeps it, then read as HTML to find markup that came from
// a target (a link, an image, a tag, a table cell, a mention outside code).
import { spawnSync } from 'node:child_process';

export const GFM_EXTENSIONS = ['table', 'autolink', 'tagfilter', 'strikethrough'] as const;

/** Markdown → HTML, as github.com renders a job summary (before its own sanitizer). */
export function renderGfm(markdown: string): string {
  const args = ['--unsafe', ...GFM_EXTENSIONS.flatMap((e) => ['-e', e]), '--to', 'html'];
  const run = spawnSync('cmark-gfm', args, { input: markdown, encoding: 'utf8', timeout: 30_000 });
  if (run.error !== undefined || run.status !== 0) {
    throw new Error(
      `cmark-gfm could not render the summary (${run.error?.message ?? run.stderr}); install Debian's \`cmark-gfm\` package (apt-get install cmark-gfm)`,
    );
  }
  return run.stdout;
}

export interface HtmlTag {
  readonly name: string;
  readonly closing: boolean;
  readonly attributes: string;
}

export interface HtmlText {
  readonly text: string;
  /** Inside a `<code>` element (GitHub links no mention, issue or autolink there). */
  readonly inCode: boolean;
  /** The innermost open tag. */
  readonly parent: string | undefined;
}

/** A flat reading of HTML: every tag, and every text run with its decoded text. */
export function readHtml(html: string): { tags: HtmlTag[]; texts: HtmlText[] } {
  const tags: HtmlTag[] = [];
  const texts: HtmlText[] = [];
  const open: string[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?-->/g;
  let at = 0;
  const pushText = (raw: string): void => {
    if (raw === '') return;
    texts.push({
      text: decodeEntities(raw),
      inCode: open.includes('code') || open.includes('pre'),
      parent: open[open.length - 1],
    });
  };
  for (let m = tag.exec(html); m !== null; m = tag.exec(html)) {
    pushText(html.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[2] === undefined) continue; // a comment
    const name = m[2].toLowerCase();
    const closing = m[1] === '/';
    tags.push({ name, closing, attributes: m[3] ?? '' });
    if (VOID.has(name)) continue;
    if (!closing) open.push(name);
    else {
      const i = open.lastIndexOf(name);
      if (i >= 0) open.splice(i);
    }
  }
  pushText(html.slice(at));
  return { tags, texts };
}

const VOID = new Set(['br', 'img', 'hr', 'input', 'meta', 'link', 'wbr']);

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (all, code: string) => {
    const lower = code.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[lower] ?? all;
  });
}

/** The tags the action's own summary is made of (core.summary and summary.ts). */
export const SUMMARY_TAGS = new Set([
  'h2',
  'h3',
  'p',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'ul',
  'li',
  'code',
  'strong',
  'details',
  'summary',
  'br',
  'a',
]);

/** The tags of the pull request comment (publish/comment-body.ts): the summary's, headings, code. */
export const COMMENT_TAGS = new Set([
  ...SUMMARY_TAGS,
  'h4',
  'sub',
  'pre',
  'em',
  'hr',
  'blockquote',
]);

/**
 * Markup in rendered HTML that came from a target: every target-made string carries `marker`
 * (case-insensitive). Returns one line per finding; empty when the summary is clean.
 */
export function targetMarkup(
  html: string,
  marker: string,
  ownTags: ReadonlySet<string> = SUMMARY_TAGS,
): string[] {
  const { tags, texts } = readHtml(html);
  const m = marker.toLowerCase();
  const findings: string[] = [];
  for (const t of tags) {
    if (!ownTags.has(t.name)) findings.push(`a <${t.name}> tag`);
    if (t.name === 'img') findings.push(`an image (${t.attributes.trim()})`);
    if (t.name === 'a' && !t.closing && t.attributes.toLowerCase().includes(m))
      findings.push(`a link (${t.attributes.trim()})`);
    if (/\son[a-z]+\s*=/i.test(t.attributes)) findings.push(`an event handler on <${t.name}>`);
  }
  for (const t of texts) {
    const lower = t.text.toLowerCase();
    if (t.parent === 'a' && lower.includes(m)) findings.push(`link text "${t.text}"`);
    if ((t.parent === 'td' || t.parent === 'th') && /^\s*pwncell/i.test(t.text))
      findings.push(`a table cell "${t.text.trim()}" split off target text`);
    if (!t.inCode && new RegExp(`@${m}`, 'i').test(t.text))
      findings.push(`a mention outside code: "${t.text.trim().slice(0, 80)}"`);
  }
  return [...new Set(findings)];
}
