// The bundled action with `upload: true` against a real service container (podman and Docker): the real
// @actions/artifact client uploads to the test's v4 artifact server; the zip that arrived holds
// the lcov, Cobertura XML, JSON and HTML reports and the combined .coverage, byte for byte.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCoverageJson } from '../../src/report/coverage-json.js';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { appSourceDir, images, markerLine } from '../support/images.js';
import { engines, httpGet, type ServiceContainer } from '../support/engine.js';
import { makeWorkspace, parseLcov, runAction, type ActionRun } from '../support/run-action.js';
import { zipFiles } from '../support/zip.js';

let server: ArtifactServer;

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];

  beforeAll(async () => {
    await engine.require();
    server = await startArtifactServer();
  });

  afterAll(async () => {
    await engine.removeContainers(started);
    await server?.close();
  });

  function explain(run: ActionRun): string {
    return `exit ${run.exitCode}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nserver:\n${server.requests.join('\n')}`;
  }

  describe('bundled action, upload: true', () => {
    it('uploads lcov, Cobertura XML, JSON, HTML and the combined .coverage as one artifact', async () => {
      const labels = { 'pycov-e2e-artifact': `${process.pid}` };
      const service = await engine.startService({ mode: 'agent', labels });
      started.push(service);
      expect((await httpGet(service.port, '/items/2')).status).toBe(200);
      expect((await httpGet(service.port, '/divide?a=1&b=4')).status).toBe(200);

      const place = makeWorkspace((workspace) =>
        cpSync(appSourceDir, join(workspace, 'src'), { recursive: true }),
      );
      const run = await runAction(
        {
          target: 'docker',
          selector: Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
          ...engine.inputs,
          'path-map': `${images.appDir.replace(/\/src$/, '')}=.`,
          'coverage-image': images.coverage,
          formats: 'lcov,xml,json,html',
          upload: 'true',
          'artifact-name': 'python-coverage',
        },
        place,
        { GITHUB_SERVER_URL: 'https://github.com', ...server.env, ...engine.env },
      );
      expect(run.exitCode, explain(run)).toBe(0);

      const artifact = server.finalized('python-coverage');
      expect(run.outputs['artifact-id']).toBe(String(artifact.id));
      expect(run.outputs['artifact-url']).toBe(
        `https://github.com/example/service/actions/runs/1/artifacts/${artifact.id}`,
      );

      const arrived = zipFiles(artifact.content ?? Buffer.alloc(0));
      const names = [...arrived.keys()];
      for (const name of ['.coverage', 'coverage.lcov', 'coverage.xml', 'coverage.json']) {
        expect(names).toContain(name);
      }
      expect(names).toContain('htmlcov/index.html');
      expect(names.some((n) => /^htmlcov\/.*main_py\.html$/.test(n))).toBe(true);
      const outputDir = join(place.workspace, 'coverage-harvest');
      for (const [name, bytes] of arrived) {
        expect(bytes.equals(readFileSync(join(outputDir, name))), name).toBe(true);
      }

      // Each report says what the service ran.
      const lcov = parseLcov(arrived.get('coverage.lcov')?.toString('utf8') ?? '');
      expect(lcov.get('src/main.py')?.get(markerLine('main.py', 'items-even'))).toBeGreaterThan(0);
      expect(lcov.get('src/main.py')?.get(markerLine('main.py', 'items-odd'))).toBe(0);
      expect(arrived.get('coverage.xml')?.toString('utf8')).toContain('filename="src/main.py"');
      const report = parseCoverageJson(JSON.parse(arrived.get('coverage.json')?.toString() ?? ''));
      expect(report.files['src/main.py']?.executed_lines).toContain(
        markerLine('main.py', 'divide-call'),
      );
      const percent = (100 * report.totals.covered_lines) / report.totals.num_statements;
      expect(Number(run.outputs.percent)).toBeCloseTo(percent, 2);

      // The combined data file is coverage.py's SQLite database, paths remapped relative to the workspace.
      const dataFile = join(mkdtempSync(join(tmpdir(), 'artifact-data-')), '.coverage');
      writeFileSync(dataFile, arrived.get('.coverage') ?? Buffer.alloc(0));
      const measured = execFileSync(
        'python3',
        [
          '-c',
          'import sqlite3, sys; print("\\n".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select path from file")))',
          dataFile,
        ],
        { encoding: 'utf8' },
      ).split('\n');
      expect(measured).toContain('src/main.py');
    });
  });
});
