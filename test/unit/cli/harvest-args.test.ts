// `harvest`'s options: every action input under its own name, held to action.yml; the CLI's own
// defaults outside GitHub; usage errors in the options' names.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { INPUT_OPTIONS } from '../../../src/cli/catalog.js';
import { parseHarvestArgs } from '../../../src/cli/harvest.js';
import { UsageError } from '../../../src/cli/options.js';
import { harvestUsage } from '../../../src/cli/usage.js';

const root = resolve(import.meta.dirname, '../../..');
const action = load(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
};
const base = ['--target', 'docker', '--selector', 'app=api'];

describe('the harvest options', () => {
  it('are the inputs of action.yml, in its order, with its defaults', () => {
    expect(INPUT_OPTIONS.map((o) => o.name)).toEqual(Object.keys(action.inputs));
    for (const option of INPUT_OPTIONS) {
      const input = action.inputs[option.name];
      expect(option.actionDefault ?? option.default, option.name).toBe(input?.default ?? '');
    }
  });

  it('are all listed by --help', () => {
    const help = harvestUsage();
    for (const name of Object.keys(action.inputs)) expect(help).toContain(`--${name} `);
  });

  it('take every input by its own name; paths start at the current directory', () => {
    const inputs = parseHarvestArgs(
      [
        ...base,
        '--flush-timeout=3',
        '--path-map',
        '/app=.',
        '--path-map',
        '/lib=vendor',
        '--formats',
        'json',
        '--formats',
        'xml',
        '--output-dir',
        'out',
        '--fail-under',
        '80',
      ],
      {},
      '/work/repo',
    );
    expect(inputs.flushTimeoutMs).toBe(3000);
    expect(inputs.pathMap).toEqual([
      { remote: '/app', local: '/work/repo' },
      { remote: '/lib', local: '/work/repo/vendor' },
    ]);
    expect(inputs.formats).toEqual(['json', 'xml']);
    expect(inputs.outputDir).toBe('/work/repo/out');
    expect(inputs.workspace).toBe('/work/repo');
    expect(inputs.failUnder).toBe(80);
  });

  it('upload nothing and comment nowhere by default outside GitHub; the workspace is the cwd', () => {
    const env = { GITHUB_WORKSPACE: '/elsewhere' };
    const inputs = parseHarvestArgs(base, env, '/work/repo');
    expect(inputs.upload).toBe(false);
    expect(inputs.comment).toBe('never');
    expect(inputs.githubToken).toBe('');
    expect(inputs.workspace).toBe('/work/repo');
    const inPullRequest = parseHarvestArgs(base, { GITHUB_EVENT_NAME: 'pull_request' }, '/w');
    expect(inPullRequest.comment).toBe('auto');
    const asked = parseHarvestArgs(
      [...base, '--comment', 'always', '--github-token', 't'],
      {},
      '/w',
    );
    expect(asked.comment).toBe('always');
    expect(asked.githubToken).toBe('t');
  });

  it.each([
    [['--selector', 'a=b'], '`--target docker|kubernetes` is required'],
    [['--target', 'docker'], '`--selector` is required'],
    [[...base, 'extra'], '`harvest` takes only options (got "extra")'],
    [[...base, '--timeout', '3'], 'unknown option `--timeout`; see `--help` for the options'],
    [[...base, '--fail-undr', '3'], 'unknown option `--fail-undr`; did you mean `--fail-under`?'],
    [[...base, '--fail-under', '3', '--fail-under', '4'], 'option `--fail-under` is given twice'],
    [[...base, '--namespace'], 'option `--namespace` needs a value'],
    [
      [...base, '--formats', 'pdf'],
      'option `--formats` is `pdf`; use one of `lcov`, `xml`, `json`, `html`',
    ],
    [
      [...base, '--flush-timeout', 'soon'],
      'option `--flush-timeout` is `soon`; give a number of seconds',
    ],
    [[...base, '--upload', 'true'], '`--upload true` uploads a GitHub Actions artifact'],
  ])('refuse %j', (argv, message) => {
    const parse = () => parseHarvestArgs(argv, {}, '/w');
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('upload from inside a GitHub Actions job', () => {
    const inputs = parseHarvestArgs(
      [...base, '--upload', 'true'],
      { ACTIONS_RUNTIME_TOKEN: 'x' },
      '/w',
    );
    expect(inputs.upload).toBe(true);
  });
});
