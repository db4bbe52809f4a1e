import { describe, expect, it } from 'vitest';
import { userArgs } from '../../../src/report/conversion-container.js';
import {
  combineFailedMessage,
  extraDataWarning,
  nothingKeptMessage,
  unmappedWarning,
} from '../../../src/report/convert-messages.js';
import { renderRcFile, reportPaths } from '../../../src/report/report-files.js';
import { chooseToolchain } from '../../../src/report/toolchain.js';

describe('renderRcFile', () => {
  it('asks for workspace-relative names and maps nothing itself (the combine maps by prefix)', () => {
    const rc = renderRcFile();
    expect(rc).toContain('[run]\n');
    expect(rc).toContain('relative_files = true\n');
    expect(rc).not.toContain('[paths]');
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

describe('unmappedWarning', () => {
  it('names up to five files and counts the rest', () => {
    expect(unmappedWarning([], 0)).toBeUndefined();
    const files = Array.from({ length: 5 }, (_, i) => `/usr/lib/python3/f${i}.py`);
    expect(unmappedWarning(files, 7)).toBe(
      "7 measured file(s) map to nothing in the workspace (/usr/lib/python3/f0.py, /usr/lib/python3/f1.py, /usr/lib/python3/f2.py, /usr/lib/python3/f3.py, /usr/lib/python3/f4.py and 2 more), so the reports leave them out; if they are the service's own code, set `path-map` (e.g. `/app=.`) to map their container paths onto the checkout",
    );
  });
});

describe('nothingKeptMessage', () => {
  const result = {
    reports: { dataFile: '/o/.coverage', json: '/o/coverage.json' },
    coverageVersion: '7.17.4',
    python: '3.11.2',
    installed: false,
    inferred: [],
    measured: 3,
    kept: 0,
    unmapped: ['/etc/python3.13/sitecustomize.py'],
    unmappedCount: 3,
    badFiles: [],
  };
  it('says that none of the service code was measured, with an example', () => {
    expect(nothingKeptMessage(result, [])).toBe(
      "none of the 3 measured file(s) is in the workspace (e.g. /etc/python3.13/sitecustomize.py), so none of the service's own code was measured; check out the sources before this step and set `path-map` (e.g. `/app=.`) if the automatic mapping does not find them",
    );
  });
  it('names the path-map that mapped nothing', () => {
    expect(nothingKeptMessage(result, [{ remote: '/app', local: '/ws' }])).toContain(
      'with `path-map` /app=/ws',
    );
  });
  it('says when no file was measured at all', () => {
    expect(nothingKeptMessage({ ...result, measured: 0 }, [])).toContain('measured no files');
  });
});

describe('extra data', () => {
  const ws = '/home/runner/work/repo/repo';
  const unit = `${ws}/unit/.coverage`;
  const error = "DataError: Can't combine statement coverage data with branch data";

  it('names the extra-data file coverage.py refused to add, or the harvested one', () => {
    expect(combineFailedMessage({ file: unit, error }, [unit], ws)).toBe(
      `the \`extra-data\` file unit/.coverage cannot be combined with the E2E data (${error}); measure the unit tests and the services the same way, both with \`branch = true\` or both without`,
    );
    expect(
      combineFailedMessage(
        { file: `${ws}/coverage-harvest/data/01-api/.coverage.x`, error },
        [unit],
        ws,
      ),
    ).toMatch(
      /^data file coverage-harvest\/data\/01-api\/\.coverage\.x cannot be combined with the other data files/,
    );
  });

  it('warns when readable extra data adds nothing to the reports', () => {
    const none = { extraMeasured: 0, extraKept: 0, badFiles: [] };
    expect(extraDataWarning(none, [])).toBeUndefined();
    expect(extraDataWarning({ ...none, extraMeasured: 4, extraKept: 2 }, [unit])).toBeUndefined();
    expect(extraDataWarning(none, [unit])).toContain('measured no files');
    expect(extraDataWarning({ ...none, extraMeasured: 4 }, [unit])).toMatch(
      /^none of the 4 file\(s\) the `extra-data` files measured is in the workspace, so they add nothing to the reports; /,
    );
    // A file that could not be read is named on its own; no second warning for it.
    const bad = [{ file: unit, size: 5, error: 'DataError: not a database' }];
    expect(extraDataWarning({ ...none, badFiles: bad }, [unit])).toBeUndefined();
  });
});
