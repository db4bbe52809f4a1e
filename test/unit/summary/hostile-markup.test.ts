// A compromised target's words in every field the job summary, the failure summary and the pull
// request comment show, read back as GitHub renders them (cmark-gfm, the hostile-target suite's
// helper): no link, image, tag, table cell or mention may come from them.
import * as core from '@actions/core';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TargetOutcome } from '../../../src/harvest/outcome.js';
import { changedLines } from '../../../src/pr/changed-lines.js';
import { commentMarker, renderComment } from '../../../src/publish/comment-body.js';
import { summarizeContexts } from '../../../src/report/contexts.js';
import { readCoverageJson, type CoverageJson } from '../../../src/report/coverage-json.js';
import { renderSummary } from '../../../src/summary/render.js';
import { renderFailure } from '../../../src/summary/summary.js';
import { COMMENT_TAGS, renderGfm, SUMMARY_TAGS, targetMarkup } from '../../support/gfm.js';
import { MARKER } from '../../support/hostile/hostile.js';

/** What a target can put in a name, a reason, a version or an error text (each holds MARKER). */
const HOSTILE = [
  '[PWN link](https://evil.example/PWN)',
  '![PWN](https://evil.example/PWN.png)',
  '<img src=x onerror=alert(1)>PWN',
  '<a href="https://evil.example/PWN">PWN</a><details open><marquee>PWN',
  '@PWN-user and @PWN-org/team www.PWN.example https://evil.example/PWN',
  'a| PWNCELL | b',
  'x\n| PWNCELL |\n|---|\n\n<b>PWN</b>',
  'x\r\n\r\n# PWN heading\n::error::PWN',
  'abc\u202ePWN\u2066x\u0000\u001b[31m',
];
const all = HOSTILE.join(' ');

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'coverage-json');

/** A real coverage.py report whose measured file names are the target's. */
async function hostileCoverage(): Promise<CoverageJson> {
  const coverage = await readCoverageJson(join(fixtures, 'lines-7.6.1.json'));
  const files = Object.values(coverage.files);
  return {
    ...coverage,
    files: Object.fromEntries(files.map((file, i) => [`src/${HOSTILE[i % HOSTILE.length]}`, file])),
  };
}

const targets: TargetOutcome[] = HOSTILE.map((text, i) => ({
  label: `container ${text}`,
  method: i % 2 === 0 ? null : 'http',
  ms: 12,
  files: 1,
  bytes: 8192,
  attempts: [
    { method: 'http', confirmed: false, ms: 3, detail: `the agent answered: ${text}` },
    { method: 'signal', confirmed: i % 2 === 1, ms: 4, detail: text },
  ],
  ...(i % 2 === 0 ? { error: `the packer said ${text}` } : {}),
}));

function expectNoTargetMarkup(markdown: string, own = SUMMARY_TAGS): void {
  expect(markdown).toContain('PWN'); // the words are there, as text
  expect(targetMarkup(renderGfm(markdown), MARKER, own)).toEqual([]);
}

describe('target-made text, rendered as GitHub renders it', () => {
  it('the job summary: files, targets, attempts, warnings, contexts, reports', async () => {
    const coverage = await hostileCoverage();
    const name = Object.keys(coverage.files)[0] ?? '';
    const markdown = renderSummary({
      coverage,
      targets,
      warnings: HOSTILE.map((text) => `data file ${text} is left out`),
      reports: { lcov: `out/${all}.lcov` },
      contexts: summarizeContexts(
        Object.fromEntries(HOSTILE.map((text, i) => [text, { [name]: [i + 1] }])),
      ),
    });
    expectNoTargetMarkup(markdown);
  });

  it('the failure summary: the error, targets, attempts and warnings', () => {
    core.summary.emptyBuffer();
    expectNoTargetMarkup(
      renderFailure({ error: `no data: ${all}`, targets, warnings: HOSTILE.map((t) => `w ${t}`) }),
    );
  });

  it('the pull request comment: file names of missed changed lines', async () => {
    const coverage = await hostileCoverage();
    const changes = Object.entries(coverage.files).map(([path, file]) => ({
      kind: 'modified' as const,
      oldPath: path,
      newPath: path,
      addedLines: [...file.executed_lines, ...file.missing_lines],
    }));
    const changed = changedLines(changes, coverage, (n) => n);
    expectNoTargetMarkup(
      renderComment({
        coverage,
        marker: commentMarker('e2e'),
        changed,
        unconfirmed: 1,
        warnings: 3,
      }),
      COMMENT_TAGS,
    );
  });
});
