import { describe, expect, it } from 'vitest';
import { containerArgv, userArgs } from '../../../src/report/conversion-container.js';
import { conversionMounts } from '../../../src/report/conversion-mounts.js';
import {
  badFileWarning,
  droppedWarning,
  extraDataWarning,
  installFallbackWarning,
  nothingKeptMessage,
  reportFailedMessage,
  tracerConflictWarning,
  unmappedWarning,
} from '../../../src/report/convert-messages.js';
import { reportPaths } from '../../../src/report/report-files.js';
import { chooseToolchain } from '../../../src/report/toolchain.js';

describe('chooseToolchain', () => {
  it('matches the Python minor and coverage version the services reported', () => {
    const chosen = chooseToolchain([{ python: '3.12.7', coverage: '7.6.1' }], {
      coverageImage: '',
      coverageVersion: '',
    });
    expect(chosen).toEqual({
      image: 'python:3.12-slim',
      coverageVersion: '7.6.1',
      versionFromInput: false,
      warnings: [],
    });
  });

  it('lets the inputs override both', () => {
    const chosen = chooseToolchain([{ python: '3.12.7', coverage: '7.6.1' }], {
      coverageImage: 'localhost/cov:1',
      coverageVersion: '7.10.0',
    });
    expect(chosen).toMatchObject({
      image: 'localhost/cov:1',
      coverageVersion: '7.10.0',
      versionFromInput: true,
    });
  });

  it('ignores a reported coverage version that is no release version (pip never sees it)', () => {
    const chosen = chooseToolchain(
      [
        { python: '3.12.7', coverage: '7.6.1' },
        { python: '3.12.7', coverage: '7.6.1 --index-url=http://evil' },
        { python: '3.12.7', coverage: '7.9.9\n::error::x' },
      ],
      { coverageImage: '', coverageVersion: '' },
    );
    expect(chosen.coverageVersion).toBe('7.6.1');
    expect(chosen.warnings).toEqual([
      "2 target(s) reported a coverage.py version that is not a release version; it is ignored for choosing the conversion's coverage.py",
    ]);
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

  it('names a data file that was left out, with its size and the reason the program gave', () => {
    const reason =
      'cannot be combined with the E2E data (it holds line data, they hold branch data); measure the unit tests and the services the same way, both with `branch = true` or both without';
    expect(badFileWarning({ file: unit, size: 53248, error: reason }, [unit], ws)).toBe(
      `\`extra-data\` file unit/.coverage (53248 bytes) ${reason}; it is left out`,
    );
    const harvested = `${ws}/coverage-harvest/data/01-api/.coverage.x`;
    expect(
      badFileWarning(
        { file: harvested, size: 8192, error: 'holds a trigger, which coverage.py never writes' },
        [unit],
        ws,
      ),
    ).toBe(
      'data file coverage-harvest/data/01-api/.coverage.x (8192 bytes) holds a trigger, which coverage.py never writes; it is left out',
    );
  });

  it('counts the names of one data file that are no paths, with one quoted example', () => {
    const file = `${ws}/coverage-harvest/data/01-api/.coverage.h`;
    expect(droppedWarning({ file, count: 3, example: '/etc/zz\\u000a[report]' }, ws)).toBe(
      'data file coverage-harvest/data/01-api/.coverage.h: 3 measured file name(s) are not plausible paths (e.g. "/etc/zz\\\\u000a[report]"), so they are left out; the rest of its data is used',
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

describe('tracerConflictWarning', () => {
  it('names the data file and counts the files whose tracer the others do not name', () => {
    const ws = '/home/runner/work/repo/repo';
    expect(
      tracerConflictWarning(
        {
          file: `${ws}/coverage-harvest/data/01-api/.coverage.a`,
          count: 1,
          example: '/app/main.py',
        },
        ws,
      ),
    ).toBe(
      'data file coverage-harvest/data/01-api/.coverage.a: 1 measured file(s) have another file tracer (coverage plugin) there than in the other data files (e.g. "/app/main.py"), so its data of them is left out; the rest of its data is used',
    );
  });
});

describe('reportFailedMessage', () => {
  const image = 'python:3.12-slim';
  it('names the report and the measured file, and says sources are missing only when they are', () => {
    expect(
      reportFailedMessage(
        { step: 'json', output: 'NoSource: No source for code: /ws/app/x.py.', file: 'app/x.py' },
        image,
        '.coveragerc',
      ),
    ).toBe(
      '`coverage json` failed on app/x.py in python:3.12-slim: NoSource: No source for code: /ws/app/x.py.; app/x.py is missing from the workspace: check it out before this step',
    );
    const parse = reportFailedMessage(
      { step: 'lcov', output: "NotPython: Couldn't parse 'proj/views.py'", file: 'proj/views.py' },
      image,
      'setup.cfg',
    );
    expect(parse).toMatch(
      /^`coverage lcov` failed on proj\/views\.py in python:3\.12-slim: .*; the workspace's proj\/views\.py is not Python this coverage\.py can parse: check out the commit the service runs, or set `\[report\] ignore_errors = true` in setup\.cfg$/,
    );
    expect(parse).not.toContain('checked out in the workspace');
    expect(reportFailedMessage({ step: 'xml', output: 'KeyError: x' }, image, null)).toBe(
      "`coverage xml` failed in python:3.12-slim: KeyError: x; set `[report] ignore_errors = true` in the project's coverage config to skip files coverage.py cannot report, or `omit` this one",
    );
  });

  it('falls back to the image coverage when the version the targets reported cannot be installed', () => {
    const toolchain = {
      image: 'python:3.12-slim',
      coverageVersion: '7.99.0',
      versionFromInput: false,
      warnings: [],
    };
    expect(installFallbackWarning(toolchain, '7.17.4', 'No matching distribution')).toBe(
      'the targets measured with coverage 7.99.0, which `pip install` could not put in the conversion image `python:3.12-slim` (No matching distribution); the reports are made with its coverage 7.17.4 instead; set `coverage-image` or `coverage-version` to choose',
    );
  });
});

describe('the conversion container', () => {
  const ws = '/home/runner/work/repo/repo';
  const out = `${ws}/coverage-harvest`;
  it('mounts the sources read-only, output-dir writable, the harvested data read-only in it', () => {
    const mounts = conversionMounts(
      {
        workspace: ws,
        outputDir: out,
        dataFiles: ['/elsewhere/.coverage.a'],
        extraDataFiles: [`${ws}/unit/.coverage`, '/tmp/other/.coverage'],
        baseline: { dataFile: '/base/.coverage', sourceDir: `${out}/baseline-src` },
        coverageConfig: `${ws}/services/api/.coveragerc`,
      },
      '/runner/temp/pycov-harvest-coverage-x',
    );
    expect(mounts).toEqual([
      { path: ws, writable: false },
      { path: out, writable: true },
      { path: '/elsewhere/.coverage.a', writable: false },
      { path: '/tmp/other/.coverage', writable: false },
      { path: '/base/.coverage', writable: false },
      { path: `${out}/baseline-src`, writable: false },
      { path: '/runner/temp/pycov-harvest-coverage-x', writable: false },
    ]);
  });

  it('runs with no network, no capabilities, a read-only root and a private /tmp', () => {
    const argv = containerArgv('docker', {
      toolchain: {
        image: 'python:3.12-slim',
        coverageVersion: '',
        versionFromInput: false,
        warnings: [],
      },
      mounts: [
        { path: ws, writable: false },
        { path: out, writable: true },
      ],
      workdir: `${ws}/services/api`,
      network: false,
      args: ['-S', '-c', 'pass'],
      stdin: undefined,
      log: () => undefined,
    });
    const text = argv.join(' ');
    expect(text).toContain('--network none');
    expect(text).toContain(
      '--cap-drop ALL --security-opt no-new-privileges --read-only --tmpfs /tmp',
    );
    expect(text).toContain(`-v ${ws}:${ws}:ro -v ${out}:${out} -w ${ws}/services/api`);
    expect(argv.slice(-4)).toEqual(['python:3.12-slim', '-S', '-c', 'pass']);
  });
});
