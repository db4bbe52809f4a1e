import { load } from 'js-yaml';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSignal } from '../../../src/inputs/flush.js';
import { getInputs } from '../../../src/inputs/get-inputs.js';
import { splitList } from '../../../src/inputs/parse.js';
import { parsePathMap } from '../../../src/inputs/paths.js';

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? '';
}

const env = { GITHUB_WORKSPACE: '/home/runner/work/repo' };

describe('getInputs', () => {
  it('applies the action.yml defaults', () => {
    const inputs = getInputs(reader({ target: 'docker', selector: 'app=api' }), env);
    expect(inputs).toMatchObject({
      target: 'docker',
      selector: 'app=api',
      dockerCommand: 'docker',
      dataDir: '/coverdata',
      methods: ['http', 'signal', 'attach', 'sigterm'],
      attachImage: '',
      signal: 'SIGUSR1',
      agentPort: 9797,
      flushTimeoutMs: 10_000,
      gracefulTimeoutMs: 30_000,
      formats: ['lcov', 'xml', 'json'],
      outputDir: '/home/runner/work/repo/coverage-harvest',
      upload: true,
      summary: true,
      failUnder: undefined,
      ifNoTargets: 'error',
      failUnderDiff: undefined,
      baseline: undefined,
      extraData: [],
      coverageConfig: undefined,
      workingDirectory: '/home/runner/work/repo',
    });
  });

  it('falls back to exactly the defaults action.yml declares (runs outside a runner)', () => {
    const action = load(readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const required = { target: 'docker', selector: 'app=api' };
    const declared = Object.fromEntries(
      Object.entries(action.inputs)
        .filter(([, input]) => input.default !== undefined)
        .map(([name, input]) => [name, String(input.default)]),
    );
    expect(Object.keys(declared).length).toBeGreaterThan(15);
    expect(getInputs(reader(required), env)).toEqual(
      getInputs(reader({ ...declared, ...required }), env),
    );
  });

  it('parses every input', () => {
    const inputs = getInputs(
      reader({
        target: 'Kubernetes',
        selector: 'app=api',
        'docker-command': 'podman',
        'data-dir': '/data/',
        methods: 'http, sigterm',
        signal: 'usr2',
        'flush-timeout': '2.5',
        'graceful-timeout': '4',
        'path-map': '/app=.\n/srv/lib = lib',
        formats: 'lcov,html',
        'fail-under': '80%',
        'if-no-targets': 'warn',
        upload: 'false',
        summary: 'FALSE',
        'output-dir': '/home/runner/work/repo/out',
        'fail-under-diff': '75.5',
        baseline: 'base/coverage.json',
        'extra-data': 'unit/.coverage\n/tmp/shards/*/.coverage',
      }),
      env,
    );
    expect(inputs.target).toBe('kubernetes');
    expect(inputs.dataDir).toBe('/data');
    expect(inputs.methods).toEqual(['http', 'sigterm']);
    expect(inputs.signal).toBe('SIGUSR2');
    expect(inputs.flushTimeoutMs).toBe(2500);
    expect(inputs.gracefulTimeoutMs).toBe(4000);
    expect(inputs.pathMap).toEqual([
      { remote: '/app', local: '/home/runner/work/repo' },
      { remote: '/srv/lib', local: '/home/runner/work/repo/lib' },
    ]);
    expect(inputs.formats).toEqual(['lcov', 'html']);
    expect(inputs.failUnder).toBe(80);
    expect(inputs.upload).toBe(false);
    expect(inputs.summary).toBe(false);
    expect(inputs.outputDir).toBe('/home/runner/work/repo/out');
    expect(inputs.failUnderDiff).toBe(75.5);
    expect(inputs.baseline).toBe('/home/runner/work/repo/base/coverage.json');
    expect(inputs.extraData).toEqual(['unit/.coverage', '/tmp/shards/*/.coverage']);
  });

  it.each([
    [{ target: '' }, 'input `target` is empty; set it, e.g. `docker`'],
    [{ target: 'ecs' }, 'input `target` is `ecs`; use one of `docker`, `kubernetes`'],
    [{ selector: '' }, 'input `selector` is empty; set it, e.g. `app=api`'],
    [
      { methods: 'http,ssh' },
      'input `methods` is `ssh`; use one of `http`, `signal`, `attach`, `sigterm`',
    ],
    [{ methods: ' , ' }, 'input `methods` is empty'],
    [
      { methods: 'attach,signal,sigterm' },
      'input `methods` is `attach,signal,sigterm`, with `attach` before `signal`; put `attach` after `http` and `signal`: they run together in one exec, before `attach`',
    ],
    [
      { 'attach-image': '--privileged' },
      'input `attach-image` is `--privileged`, not an image reference; give one image',
    ],
    [
      { 'flush-timeout': '0' },
      'input `flush-timeout` is `0`; give a number of seconds greater than 0',
    ],
    [
      { 'agent-port': '70000' },
      'input `agent-port` is `70000`; give a TCP port between 1 and 65535',
    ],
    [{ 'fail-under': 'lots' }, 'input `fail-under` is `lots`; give a percentage between 0 and 100'],
    [{ upload: 'yes' }, 'input `upload` is `yes`; use `true` or `false`'],
    [
      { 'fail-under-diff': '101' },
      'input `fail-under-diff` is `101`; give a percentage between 0 and 100',
    ],
    [{ 'path-map': 'app=.' }, 'input `path-map` has `app=.`; write each entry as'],
    [{ 'data-dir': 'coverdata' }, 'input `data-dir` is `coverdata`; give an absolute path'],
    [
      { 'docker-command': 'sudo docker' },
      'input `docker-command` is `sudo docker`; give one program name',
    ],
    [
      { signal: 'KILL' },
      'input `signal` is `KILL`, which cannot be caught; use `SIGUSR1` or `SIGUSR2`',
    ],
    [{ 'coverage-version': 'latest' }, 'input `coverage-version` is `latest`'],
    [
      { 'coverage-config': 'services/api/.coveragerc' },
      "input `coverage-config` names /home/runner/work/repo/services/api/.coveragerc, which is not a file; give the path of the project's .coveragerc, setup.cfg, tox.ini or pyproject.toml, relative to the workspace",
    ],
    [
      { 'working-directory': '../other' },
      'input `working-directory` is `../other`, outside the workspace (/home/runner/work/other); give a directory of the checkout',
    ],
    [
      { 'working-directory': 'services/api' },
      'input `working-directory` is `services/api`, which is not a directory (/home/runner/work/repo/services/api); check out the sources before this step',
    ],
    [
      { 'if-no-targets': 'skip' },
      'input `if-no-targets` is `skip`; use one of `error`, `warn`, `ignore`',
    ],
  ])('rejects %j with a message naming the input and the fix', (bad, message) => {
    expect(() => getInputs(reader({ target: 'docker', selector: 'app=api', ...bad }), env)).toThrow(
      message,
    );
  });
});

describe('the project inputs', () => {
  it('take a config file and a directory of the checkout', () => {
    const ws = mkdtempSync(join(tmpdir(), 'pycov-inputs-'));
    mkdirSync(join(ws, 'services/api'), { recursive: true });
    writeFileSync(join(ws, 'services/api/.coveragerc'), '[run]\n');
    const inputs = getInputs(
      reader({
        target: 'docker',
        selector: 'app=api',
        'coverage-config': 'services/api/.coveragerc',
        'working-directory': 'services/api/',
      }),
      { GITHUB_WORKSPACE: ws },
    );
    expect(inputs.coverageConfig).toBe(join(ws, 'services/api/.coveragerc'));
    expect(inputs.workingDirectory).toBe(join(ws, 'services/api'));
    rmSync(ws, { recursive: true });
  });
});

describe('helpers', () => {
  it('splits lists on commas and newlines', () => {
    expect(splitList(' a, b\n\nc ,')).toEqual(['a', 'b', 'c']);
  });
  it('normalizes signal names', () => {
    expect(parseSignal('signal', 'SIGUSR1')).toBe('SIGUSR1');
    expect(parseSignal('signal', 'usr1')).toBe('SIGUSR1');
  });
  it('keeps absolute workspace paths and trims trailing slashes', () => {
    expect(parsePathMap('path-map', '/app/=/abs/dir', '/ws')).toEqual([
      { remote: '/app', local: '/abs/dir' },
    ]);
  });
});
