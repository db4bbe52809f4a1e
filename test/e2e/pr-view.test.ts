// The pull request reader's view, end to end: the bundled action harvests a real service
// (podman and the Docker engine, uvicorn 0.30.6, the agent) whose sources are the head of a real git repository's pull
// request, then reports the changed lines, the baseline change and unit + E2E figures. Every
// figure is checked against the tests' own computation: coverage.py's `coverage json` report
// intersected with `git diff -U0` read here (test/support/git-repo.ts), never the action's parser.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addedLinesByGit,
  cloneAt,
  commitAll,
  gitIn,
  initRepo,
  tempDir,
  writeFiles,
} from '../support/git-repo.js';
import { GitHubApi } from '../support/github-api.js';
import { appSourceDir, images, markerLine } from '../support/images.js';
import { engines, httpGet, type ServiceContainer } from '../support/engine.js';
import {
  annotations,
  makeWorkspace,
  parseLcov,
  runAction,
  type ActionRun,
} from '../support/run-action.js';

interface ReportFile {
  executed_lines: number[];
  missing_lines: number[];
  summary: { covered_lines: number; num_statements: number };
}
interface Report {
  files: Record<string, ReportFile>;
  totals: { covered_lines: number; num_statements: number };
}

const SERVER = 'https://github.example.com';
const REPOSITORY = 'example/service';

const labels = { 'pycov-e2e': `pr-view-${process.pid}` };

let origin: string;
let forkPoint: string;
let baseSha: string;
let headSha: string;
let mergeSha: string;

const headFiles = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(appSourceDir).map((name) => [
      `src/${name}`,
      readFileSync(join(appSourceDir, name), 'utf8'),
    ]),
  );

/** What main.py looked like before the pull request (the head is what the image runs). */
function baseMain(head: string): string {
  const never = head.indexOf('@app.get("/never")');
  const afterNever = head.indexOf('@app.get("/stream")');
  const lines = head.slice(0, never).concat(head.slice(afterNever)).split('\n');
  // Three header comments the pull request removes: every later line moves up by three.
  lines.splice(2, 0, '# Old header, line 1.', '# Old header, line 2.', '# Old header, line 3.');
  return lines
    .join('\n')
    .replace('kind = "even"  # cov:items-even', 'kind = "pair"  # cov:items-even')
    .replace('# Like a real app closing a database pool slowly', '# Like an app closing a pool')
    .replace('"""Server-sent events that keep', '"""Events that keep');
}

function buildOrigin(): void {
  origin = join(tempDir('pycov-pr-'), 'origin');
  initRepo(origin);
  const head = headFiles();
  const calc = head['src/calc.py'] ?? '';
  writeFiles(origin, {
    'src/__init__.py': head['src/__init__.py'] ?? '',
    'src/main.py': baseMain(head['src/main.py'] ?? ''),
    // Renamed to calc.py by the pull request, which also adds unused_helper.
    'src/arith.py': calc.slice(0, calc.indexOf('\n\n\ndef unused_helper')) + '\n',
    // Deleted by the pull request.
    'src/obsolete.py': 'def gone():\n    return 1\n',
    'README.md': 'service\n',
  });
  forkPoint = commitAll(origin, 'base');
  gitIn(origin, 'checkout', '-q', '-b', 'feature');
  gitIn(origin, 'mv', 'src/arith.py', 'src/calc.py');
  writeFiles(origin, { ...head, 'src/obsolete.py': null });
  headSha = commitAll(origin, 'the pull request: legacy.py added, arith.py renamed, /never');
  gitIn(origin, 'checkout', '-q', 'main');
  writeFiles(origin, { 'docs/notes.md': 'main moved on\n' });
  baseSha = commitAll(origin, 'main moves on');
  gitIn(origin, 'checkout', '-q', '--detach', baseSha);
  gitIn(origin, 'merge', '-q', '--no-ff', '-m', 'Merge feature into main', headSha);
  mergeSha = gitIn(origin, 'rev-parse', 'HEAD');
  gitIn(origin, 'update-ref', 'refs/pull/7/merge', mergeSha);
  gitIn(origin, 'checkout', '-q', 'main');
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];

  beforeAll(async () => {
    await engine.require();
    buildOrigin();
    const service = await engine.startService({
      mode: 'agent',
      labels,
      env: { PYCOV_HARVEST: '1' },
    });
    started.push(service);
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    expect((await httpGet(service.port, '/divide?a=1&b=4')).body).toBe('{"result":0.25}');
  });
  afterAll(() => engine.removeContainers(started));

  function workspaceAt(ref: string, depth?: number) {
    return makeWorkspace((workspace) => cloneAt(origin, workspace, ref, depth));
  }

  function eventEnv(
    place: { runnerTemp: string },
    name = 'pull_request',
    headRepo = REPOSITORY,
  ): NodeJS.ProcessEnv {
    const path = join(place.runnerTemp, 'event.json');
    writeFileSync(
      path,
      JSON.stringify({
        action: 'synchronize',
        number: 7,
        pull_request: {
          number: 7,
          base: { sha: baseSha, repo: { full_name: REPOSITORY } },
          head: { sha: headSha, repo: { full_name: headRepo } },
        },
      }),
    );
    return {
      GITHUB_EVENT_NAME: name,
      GITHUB_EVENT_PATH: path,
      GITHUB_SHA: name === 'pull_request' ? mergeSha : headSha,
      GITHUB_SERVER_URL: SERVER,
      GITHUB_REPOSITORY: REPOSITORY,
    };
  }

  function harvest(
    place: { workspace: string; runnerTemp: string },
    extra: Record<string, string> = {},
    env: NodeJS.ProcessEnv = eventEnv(place),
  ): Promise<ActionRun> {
    return runAction(
      {
        target: 'docker',
        selector: Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        ...engine.inputs,
        'path-map': '/app=.',
        'coverage-image': images.coverage,
        formats: 'lcov,json,html',
        upload: 'false',
        ...extra,
      },
      place,
      { ...engine.env, ...env },
    );
  }

  const explain = (run: ActionRun): string =>
    `exit ${run.exitCode}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

  function reportOf(run: ActionRun, name = 'coverage.json'): Report {
    return JSON.parse(
      readFileSync(join(run.workspace, 'coverage-harvest', name), 'utf8'),
    ) as Report;
  }

  interface Expected {
    statements: number;
    executed: number;
    /** file -> changed statements that did not run */
    missed: Record<string, number[]>;
    percent: string;
  }

  /** coverage.py's statements (executed + missing) intersected with the lines git says were added. */
  function expectedChanged(report: Report, added: Map<string, number[]>): Expected {
    let statements = 0;
    let executed = 0;
    const missed: Record<string, number[]> = {};
    for (const [file, lines] of added) {
      const measured = report.files[file];
      if (!measured) continue;
      const ran = lines.filter((l) => measured.executed_lines.includes(l));
      const notRun = lines.filter((l) => measured.missing_lines.includes(l));
      if (ran.length + notRun.length === 0) continue;
      statements += ran.length + notRun.length;
      executed += ran.length;
      missed[file] = notRun;
    }
    return { statements, executed, missed, percent: ((100 * executed) / statements).toFixed(2) };
  }

  const render = (markdown: string): string =>
    micromark(markdown, {
      allowDangerousHtml: true,
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
    });

  /** The section of rendered HTML from heading `title` to the next heading. */
  function section(html: string, title: string): string {
    const start = html.indexOf(`<h3>${title}</h3>`);
    if (start < 0) return '';
    const next = html.indexOf('<h3>', start + 4);
    return html.slice(start, next < 0 ? undefined : next);
  }

  /** Lines each file's links point at: `#La-Lb` expanded, restricted to `statements` of the file. */
  function linkedLines(html: string, sha: string, report: Report): Record<string, number[]> {
    const result: Record<string, number[]> = {};
    const prefix = `${SERVER}/${REPOSITORY}/blob/${sha}/`;
    for (const [, href] of html.matchAll(/<a href="([^"]+)">/g)) {
      expect(href?.startsWith(prefix), href).toBe(true);
      const [, file = '', from = '', to] =
        /^(.+)#L(\d+)(?:-L(\d+))?$/.exec(decodeURIComponent((href ?? '').slice(prefix.length))) ??
        [];
      const statements = report.files[file]?.missing_lines ?? [];
      const lines = statements.filter((l) => l >= Number(from) && l <= Number(to ?? from));
      result[file] = [...(result[file] ?? []), ...lines];
    }
    return result;
  }

  /** The pull request's own changes: from where it branched off to its head (read from origin). */
  const prAdded = (): Map<string, number[]> => addedLinesByGit(origin, forkPoint, headSha);

  function checkChangedLines(run: ActionRun, expected: Expected): void {
    expect(run.outputs['diff-percent']).toBe(expected.percent);
    expect(JSON.parse(run.outputs['diff-lines'] ?? '')).toEqual(expected.missed);
    const html = render(run.summary);
    expect(html).toContain(
      `of the lines this pull request changes (${expected.executed} of ${expected.statements} statements)`,
    );
    const [table = '', code = ''] = section(html, 'Changed lines').split(
      '<h4>Changed lines not executed</h4>',
    );
    const missedOnly = Object.fromEntries(
      Object.entries(expected.missed).filter(([, l]) => l.length > 0),
    );
    expect(linkedLines(table, headSha, reportOf(run))).toEqual(missedOnly);
    // The same lines again as code: each run linked, its source text from the checkout.
    expect(linkedLines(code, headSha, reportOf(run))).toEqual(missedOnly);
    const never = markerLine('main.py', 'never');
    const source = readFileSync(join(appSourceDir, 'main.py'), 'utf8').split('\n');
    expect(code).toContain(escapeHtml(`${never}  ${source[never - 1] ?? ''}`));
  }

  const escapeHtml = (text: string): string =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

  /** Runs coverage.py in the conversion image in `dir` (mounted with `also`), as a unit-test job would. */
  async function coverageIn(dir: string | [string, string], ...args: string[]): Promise<void> {
    const [cwd, also] = typeof dir === 'string' ? [dir, undefined] : dir;
    await engine.cli(
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${cwd}:${cwd}`,
      ...(also === undefined ? [] : ['-v', `${also}:${also}`]),
      '-w',
      cwd,
      '--entrypoint',
      'python3',
      images.coverage,
      '-m',
      'coverage',
      ...args,
    );
  }

  /** The base branch's run on a checkout of the base commit, its data written as this action writes it. */
  let baseRunDone: Promise<{ dir: string; report: Report }> | undefined;
  function baseRun(): Promise<{ dir: string; report: Report }> {
    baseRunDone ??= (async () => {
      const dir = join(tempDir('pycov-base-'), 'base');
      cloneAt(origin, dir, baseSha);
      writeFiles(dir, {
        '.coveragerc': '[run]\nrelative_files = true\n',
        'base_run.py':
          'from src import arith, obsolete\nassert arith.divide(4, 2) == 2\nassert obsolete.gone() == 1\n',
      });
      await coverageIn(dir, 'run', '--branch', '--source=src', '-m', 'base_run');
      await coverageIn(dir, 'json', '-o', 'base.json');
      return { dir, report: JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8')) as Report };
    })();
    return baseRunDone;
  }

  const linePct = (f: { covered_lines: number; num_statements: number }): number =>
    f.num_statements === 0 ? 100 : (100 * f.covered_lines) / f.num_statements;

  describe('changed lines on pull_request', () => {
    it('a full clone of the head: figures, outputs and links match coverage.json ∩ git diff -U0', async () => {
      const place = workspaceAt('feature');
      const run = await harvest(place, { 'fail-under-diff': '10' });
      expect(run.exitCode, explain(run)).toBe(0);
      const report = reportOf(run);
      const added = prAdded();
      const expected = expectedChanged(report, added);

      // The independent computation is not vacuous: it sees the cases the pull request has.
      expect([...added.keys()].sort()).toEqual(['src/calc.py', 'src/legacy.py', 'src/main.py']);
      const never = markerLine('main.py', 'never');
      const neverReturn = markerLine('main.py', 'never-return');
      expect(expected.missed['src/main.py']).toEqual([never, neverReturn]);
      expect(added.get('src/main.py')).toContain(markerLine('main.py', 'items-even'));
      expect(report.files['src/main.py']?.executed_lines).toContain(
        markerLine('main.py', 'items-even'),
      );
      expect(expected.missed['src/calc.py']).toEqual([markerLine('calc.py', 'calc-unused')]);
      expect(expected.missed['src/legacy.py']).toEqual(
        report.files['src/legacy.py']?.missing_lines,
      );
      // The changed comment and docstring are in the diff but are not statements.
      const comment =
        readFileSync(join(appSourceDir, 'main.py'), 'utf8')
          .split('\n')
          .findIndex((l) => l.includes('# Like a real app closing')) + 1;
      expect(added.get('src/main.py')).toContain(comment);
      expect(report.files['src/main.py']?.missing_lines).not.toContain(comment);
      expect(report.files['src/main.py']?.executed_lines).not.toContain(comment);
      expect(expected.statements).toBeGreaterThan(expected.executed);
      expect(expected.executed).toBeGreaterThan(0);

      checkChangedLines(run, expected);
      const html = render(run.summary);
      expect(html).toMatch(
        new RegExp(
          `^<h2>Python coverage: [\\d.]+% of lines, [\\d.]+% of branches, ${expected.percent.replace('.', '\\.')}% of changed lines</h2>`,
        ),
      );
      const table = section(html, 'Changed lines');
      expect(table).toContain('<code>src/calc.py</code> (renamed from <code>src/arith.py</code>)');
      expect(table).toContain('<code>src/legacy.py</code> (new)');
      expect(table).not.toContain('obsolete');
      // The files table links its missed ranges to the same commit.
      const files = section(html, 'Files, lowest coverage first');
      const missing = Object.fromEntries(
        Object.entries(report.files)
          .filter(([, f]) => f.missing_lines.length > 0)
          .map(([name, f]) => [name, f.missing_lines]),
      );
      const linked = linkedLines(files, headSha, report);
      expect(
        Object.fromEntries(
          Object.entries(linked).map(([f, l]) => [f, [...new Set(l)].sort((a, b) => a - b)]),
        ),
      ).toEqual(missing);
      expect(run.stdout).toContain('the pull request changes 4 file(s)');
    });

    it('a shallow clone of the head: the base is fetched and the clone deepened; fail-under-diff fails in one sentence', async () => {
      const place = workspaceAt(headSha, 1);
      expect(gitIn(place.workspace, 'rev-parse', '--is-shallow-repository')).toBe('true');
      const run = await harvest(place, { 'fail-under-diff': '90' });
      expect(run.exitCode, explain(run)).toBe(1);
      expect(run.stdout).toContain("fetching the pull request's base commit");
      const expected = expectedChanged(reportOf(run), prAdded());
      checkChangedLines(run, expected);
      expect(annotations(run.stdout, 'error')).toEqual([
        `the tests executed ${expected.percent}% of the lines this pull request changes (${expected.executed} of ${expected.statements}), below \`fail-under-diff\` 90%; add tests that run the lines listed under "Changed lines" in the job summary, or lower \`fail-under-diff\``,
      ]);
    });

    it("GitHub's default checkout, the merge commit one commit deep: diffed against its base parent", async () => {
      const place = workspaceAt('refs/pull/7/merge', 1);
      const run = await harvest(place);
      expect(run.exitCode, explain(run)).toBe(0);
      const fromMerge = addedLinesByGit(origin, baseSha, mergeSha);
      expect(fromMerge).toEqual(prAdded());
      checkChangedLines(run, expectedChanged(reportOf(run), fromMerge));
      // No history was needed: the clone stays one commit deep.
      expect(run.stdout).not.toContain('deepening');
      expect(gitIn(place.workspace, 'rev-parse', '--is-shallow-repository')).toBe('true');
    });

    it('a shallow clone whose base cannot be fetched: one sentence with fetch-depth: 0, reports still written', async () => {
      const place = workspaceAt(headSha, 1);
      gitIn(place.workspace, 'remote', 'set-url', 'origin', join(place.workspace, 'gone'));
      const quiet = await harvest(place);
      expect(quiet.exitCode, explain(quiet)).toBe(0);
      const sentence = `the pull request's base commit ${baseSha.slice(0, 7)} is not in this shallow checkout and cannot be fetched`;
      const warning = annotations(quiet.stdout, 'warning').find((w) => w.startsWith(sentence));
      expect(warning).toMatch(/; check out with `fetch-depth: 0` \(actions\/checkout\)$/);
      expect(warning).not.toContain('\n');
      expect(quiet.outputs['diff-percent']).toBe('');
      expect(quiet.outputs['diff-lines']).toBe('');
      expect(quiet.summary).toContain('<strong>Changed lines unknown:</strong>');
      expect(
        parseLcov(readFileSync(join(quiet.workspace, 'coverage-harvest/coverage.lcov'), 'utf8'))
          .size,
      ).toBeGreaterThan(0);

      const strict = await harvest(place, { 'fail-under-diff': '50' });
      expect(strict.exitCode).toBe(1);
      expect(annotations(strict.stdout, 'error')[0]).toMatch(
        /^`fail-under-diff` is set but the changed lines are unknown: the pull request's base commit .* cannot be fetched \(.+\); check out with `fetch-depth: 0` \(actions\/checkout\)$/,
      );
    });

    it('on a push event: no diff outputs, no changed-lines section, fail-under-diff ignored, links to GITHUB_SHA; a coverage.json baseline', async () => {
      const place = workspaceAt('feature');
      const { dir: baseDir, report: base } = await baseRun();
      const run = await harvest(
        place,
        { 'fail-under-diff': '99', baseline: join(baseDir, 'base.json') },
        eventEnv(place, 'push'),
      );
      expect(run.exitCode, explain(run)).toBe(0);
      expect(run.outputs['diff-percent']).toBe('');
      expect(run.outputs['diff-lines']).toBe('');
      const report = reportOf(run);
      expect(run.outputs.delta).toBe((linePct(report.totals) - linePct(base.totals)).toFixed(2));
      // Outside a pull request nothing says arith.py became calc.py: one is gone, one is new.
      const baselineTable = section(render(run.summary), 'Against the baseline');
      expect(baselineTable).toMatch(
        /<tr><td><code>src\/arith.py<\/code><\/td><td>[\d.]+%<\/td><td>removed<\/td>/,
      );
      expect(baselineTable).toMatch(/<tr><td><code>src\/calc.py<\/code><\/td><td>new file<\/td>/);
      expect(run.summary).not.toContain('changed lines');
      expect(run.summary).not.toContain('<h3>Changed lines</h3>');
      const html = render(run.summary);
      expect(
        linkedLines(section(html, 'Files, lowest coverage first'), headSha, reportOf(run)),
      ).not.toEqual({});
    });
  });

  describe('extra-data and baseline on pull_request', () => {
    it('combines the unit tests into the reports, shows E2E-only next to unit + E2E, and the change against a .coverage baseline', async () => {
      const place = workspaceAt('feature');
      const ws = place.workspace;
      // The unit-test job: imports calc and legacy directly and runs what the E2E run did not.
      writeFiles(ws, {
        'unit_run.py':
          'from src import calc, legacy\n' +
          'assert calc.unused_helper(2) == 4\n' +
          'try:\n    calc.divide(1, 0)\nexcept ZeroDivisionError:\n    pass\n' +
          'assert legacy.old_report([1, 2]) == 3\n',
      });
      // Its data downloaded outside the workspace: the conversion container must mount it.
      const unitDir = join(tempDir('pycov-unit-'), 'unit-coverage');
      mkdirSync(unitDir);
      await coverageIn(
        [ws, unitDir],
        'run',
        '--branch',
        '--source=src',
        `--data-file=${unitDir}/.coverage`,
        '-m',
        'unit_run',
      );
      const { dir: baseDir, report: base } = await baseRun();
      writeFileSync(join(ws, 'base-coverage.sqlite'), readFileSync(join(baseDir, '.coverage')));

      const run = await harvest(place, {
        'extra-data': `${unitDir}/*`,
        baseline: 'base-coverage.sqlite',
      });
      expect(run.exitCode, explain(run)).toBe(0);

      // E2E only equals a run without extra data; unit + E2E is the union of executed lines.
      const e2e = reportOf(run, 'coverage-e2e.json');
      const both = reportOf(run);
      const plain = await harvest(workspaceAt('feature'));
      expect(plain.exitCode, explain(plain)).toBe(0);
      const e2eAlone = reportOf(plain);
      expect(Object.keys(e2e.files).sort()).toEqual(Object.keys(e2eAlone.files).sort());
      for (const [file, measured] of Object.entries(e2eAlone.files)) {
        expect(e2e.files[file]?.executed_lines, file).toEqual(measured.executed_lines);
      }
      await coverageIn(
        [ws, unitDir],
        'json',
        `--data-file=${unitDir}/.coverage`,
        '-o',
        'unit.json',
      );
      const unit = JSON.parse(readFileSync(join(ws, 'unit.json'), 'utf8')) as Report;
      for (const file of ['src/calc.py', 'src/legacy.py', 'src/main.py']) {
        const union = [
          ...new Set([
            ...(e2e.files[file]?.executed_lines ?? []),
            ...(unit.files[file]?.executed_lines ?? []),
          ]),
        ].sort((a, b) => a - b);
        expect(both.files[file]?.executed_lines, file).toEqual(union);
      }
      expect(both.files['src/calc.py']?.executed_lines).toContain(
        markerLine('calc.py', 'calc-unused'),
      );
      expect(e2e.files['src/calc.py']?.missing_lines).toContain(
        markerLine('calc.py', 'calc-unused'),
      );
      // The user's unit data file is kept.
      expect(readdirSync(unitDir)).toContain('.coverage');

      const expectedBoth = expectedChanged(both, prAdded());
      const expectedE2e = expectedChanged(e2e, prAdded());
      expect(expectedBoth.executed).toBeGreaterThan(expectedE2e.executed);
      checkChangedLines(run, expectedBoth);
      const html = render(run.summary);
      expect(html).toContain(
        `; the E2E run alone ${expectedE2e.percent}% (${expectedE2e.executed} of ${expectedE2e.statements}).`,
      );
      const pct = (r: Report) =>
        ((100 * r.totals.covered_lines) / r.totals.num_statements).toFixed(2);
      expect(html).toContain(
        `<tr><td>E2E only</td><td>${pct(e2e)}% (${e2e.totals.covered_lines}/${e2e.totals.num_statements})</td>`,
      );
      expect(html).toContain(
        `<tr><td>Unit + E2E</td><td>${pct(both)}% (${both.totals.covered_lines}/${both.totals.num_statements})</td>`,
      );
      expect(run.outputs.percent).toBe(pct(both));

      // The baseline, read by coverage.py against the base commit's sources.
      const delta = linePct(both.totals) - linePct(base.totals);
      expect(run.outputs.delta).toBe(delta.toFixed(2));
      const baselineTable = section(html, 'Against the baseline');
      const calcBase = linePct(
        base.files['src/arith.py']?.summary ?? { covered_lines: 0, num_statements: 0 },
      );
      const calcNow = linePct(
        both.files['src/calc.py']?.summary ?? { covered_lines: 0, num_statements: 0 },
      );
      expect(baselineTable).toContain(
        `<tr><td><code>src/calc.py</code> (renamed from <code>src/arith.py</code>)</td><td>${calcBase.toFixed(2)}%</td><td>${calcNow.toFixed(2)}%</td>`,
      );
      expect(baselineTable).toMatch(
        /<tr><td><code>src\/obsolete.py<\/code><\/td><td>100.00%<\/td><td>removed<\/td>/,
      );
      expect(html).toContain(`of lines (${delta > 0 ? '+' : ''}${delta.toFixed(2)} points).</p>`);
    });
  });

  describe('extra-data that cannot be combined', () => {
    it('unit data measured without branches: one warning names the extra-data file, and the step goes on without it', async () => {
      const place = workspaceAt('feature');
      writeFiles(place.workspace, {
        'unit_run.py': 'from src import calc\ncalc.unused_helper(1)\n',
      });
      await coverageIn(place.workspace, 'run', '--data-file=lines/.coverage', '-m', 'unit_run');
      const run = await harvest(place, { 'extra-data': 'lines/.coverage' });
      expect(run.exitCode, explain(run)).toBe(0);
      const warnings = annotations(run.stdout, 'warning');
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /^`extra-data` file lines\/\.coverage \(\d+ bytes\) cannot be combined with the E2E data \(it holds line data, they hold branch data\); measure the unit tests and the services the same way, both with `branch = true` or both without; it is left out$/,
        ),
      );
      expect(run.summary).toContain('cannot be combined with the E2E data');
      // Nothing was added: unit + E2E is the E2E run.
      expect(reportOf(run).totals).toEqual(reportOf(run, 'coverage-e2e.json').totals);
    });

    it('an extra-data file coverage.py cannot read and a .coverage baseline it cannot report are warnings that name them; the reports are written', async () => {
      const place = workspaceAt('feature');
      writeFiles(place.workspace, { 'unit/.coverage.torn': 'not a database' });
      writeFileSync(
        join(place.workspace, 'broken-baseline'),
        Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(200, 7)]),
      );
      const run = await harvest(place, { 'extra-data': 'unit/', baseline: 'broken-baseline' });
      expect(run.exitCode, explain(run)).toBe(0);
      const warnings = annotations(run.stdout, 'warning');
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /^`extra-data` file unit\/\.coverage\.torn \(14 bytes\) is not usable coverage data \(.+\); it is left out$/,
        ),
      );
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /^`baseline` \S+\/broken-baseline cannot be used \(coverage\.py: .+\); give the base branch's coverage\.json or combined \.coverage written by this action$/,
        ),
      );
      expect(run.outputs.delta).toBe('');
      expect(run.summary).not.toContain('Against the baseline');
      // Nothing was added: unit + E2E is the E2E run.
      const both = reportOf(run);
      const e2e = reportOf(run, 'coverage-e2e.json');
      expect(both.totals).toEqual(e2e.totals);
      expect(both.totals.covered_lines).toBeGreaterThan(0);
    });
  });

  describe('the sticky comment', () => {
    const TOKEN = 'ghs_e2e_token';
    let github: GitHubApi;
    beforeAll(async () => {
      github = new GitHubApi({
        token: TOKEN,
        identity: { login: 'github-actions[bot]', type: 'Bot' },
      });
      await github.start();
    });
    afterAll(() => github.stop());

    const commenting = (place: { workspace: string; runnerTemp: string }, env: NodeJS.ProcessEnv) =>
      harvest(
        place,
        { 'github-token': TOKEN },
        {
          ...env,
          GITHUB_API_URL: github.url,
          GITHUB_RUN_ID: '42',
          GITHUB_WORKFLOW: 'CI',
          GITHUB_JOB: 'e2e',
        },
      );

    it('posts one comment with the missed changed lines as code, and updates it on the next run', async () => {
      github.comments.length = 0;
      const place = workspaceAt('feature');
      const first = await commenting(place, eventEnv(place));
      expect(first.exitCode, explain(first)).toBe(0);
      expect(github.comments).toHaveLength(1);
      const comment = github.comments[0];
      expect(first.outputs['comment-url']).toBe(comment?.html_url);
      expect(comment?.body.split('\n')[0]).toBe('<!-- pycov-harvest:CI/e2e/python-coverage -->');
      const html = render(comment?.body ?? '');
      const expected = expectedChanged(reportOf(first), prAdded());
      expect(html).toContain(
        `The E2E run executed ${expected.executed} of the ${expected.statements} statements this pull request changes.`,
      );
      const missedOnly = Object.fromEntries(
        Object.entries(expected.missed).filter(([, l]) => l.length > 0),
      );
      expect(linkedLines(html.split('<sub>')[0] ?? '', headSha, reportOf(first))).toEqual(
        missedOnly,
      );
      const never = markerLine('main.py', 'never');
      const source = readFileSync(join(appSourceDir, 'main.py'), 'utf8').split('\n');
      expect(html).toContain(escapeHtml(`${never}  ${source[never - 1] ?? ''}`));
      expect(html).toContain('href="https://github.example.com/example/service/actions/runs/42"');
      // The same body is in output-dir, for a comment posted from another workflow.
      expect(readFileSync(join(place.workspace, 'coverage-harvest', 'pr-comment.md'), 'utf8')).toBe(
        comment?.body,
      );

      const again = await commenting(workspaceAt('feature'), eventEnv(place));
      expect(again.exitCode, explain(again)).toBe(0);
      expect(github.comments).toHaveLength(1);
      expect(github.comments[0]?.updates).toBe(1);
      expect(again.outputs['comment-url']).toBe(comment?.html_url);
      expect(render(again.summary)).toContain(
        `<p>Pull request comment: <a href="${comment?.html_url ?? ''}">`,
      );
    });

    it('a fork pull request: the read-only token is one warning, and the step succeeds with its summary', async () => {
      github.comments.length = 0;
      github.fail('create', { status: 403, message: 'Resource not accessible by integration' });
      const place = workspaceAt('feature');
      const run = await commenting(place, eventEnv(place, 'pull_request', 'someone/fork'));
      expect(run.exitCode, explain(run)).toBe(0);
      expect(github.comments).toHaveLength(0);
      expect(run.outputs['comment-url']).toBe('');
      expect(annotations(run.stdout, 'warning')).toContainEqual(
        expect.stringMatching(
          /this pull request comes from a fork, where the run’s token is read-only: post the comment from a `workflow_run` workflow/,
        ),
      );
      expect(run.summary).toMatch(/^<h2>Python coverage: /);
      // The summary's last line says why there is no comment (escaped text, read back).
      const note =
        run.summary
          .split('\n')
          .filter((l) => l.includes('Pull request comment'))
          .pop() ?? '';
      const text = note
        .replace(/<[^>]+>/g, '')
        .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
      expect(text).toMatch(
        /^Pull request comment not written: the token may not comment on pull request #7 of example\/service \(403: Resource not accessible by integration\); this pull request comes from a fork/,
      );
    });
  });
});
