// The reports the conversion program writes in one process (one data load, one analysis per file
// shared by every report) are the reports coverage.py's own commands write from the same combined
// data and configuration, in the same conversion image.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images } from '../support/images.js';
import { engines, httpGet, type Engine, type ServiceContainer } from '../support/engine.js';
import { makeWorkspace, runAction } from '../support/run-action.js';

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
  afterAll(() => engine.removeContainers(started));

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
  });
});
