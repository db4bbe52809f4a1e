import { describe, expect, it } from 'vitest';
import {
  chooseToolchain,
  missingSources,
  missingSourcesWarning,
  renderRcFile,
  reportPaths,
  userArgs,
} from '../../src/convert.js';

describe('renderRcFile', () => {
  it('maps container prefixes onto workspace-relative paths', () => {
    const rc = renderRcFile({
      workspace: '/ws',
      dataFile: '/ws/coverage-harvest/.coverage',
      pathMap: [
        { remote: '/app', local: '/ws' },
        { remote: '/srv/lib', local: '/ws/lib' },
        { remote: '/opt/x', local: '/elsewhere' },
      ],
    });
    expect(rc).toContain('relative_files = true\n');
    expect(rc).toContain('data_file = /ws/coverage-harvest/.coverage\n');
    expect(rc).toContain(
      '[paths]\nmap0 =\n    ./\n    /app/\nmap1 =\n    ./lib/\n    /srv/lib/\nmap2 =\n    /elsewhere/\n    /opt/x/\n',
    );
  });

  it('has no [paths] section without a path map', () => {
    expect(renderRcFile({ workspace: '/ws', dataFile: '/ws/.c', pathMap: [] })).not.toContain(
      '[paths]',
    );
  });
});

describe('chooseToolchain', () => {
  it('matches the Python minor and coverage version the services reported', () => {
    const chosen = chooseToolchain([{ python: '3.12.7', coverage: '7.6.1' }], {
      coverageImage: '',
      coverageVersion: '',
    });
    expect(chosen).toEqual({ image: 'python:3.12-slim', coverageVersion: '7.6.1', warnings: [] });
  });

  it('lets the inputs override both', () => {
    const chosen = chooseToolchain([{ python: '3.12.7', coverage: '7.6.1' }], {
      coverageImage: 'localhost/cov:1',
      coverageVersion: '7.10.0',
    });
    expect(chosen).toMatchObject({ image: 'localhost/cov:1', coverageVersion: '7.10.0' });
  });

  it('warns when the targets disagree and uses the most common versions', () => {
    const chosen = chooseToolchain(
      [
        { python: '3.11.2', coverage: '7.6.1' },
        { python: '3.11.9', coverage: '7.6.1' },
        { python: '3.12.1', coverage: '7.10.0' },
      ],
      { coverageImage: '', coverageVersion: '' },
    );
    expect(chosen.image).toBe('python:3.11-slim');
    expect(chosen.coverageVersion).toBe('7.6.1');
    expect(chosen.warnings).toHaveLength(2);
  });

  it('asks for coverage-image when no Python version is known', () => {
    expect(() => chooseToolchain([null], { coverageImage: '', coverageVersion: '' })).toThrow(
      'no target reported its Python version, so the conversion image cannot be chosen; set `coverage-image`',
    );
  });
});

describe('reportPaths', () => {
  it('always writes json and the asked formats into the output directory', () => {
    expect(reportPaths('/o', ['lcov', 'html'])).toEqual({
      dataFile: '/o/.coverage',
      lcov: '/o/coverage.lcov',
      json: '/o/coverage.json',
      html: '/o/htmlcov',
    });
  });
});

describe('userArgs', () => {
  it('runs the conversion as the runner user', () => {
    expect(userArgs('docker', 1001, 118)).toEqual(['--user', '1001:118']);
    expect(userArgs('podman', 0, 0)).toEqual(['--user', '0:0']);
    expect(userArgs('/usr/bin/podman', 1001, 1001)).toEqual(['--userns', 'keep-id']);
  });
});

describe('missingSources', () => {
  it('lists each file coverage.py had no source for, once', () => {
    const output = [
      "/usr/lib/coverage/report_core.py:122: CoverageWarning: Couldn't parse '/app/src/a.py': No source for code: '/app/src/a.py'. (couldnt-parse)",
      "CoverageWarning: Couldn't parse '/app/src/b.py': No source for code: '/app/src/b.py'.",
      "CoverageWarning: Couldn't parse '/app/src/a.py': No source for code: '/app/src/a.py'.",
      'Wrote LCOV report to coverage.lcov',
    ].join('\n');
    expect(missingSources(output)).toEqual(['/app/src/a.py', '/app/src/b.py']);
  });
});

describe('missingSourcesWarning', () => {
  it('names up to five files and counts the rest', () => {
    expect(missingSourcesWarning([])).toBeUndefined();
    const files = Array.from({ length: 7 }, (_, i) => `/app/f${i}.py`);
    expect(missingSourcesWarning(files)).toBe(
      'coverage.py found no source in the workspace for 7 measured file(s) (/app/f0.py, /app/f1.py, /app/f2.py, /app/f3.py, /app/f4.py and 2 more), so the reports leave them out; set `path-map` (e.g. `/app=.`) to map the container paths onto the checkout',
    );
  });
});
