// The newest Pythons: the bundled action against real containers (podman and the Docker engine) of the service on Debian
// forky's python3.14 and python3.15 (newest uvicorn and coverage, the agent, bash PID 1, user
// 1001), converted by coverage.py on the same Python. From 3.14 sys.monitoring is coverage's
// default core: the agent measures with it and nothing in the service's command sets it.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images, markerLine } from '../support/images.js';
import { engines, httpGet, openStream, type ServiceContainer } from '../support/engine.js';
import { makeWorkspace, parseLcov, runAction } from '../support/run-action.js';

const cases = [
  { minor: '3.14', service: images.servicePy314, coverage: images.coveragePy314 },
  { minor: '3.15', service: images.servicePy315, coverage: images.coveragePy315 },
];

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  it.each(cases)(
    'Python $minor: http confirmed, sys.monitoring by default, real line hits in lcov',
    async ({ minor, service: image, coverage }) => {
      const labels = { 'pycov-e2e': `${process.pid}-newest-${minor}-${engine.name}` };
      const service = await engine.startService({ mode: 'agent', labels, image });
      started.push(service);

      const info = JSON.parse((await httpGet(service.port, '/info')).body) as {
        python: string;
        uid: number;
      };
      expect(info.python.startsWith(`${minor}.`), info.python).toBe(true);
      expect(info.uid).toBe(1001);
      expect((await httpGet(service.port, '/items/4')).status).toBe(200);
      expect((await httpGet(service.port, '/divide?a=1&b=0')).status).toBe(400);
      const stream = await openStream(service.port);

      // What the agent reports: this Python, the newest coverage, its default core.
      const status = JSON.parse(
        await engine.cli('exec', service.id, 'python', '-m', 'pycov_harvest', 'status'),
      ) as { processes: { python: string; coverage: string; core: string }[] };
      expect(status.processes).toHaveLength(1);
      expect(status.processes[0]).toMatchObject({
        python: info.python,
        coverage: images.newestCoverageVersion,
        core: 'sysmon',
      });

      const run = await runAction(
        {
          target: 'docker',
          selector: `pycov-e2e=${labels['pycov-e2e']}`,
          ...engine.inputs,
          'path-map': '/app=.',
          'coverage-image': coverage,
          upload: 'false',
        },
        makeWorkspace((workspace) =>
          cpSync(appSourceDir, join(workspace, 'src'), { recursive: true }),
        ),
        engine.env,
      );
      stream.close();
      expect(run.exitCode, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
      const [outcome] = JSON.parse(run.outputs.targets ?? '[]') as { method: string }[];
      expect(outcome?.method).toBe('http');
      // The conversion uses the coverage version the agent reported.
      expect(run.stdout).toContain(
        `conversion image ${coverage}, coverage ${images.newestCoverageVersion}`,
      );

      const lcov = parseLcov(
        readFileSync(join(run.workspace, run.outputs['lcov-file'] ?? ''), 'utf8'),
      );
      const hits = (file: string, marker: string) =>
        lcov.get(`src/${file}`)?.get(markerLine(file, marker));
      expect([...lcov.keys()].sort()).toEqual([
        'src/__init__.py',
        'src/calc.py',
        'src/legacy.py',
        'src/main.py',
      ]);
      expect(hits('main.py', 'startup')).toBeGreaterThan(0);
      expect(hits('main.py', 'items-even')).toBeGreaterThan(0);
      expect(hits('main.py', 'items-return')).toBeGreaterThan(0);
      expect(hits('main.py', 'divide-by-zero')).toBeGreaterThan(0);
      expect(hits('calc.py', 'calc-zero')).toBeGreaterThan(0);
      expect(hits('main.py', 'stream-tick')).toBeGreaterThan(0);
      expect(hits('main.py', 'items-odd')).toBe(0);
      expect(hits('calc.py', 'calc-divide')).toBe(0);
      expect(hits('main.py', 'never')).toBe(0);
      expect(hits('legacy.py', 'legacy')).toBe(0);

      // The service kept serving, and its log has none of coverage's end-of-run warnings.
      expect((await httpGet(service.port, '/health')).status).toBe(200);
      const log = await engine.logs(service.id);
      expect(log).toContain('entrypoint: mode=agent uid=1001');
      expect(log).not.toMatch(/CoverageWarning|No data was collected/);
    },
  );
});
