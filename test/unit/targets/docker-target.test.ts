import { describe, expect, it } from 'vitest';
import { parseContainerSelector } from '../../../src/targets/container-selector.js';
import { parseIdNameLines } from '../../../src/targets/docker-discover.js';
import { isMissingInterpreter } from '../../../src/remote/run.js';
import { gracefulWarnings } from '../../../src/harvest/sigterm.js';
import { targetDirName, displayPath } from '../../../src/shared/paths.js';
import { dataFileEntryName, isDataFileName } from '../../../src/harvest/data-files.js';

describe('parseContainerSelector', () => {
  it('reads labels when any item has `=`', () => {
    expect(parseContainerSelector('app=api, tier=web,debug')).toEqual({
      kind: 'labels',
      labels: ['app=api', 'tier=web', 'debug'],
    });
  });
  it('reads names otherwise', () => {
    expect(parseContainerSelector('api, worker')).toEqual({
      kind: 'names',
      names: ['api', 'worker'],
    });
  });
  it('rejects Kubernetes-only selector syntax', () => {
    expect(() => parseContainerSelector('app!=api')).toThrow('docker label filters cannot express');
  });
});

describe('container CLI output', () => {
  it('parses id and name lines, dropping docker inspect’s leading slash', () => {
    expect(parseIdNameLines('abc123 api\n\ndef456 /worker\n')).toEqual([
      { id: 'abc123', name: 'api' },
      { id: 'def456', name: 'worker' },
    ]);
  });
  it('recognizes a missing interpreter from podman and docker', () => {
    expect(
      isMissingInterpreter({
        exitCode: 127,
        stderr: 'Error: crun: executable file `python3` not found in $PATH',
      }),
    ).toBe(true);
    expect(isMissingInterpreter({ exitCode: 126, stderr: '' })).toBe(true);
    expect(isMissingInterpreter({ exitCode: 1, stderr: 'Traceback (most recent call last)' })).toBe(
      false,
    );
  });
});

describe('gracefulWarnings', () => {
  const base = {
    ppid: 1,
    argv: [],
    coverage_run: false,
    coverage_startup: false,
    agent_env: false,
    save_signal: null,
    top: true,
    executable: '/usr/bin/python3',
    starttime: 100,
  };
  it('warns for a server without a graceful-shutdown timeout, naming the flag', () => {
    const warnings = gracefulWarnings(
      [
        { ...base, pid: 20, server: 'uvicorn', graceful_timeout: null },
        { ...base, pid: 21, server: 'uvicorn', graceful_timeout: 2 },
        { ...base, pid: 22, server: 'gunicorn', graceful_timeout: 'default' },
        { ...base, pid: 23, server: null, graceful_timeout: null },
      ],
      'container api',
    );
    expect(warnings).toEqual([
      'container api: uvicorn (pid 20) has no graceful-shutdown timeout, so on SIGTERM it waits for open connections forever and pycov-harvest had to force it to quit; add `--timeout-graceful-shutdown 5` to the server command, or use the agent (PYCOV_HARVEST=1), which saves before the shutdown begins',
    ]);
  });
});

describe('names', () => {
  it('makes one plain directory name per target', () => {
    expect(targetDirName(0, 'container api-1')).toBe('01-api-1');
    expect(targetDirName(11, 'pod e2e/api-7d9f (container api)')).toBe(
      '12-e2e-api-7d9f-container-api',
    );
    expect(targetDirName(2, '../..')).toBe('03-target');
  });
  it('shows workspace paths relative to the workspace', () => {
    expect(displayPath('/ws/out/coverage.lcov', '/ws')).toBe('out/coverage.lcov');
    expect(displayPath('/tmp/out/coverage.lcov', '/ws')).toBe('/tmp/out/coverage.lcov');
  });
  it('knows coverage data file names', () => {
    expect(
      [
        '.coverage',
        '.coverage.host.pid20.Xab',
        '.coverage.x-journal',
        '.coverage.x-wal',
        'coverage',
        '.coveragerc',
      ].map(isDataFileName),
    ).toEqual([true, true, false, false, false, false]);
  });
  it('takes data files directly in the data directory from copy-out archives', () => {
    expect(dataFileEntryName('.coverage.a', '/coverdata')).toBe('.coverage.a');
    expect(dataFileEntryName('coverdata/.coverage.a', '/coverdata/')).toBe('.coverage.a');
    expect(dataFileEntryName('.pycov-harvest/.coverage.a', '/coverdata')).toBeUndefined();
    expect(dataFileEntryName('other/.coverage.a', '/coverdata')).toBeUndefined();
    expect(dataFileEntryName('coverdata/.coverage.a-journal', '/coverdata')).toBeUndefined();
  });
});
