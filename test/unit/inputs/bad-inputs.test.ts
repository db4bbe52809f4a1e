// Every bad input is refused with one sentence and its fix before anything runs: the bundled
// action is run for each, with a container CLI that records any call, in a workspace whose
// surroundings are fingerprinted before and after.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getInputs } from '../../../src/inputs/get-inputs.js';
import { annotations, runAction } from '../../support/run-action.js';

interface Case {
  readonly inputs: Record<string, string>;
  /** The whole message: `input \`x\` ... ; fix`. */
  readonly message: string | RegExp;
}

const seconds = (input: string, value: string): Case => ({
  inputs: { [input]: value },
  message: `input \`${input}\` is \`${value}\`; give a number of seconds greater than 0 and at most 3600, e.g. \`10\``,
});
const percent = (value: string): Case => ({
  inputs: { 'fail-under': value },
  message: `input \`fail-under\` is \`${value}\`; give a percentage between 0 and 100, or leave it empty`,
});
const signalName = (value: string): Case => ({
  inputs: { signal: value },
  message: `input \`signal\` is \`${value}\`, not a signal name; give a name such as \`SIGUSR1\` or \`SIGUSR2\` (numbers differ between platforms)`,
});
const artifact = (value: string, bad: string): Case => ({
  inputs: { 'artifact-name': value },
  message: `input \`artifact-name\` is \`${value}\`, with ${JSON.stringify(bad)}, which the artifact service refuses; give a name without " : < > | * ? \\ / or line breaks, e.g. \`python-coverage\``,
});
const outside = (value: string): Case => ({
  inputs: { 'output-dir': value },
  message: new RegExp(
    `^input \`output-dir\` is \`${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`, which resolves outside the workspace \\(.+\\); give a directory inside the workspace of its own, e.g. \`coverage-harvest\`$`,
  ),
});

/** A bad `extra-data` item after a good one: each item is checked. */
const extra = (item: string, why: string): Case => ({
  inputs: { 'extra-data': `unit-coverage/.coverage\n${item}` },
  message: `input \`extra-data\` has \`${item}\`, ${why}; give paths or globs of the other job's data files elsewhere, e.g. \`unit-coverage/.coverage*\``,
});

const CASES: Case[] = [
  signalName('SIGFOO'),
  signalName('9'),
  signalName('10'),
  signalName(''.padEnd(3, 'X')),
  signalName('SIG USR1'),
  {
    inputs: { signal: 'SIGKILL' },
    message: 'input `signal` is `SIGKILL`, which cannot be caught; use `SIGUSR1` or `SIGUSR2`',
  },
  {
    inputs: { signal: 'term' },
    message: 'input `signal` is `term`, which is the `sigterm` method; use `SIGUSR1` or `SIGUSR2`',
  },
  {
    inputs: { signal: 'SIGINT' },
    message:
      'input `signal` is `SIGINT`, which makes servers quit (the `sigterm` method uses it to force a hanging shutdown); use `SIGUSR1` or `SIGUSR2`',
  },
  {
    inputs: { signal: 'STOP' },
    message: 'input `signal` is `STOP`, which cannot be caught; use `SIGUSR1` or `SIGUSR2`',
  },
  percent('0x64'),
  percent('1e2'),
  percent('-1'),
  percent('101'),
  percent('50 %'),
  percent('fifty'),
  percent('Infinity'),
  seconds('flush-timeout', '0'),
  seconds('flush-timeout', '-5'),
  seconds('flush-timeout', '3000000'),
  seconds('flush-timeout', '0x10'),
  seconds('flush-timeout', '1e3'),
  seconds('flush-timeout', 'ten'),
  seconds('graceful-timeout', '0'),
  seconds('graceful-timeout', '86400'),
  seconds('graceful-timeout', 'NaN'),
  seconds('graceful-timeout', '5s'),
  artifact('cov:erage', ':'),
  artifact('a/b', '/'),
  artifact('what?', '?'),
  artifact('star*', '*'),
  artifact('pipe|name', '|'),
  artifact('back\\slash', '\\'),
  artifact('"quoted"', '"'),
  outside('../../escape'),
  outside('..'),
  outside('/tmp/elsewhere'),
  outside('link-out/reports'),
  {
    inputs: { 'output-dir': '.' },
    message:
      /^input `output-dir` is `\.`, which is the workspace itself \(.+\); give a directory inside the workspace of its own, e.g. `coverage-harvest`$/,
  },
  {
    inputs: { selector: '-l' },
    message:
      'input `selector` has `-l`, which begins with `-`; give label selectors like `app=api` or container names, which never begin with `-`',
  },
  {
    inputs: { selector: 'api,--privileged' },
    message:
      'input `selector` has `--privileged`, which begins with `-`; give label selectors like `app=api` or container names, which never begin with `-`',
  },
  {
    inputs: { selector: 'app in (a,b)' },
    message:
      'input `selector` is `app in (a,b)`, a set-based selector that docker label filters cannot express; use `key=value` or `key` items separated by commas, e.g. `app=api,tier=web`',
  },
  {
    inputs: { selector: 'tier notin (web)' },
    message:
      'input `selector` is `tier notin (web)`, a set-based selector that docker label filters cannot express; use `key=value` or `key` items separated by commas, e.g. `app=api,tier=web`',
  },
  {
    inputs: { selector: '!canary' },
    message:
      'input `selector` is `!canary`, a set-based selector that docker label filters cannot express; use `key=value` or `key` items separated by commas, e.g. `app=api,tier=web`',
  },
  {
    inputs: { target: 'kubernetes', container: '-it' },
    message:
      'input `container` is `-it`, which begins with `-`; give the container name as the pod spec has it, e.g. `api`',
  },
  {
    inputs: { methods: 'sigterm,http' },
    message:
      'input `methods` is `sigterm,http`, with `sigterm` before `http`; put `sigterm` last: it stops the service, so no method can run after it',
  },
  {
    inputs: { methods: 'http,ftp' },
    message: 'input `methods` is `ftp`; use one of `http`, `signal`, `attach`, `sigterm`',
  },
  {
    inputs: { 'agent-port': '0x2645' },
    message: 'input `agent-port` is `0x2645`; give a TCP port between 1 and 65535',
  },
  {
    inputs: { 'agent-port': '70000' },
    message: 'input `agent-port` is `70000`; give a TCP port between 1 and 65535',
  },
  {
    inputs: { 'data-dir': 'coverdata' },
    message:
      'input `data-dir` is `coverdata`; give an absolute path inside the targets, e.g. `/coverdata`',
  },
  {
    inputs: { 'docker-command': 'docker --host x' },
    message:
      'input `docker-command` is `docker --host x`; give one program name, e.g. `docker` or `podman`',
  },
  {
    inputs: { upload: 'yes' },
    message: 'input `upload` is `yes`; use `true` or `false`',
  },
  {
    inputs: { formats: 'lcov,pdf' },
    message: 'input `formats` is `pdf`; use one of `lcov`, `xml`, `json`, `html`',
  },
  {
    inputs: { 'fail-under-diff': '0x10' },
    message:
      'input `fail-under-diff` is `0x10`; give a percentage between 0 and 100, or leave it empty',
  },
  {
    inputs: { 'fail-under-diff': '150' },
    message:
      'input `fail-under-diff` is `150`; give a percentage between 0 and 100, or leave it empty',
  },
  {
    inputs: { baseline: 'coverage-harvest/coverage.json' },
    message:
      "input `baseline` is `coverage-harvest/coverage.json`, inside `output-dir`, which this step rewrites; download the base branch's coverage to another directory, e.g. `baseline/`",
  },
  {
    inputs: { baseline: 'base/coverage.json\nbase/.coverage' },
    message:
      "input `baseline` has 2 lines; give one file, the base branch's `coverage.json` or `.coverage`",
  },
  extra('!unit/.coverage', 'which begins with `!`, an exclusion this input does not take'),
  extra('#unit/.coverage', 'which begins with `#`, which the glob matcher reads as a comment'),
  extra(
    'coverage-harvest/data/**/.coverage*',
    'inside `output-dir`, where this step writes its own data',
  ),
  extra('coverage-harvest', 'inside `output-dir`, where this step writes its own data'),
  {
    inputs: { target: 'nomad' },
    message: 'input `target` is `nomad`; use one of `docker`, `kubernetes`',
  },
];

/** A fingerprint of every file under `root` (paths, sizes, contents). */
function fingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      hash.update(`${path}\0${stat?.isDirectory() ? 'd' : stat?.size}\0`);
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile()) hash.update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest('hex');
}

/** A workspace with a neighbour directory outside it, a link out of it and a recording CLI. */
function world() {
  const root = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
  const workspace = join(root, 'work/repo/workspace');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(runnerTemp);
  mkdirSync(join(root, 'work/escape/data'), { recursive: true });
  writeFileSync(join(root, 'work/escape/data/keep.txt'), 'precious');
  writeFileSync(join(workspace, 'app.py'), 'print(1)\n');
  symlinkSync(join(root, 'work/escape'), join(workspace, 'link-out'));
  const calls = join(root, 'cli-calls.log');
  const cli = join(root, 'recording-cli');
  writeFileSync(cli, `#!/bin/sh\necho "$@" >> ${calls}\nexit 1\n`);
  chmodSync(cli, 0o755);
  return { root, workspace, runnerTemp, cli, calls };
}

describe('bad inputs', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c) => [Object.entries(c.inputs)[0]?.join('=') ?? '', c] as const))(
    '%s: one sentence with the fix, and nothing runs or changes',
    async (_, { inputs, message }) => {
      const place = world();
      const all = {
        target: 'docker',
        selector: 'app=api',
        'docker-command': place.cli,
        ...inputs,
      };
      // The parser alone says the same.
      expect(() =>
        getInputs((name) => all[name as keyof typeof all] ?? '', {
          GITHUB_WORKSPACE: place.workspace,
        }),
      ).toThrow(message);

      const outside = join(place.root, 'work');
      const before = fingerprint(outside);
      const run = await runAction(all, place);
      expect(run.exitCode).toBe(1);
      const errors = annotations(run.stdout, 'error');
      expect(errors).toHaveLength(1);
      if (typeof message === 'string') expect(errors[0]).toBe(message);
      else expect(errors[0]).toMatch(message);
      expect(existsSync(place.calls)).toBe(false);
      expect(fingerprint(outside)).toBe(before);
      // The failed step still says why in the job summary.
      expect(run.summary).toContain('the harvest failed');
    },
  );
});
