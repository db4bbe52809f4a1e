// The reports the conversion program writes in one process (one data load, one analysis per file
// shared by every report) are the reports coverage.py's own commands write from the same combined
// data and configuration, in the same conversion image.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images } from '../support/images.js';
import { engines, httpGet, type Engine, type ServiceContainer } from '../support/engine.js';
import { OLDER_COVERAGE_VERSION, olderCoverageImage } from '../support/older-coverage.js';
import { annotations, makeWorkspace, runAction } from '../support/run-action.js';

/**
 * coverage.py's commands on the action's combined data, as a user runs them in the checkout: the
 * workspace has no coverage config, so the only setting is the `relative_files = true` docs/action.md
 * tells users to add for checking `.coverage` by hand.
 */
function coverageCommands(engine: Engine, workspace: string): void {
  const script = [
    'set -e',
    'printf "[run]\\nrelative_files = true\\n" > cli/reference.rc',
    'rc=cli/reference.rc',
    'data=coverage-harvest/.coverage',
    'python3 -m coverage lcov --rcfile=$rc --data-file=$data -q -o cli/coverage.lcov',
    'python3 -m coverage xml --rcfile=$rc --data-file=$data -q -o cli/coverage.xml',
    'python3 -m coverage json --rcfile=$rc --data-file=$data -q -o cli/coverage.json',
    'python3 -m coverage html --rcfile=$rc --data-file=$data -q -d cli/htmlcov',
  ].join('; ');
  execFileSync('mkdir', ['-p', join(workspace, 'cli')]);
  execFileSync(
    engine.command,
    [
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${workspace}:${workspace}`,
      '-w',
      workspace,
      '--entrypoint',
      'bash',
      images.coverage,
      '-c',
      script,
    ],
    { env: engine.processEnv },
  );
}

/** Report text without what differs from one run to the next (creation times). */
function timeless(text: string): string {
  return text
    .replace(/ timestamp="\d+"/g, '')
    .replace(/"timestamp": "[^"]*"/g, '')
    .replace(/created at [^<"]*/g, '');
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  const built: string[] = [];
  afterAll(async () => {
    await engine.removeContainers(started);
    for (const image of built) await engine.cli('rmi', '-f', image).catch(() => undefined);
  });

  describe('reports', () => {
    it('lcov, xml, json and html equal what `coverage lcov/xml/json/html` write from the same combined data', async () => {
      const l = { 'pycov-e2e-reports': String(process.pid) };
      const service = await engine.startService({ mode: 'agent', labels: l });
      started.push(service);
      for (const path of ['/items/2', '/items/3', '/calc/add?a=1&b=2'])
        expect((await httpGet(service.port, path)).status).toBeLessThan(500);
      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      const run = await runAction(
        {
          target: 'docker',
          selector: Object.entries(l)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
          ...engine.inputs,
          'coverage-image': images.coverage,
          'path-map': '/app=.',
          formats: 'lcov,xml,json,html',
          upload: 'false',
        },
        place,
        engine.env,
      );
      expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
      coverageCommands(engine, run.workspace);
      const ours = join(run.workspace, 'coverage-harvest');
      const theirs = join(run.workspace, 'cli');
      const lcov = readFileSync(join(ours, 'coverage.lcov'), 'utf8');
      expect(lcov).toContain('SF:src/main.py');
      expect(lcov).toBe(readFileSync(join(theirs, 'coverage.lcov'), 'utf8'));
      for (const file of ['coverage.xml', 'coverage.json'])
        expect(timeless(readFileSync(join(ours, file), 'utf8')), file).toBe(
          timeless(readFileSync(join(theirs, file), 'utf8')),
        );
      const pages = readdirSync(join(theirs, 'htmlcov')).filter((f) => f.endsWith('.html'));
      expect(pages.length).toBeGreaterThan(3);
      for (const page of pages)
        expect(timeless(readFileSync(join(ours, 'htmlcov', page), 'utf8')), page).toBe(
          timeless(readFileSync(join(theirs, 'htmlcov', page), 'utf8')),
        );
    });

    it('a coverage version the targets report that pip cannot install: a warning, and the image’s own coverage.py makes the reports', async () => {
      const l = { 'pycov-e2e-fallback': String(process.pid) };
      const older = await olderCoverageImage(engine);
      built.push(older);
      const service = await engine.startService({ mode: 'agent', labels: l, image: older });
      started.push(service);
      expect((await httpGet(service.port, '/items/2')).status).toBe(200);
      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      // The service measures with the release before the Python 3.14 conversion image's, which
      // has no pip.
      const run = await runAction(
        {
          target: 'docker',
          selector: `pycov-e2e-fallback=${process.pid}`,
          ...engine.inputs,
          'coverage-image': images.coveragePy314,
          'path-map': '/app=.',
          upload: 'false',
        },
        place,
        engine.env,
      );
      expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(annotations(run.stdout, 'warning')).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^the targets measured with coverage ${OLDER_COVERAGE_VERSION.replace(/\./g, '\\.')}, which \`pip install\` could not put in the conversion image \`[^\`]+py3\\.14[^\`]*\` \\(.+\\); the reports are made with its coverage ${images.newestCoverageVersion.replace(/\./g, '\\.')} instead; set \`coverage-image\` or \`coverage-version\` to choose$`,
          ),
        ),
      );
      const json = JSON.parse(
        readFileSync(join(run.workspace, 'coverage-harvest/coverage.json'), 'utf8'),
      ) as { meta: { version: string } };
      expect(json.meta.version).toBe(images.newestCoverageVersion);
    });
  });
});
