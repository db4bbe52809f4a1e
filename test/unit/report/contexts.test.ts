import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../../src/cli/args.js';
import { getInputs } from '../../../src/inputs/get-inputs.js';
import { contextLines, summarizeContexts } from '../../../src/report/contexts.js';
import {
  parseCoverageJson,
  readCoverageJson,
  type CoverageFile,
  type CoverageJson,
} from '../../../src/report/coverage-json.js';
import { renderSummary } from '../../../src/summary/render.js';
import { outcomeLine } from '../../../src/harvest/switch.js';

const fixture = (): Promise<CoverageJson> =>
  readCoverageJson(
    join(import.meta.dirname, '..', 'fixtures', 'coverage-json', 'lines-7.13.0.json'),
  );

/** A report as `coverage json --show-contexts` writes it: two files, line → contexts. */
function withContexts(
  base: CoverageJson,
  contexts: Record<string, Record<string, string[]>>,
): CoverageJson {
  const files: Record<string, CoverageFile> = {};
  for (const [name, byLine] of Object.entries(contexts)) {
    const executed = Object.keys(byLine)
      .map(Number)
      .filter((line) => line < 100); // lines >= 100 stand for lines that are not statements
    files[name] = {
      executed_lines: executed,
      missing_lines: [],
      excluded_lines: [],
      summary: { ...base.totals, covered_lines: executed.length, num_statements: executed.length },
      contexts: byLine,
    };
  }
  return { ...base, meta: { ...base.meta, show_contexts: true }, files };
}

describe('contextLines', () => {
  it('is undefined for a report without contexts, or with none but the empty one', async () => {
    const plain = await fixture();
    expect(contextLines(plain)).toBeUndefined();
    expect(contextLines(withContexts(plain, { 'a.py': { '1': [''], '2': [''] } }))).toBeUndefined();
  });

  it('maps context → file → sorted executed lines, leaving out lines that are not statements', async () => {
    const report = withContexts(await fixture(), {
      'b.py': { '3': ['t2', 't1'], '1': ['t1'], '150': ['t1'] },
      'a.py': { '7': ['', 't2'], '2': [''] },
    });
    expect(contextLines(report)).toEqual({
      '': { 'a.py': [2, 7] },
      t1: { 'b.py': [1, 3] },
      t2: { 'a.py': [7], 'b.py': [3] },
    });
  });
});

describe("contextLines with the agent's marks", () => {
  // What the template's config leaves in data not written by the agent: coverage.py's own
  // `dynamic_context = test_function` names route handlers called test_*; a static `[run]
  // context` joins the harness's names with a pipe.
  const labels = { ci: '', 'ci|e2e_login': 'e2e_login', 'ci|e2e_email': 'e2e_email' };

  it('counts only the contexts the harness switched, by their names; the rest as outside', async () => {
    const report = withContexts(await fixture(), {
      'main.py': {
        '1': ['ci'],
        '2': ['ci|e2e_login'],
        '3': ['ci|e2e_email', 'app.main.test_email'],
        '4': ['app.main.test_email'],
      },
    });
    expect(contextLines(report, labels)).toEqual({
      '': { 'main.py': [1, 3, 4] },
      e2e_email: { 'main.py': [3] },
      e2e_login: { 'main.py': [2] },
    });
  });

  it('is undefined when no context was switched by the harness', async () => {
    const report = withContexts(await fixture(), {
      'main.py': { '1': ['app.main.test_email'], '2': ['ci'] },
    });
    expect(contextLines(report, labels)).toBeUndefined();
    expect(contextLines(report, {})).toBeUndefined();
  });
});

describe('summarizeContexts', () => {
  it('counts lines per context and lines only it ran, among named contexts', () => {
    const summary = summarizeContexts({
      '': { 'a.py': [1, 2, 3] },
      refund: { 'a.py': [3, 4, 5], 'b.py': [1] },
      checkout: { 'a.py': [4], 'b.py': [2, 3] },
      health: { 'a.py': [4] },
      login: { 'b.py': [9] },
    });
    expect(summary.contexts).toEqual([
      { name: 'refund', lines: 4, unique: 3, files: 2 },
      { name: 'checkout', lines: 3, unique: 2, files: 2 },
      { name: 'login', lines: 1, unique: 1, files: 1 },
      { name: 'health', lines: 1, unique: 0, files: 1 },
    ]);
    // Lines some named context ran: a.py 3,4,5 and b.py 1,2,3,9; only outside: a.py 1, 2.
    expect(summary.linesInContexts).toBe(7);
    expect(summary.outsideOnly).toBe(2);
  });
});

describe('the "E2E tests" section', () => {
  it('is absent without contexts: a run without switches looks as before', async () => {
    const coverage = await fixture();
    const text = renderSummary({ coverage, targets: [], warnings: [], reports: {} });
    expect(text).not.toContain('E2E tests');
  });

  it('shows the counts, the top contexts by unique lines, every context and those that ran nothing unique', async () => {
    const names = Array.from({ length: 14 }, (_, i) => `test_${String(i).padStart(2, '0')}`);
    const lines: Record<string, Record<string, number[]>> = {};
    names.forEach((name, i) => {
      // test_i runs lines 1..i+1 of a.py (shared) and, for even i, line 100+i alone.
      lines[name] = {
        'a.py': [
          ...Array.from({ length: i + 1 }, (_, n) => n + 1),
          ...(i % 2 === 0 ? [100 + i] : []),
        ],
      };
    });
    lines['<script>|odd*'] = { 'z.py': [1] };
    const contexts = summarizeContexts(lines);
    const coverage = await fixture();
    const text = renderSummary({ coverage, targets: [], warnings: [], reports: {}, contexts });
    expect(text).toContain('<h3>E2E tests</h3>');
    expect(text).toContain('15 contexts ran');
    // Nine contexts ran a line alone: the top table lists them (at most ten), no others.
    expect(text).toContain('Top 9 by lines only they ran:');
    expect(text).toContain('All 15 contexts, by name');
    // test_13 ran line 14 alone (the longest run), test_12 line 112 alone.
    expect(text).toMatch(/<code>test&#95;12<\/code><\/td><td>14<\/td><td>1<\/td><td>1<\/td>/);
    expect(text).toMatch(/<code>test&#95;13<\/code><\/td><td>14<\/td><td>1<\/td><td>1<\/td>/);
    // Odd ones below 13 run only lines others ran too.
    expect(text).toContain('6 contexts ran no line that no other context ran');
    expect(text).toMatch(/6 contexts that ran nothing other contexts did not<\/summary>/);
    expect(text).not.toContain('<script>');
    expect(text).toContain('&#60;script&#62;&#124;odd&#42;');
  });

  it('in the short summary (files too large) keeps the counts and the top table only', async () => {
    const contexts = summarizeContexts({ a: { 'a.py': [1] }, b: { 'a.py': [1] } });
    const text = renderSummary(
      { coverage: await fixture(), targets: [], warnings: [], reports: {}, contexts },
      { filesNote: 'too large' },
    );
    expect(text).toContain('E2E tests');
    expect(text).not.toContain('that ran nothing other contexts did not');
  });
});

describe('coverage json contexts', () => {
  it('are checked when present', async () => {
    const base = await fixture();
    const name = Object.keys(base.files)[0] ?? '';
    const broken = JSON.parse(JSON.stringify(base)) as {
      files: Record<string, { contexts?: unknown }>;
    };
    (broken.files[name] ?? {}).contexts = { x: ['t1'] };
    expect(() => parseCoverageJson(broken)).toThrow(
      /contexts\["x"\] should be a list of context names/,
    );
  });
});

describe('dist/cli.js arguments', () => {
  const env = { GITHUB_WORKSPACE: '/tmp' };
  const base = ['--target', 'kubernetes', '--selector', 'app=api'];

  it('takes the context and the options as the action inputs of the same names', () => {
    const request = parseCliArgs(
      [
        'context',
        'test refund',
        ...base,
        '--namespace=e2e',
        '--container',
        'api',
        '--timeout',
        '3',
        '--data-dir',
        '/data',
        '--agent-port',
        '9000',
      ],
      env,
    );
    expect(request.context).toBe('test refund');
    expect(request.inputs.target).toBe('kubernetes');
    expect(request.inputs.selector).toBe('app=api');
    expect(request.inputs.namespace).toBe('e2e');
    expect(request.inputs.container).toBe('api');
    expect(request.inputs.flushTimeoutMs).toBe(3000);
    expect(request.inputs.dataDir).toBe('/data');
    expect(request.inputs.agentPort).toBe(9000);
  });

  it('takes an empty name (no context) and a name that begins with a dash after --', () => {
    expect(parseCliArgs(['context', '', ...base], env).context).toBe('');
    expect(parseCliArgs(['context', ...base, '--', '--weird'], env).context).toBe('--weird');
    const docker = parseCliArgs(
      ['context', 't1', '--target', 'docker', '--selector', 'api', '--docker-command', 'podman'],
      env,
    );
    expect(docker.inputs.dockerCommand).toBe('podman');
  });

  it.each([
    [[], /no command given/],
    [['switch', 't1', ...base], /unknown command `switch`/],
    [['context', ...base], /name the context/],
    [['context', 'a', 'b', ...base], /one context name, got 2/],
    [['context', 't1', '--target', 'docker'], /`--selector` is required/],
    [['context', 't1', '--selector', 'a=b'], /`--target docker\|kubernetes` is required/],
    [['context', 't1', ...base, '--colour', 'red'], /unknown option `--colour`/],
    [['context', 't1', ...base, '--namespace'], /option `--namespace` needs a value/],
    [['context', 't1', ...base, '--namespace', 'a', '--namespace', 'b'], /given twice/],
    [['context', 't1', ...base, '--timeout', 'soon'], /^option `--timeout`/],
    [['context', 't1', '--target', 'swarm', '--selector', 'a=b'], /^option `--target`/],
    [['context', 'a\nb', ...base], /without control characters/],
    [['context', 'x'.repeat(257), ...base], /at most 256 bytes/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv, env)).toThrow(UsageError);
    expect(() => parseCliArgs(argv, env)).toThrow(message);
  });

  it('prints one line per target', () => {
    expect(
      outcomeLine('t1', { label: 'pod e2e/api-1', ok: true, processes: 3, ms: 41, detail: 'via' }),
    ).toBe('pod e2e/api-1: context "t1" in 3 process(es), 41 ms (via)');
    expect(outcomeLine('', { label: 'c', ok: false, processes: 0, ms: 5, detail: 'why' })).toBe(
      'c: FAILED to switch to no context after 5 ms: why',
    );
  });
});

describe('the reset input', () => {
  const env = { GITHUB_WORKSPACE: '/tmp' };
  const read = (values: Record<string, string>) => (name: string) =>
    ({ target: 'docker', selector: 'app=api', ...values })[name] ?? '';

  it('is off by default and takes true or false', () => {
    expect(getInputs(read({}), env).reset).toBe(false);
    expect(getInputs(read({ reset: 'true' }), env).reset).toBe(true);
    expect(getInputs(read({ reset: 'false' }), env).reset).toBe(false);
  });

  it('refuses anything else, naming the input', () => {
    expect(() => getInputs(read({ reset: 'sometimes' }), env)).toThrow(/^input `reset`/);
  });
});
