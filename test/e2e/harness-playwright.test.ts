// The Playwright fixture (clients/playwright) in a real Playwright run: @playwright/test from npm,
// Debian's chromium as the browser (Playwright's own browser download is not reachable here). Its
// auto fixture starts `serve` per worker and switches per test title path; the harvest then shows
// each test's lines under its title path, as coverage.py's own report does.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type ServiceContainer } from '../support/engine.js';
import { harvestAndCompare } from '../support/harness-check.js';
import { repoRoot } from '../support/images.js';

const execFileAsync = promisify(execFile);
const fixtureDir = join(repoRoot, 'clients/playwright');
/** Debian's package (`apt-get install -y chromium`), as .ci/run installs it. */
const CHROMIUM = '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 300_000;

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(argv[0] ?? '', argv.slice(1), {
      cwd,
      env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', ...env },
      timeout: RUN_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

interface JsonSuite {
  specs?: { title: string; tests: { annotations: { type: string; description?: string }[] }[] }[];
  suites?: JsonSuite[];
}

/** Every test's pycov-harvest annotation from Playwright's JSON report, by test title. */
function annotations(report: { suites: JsonSuite[] }): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (suite: JsonSuite): void => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests)
        for (const a of t.annotations)
          if (a.type === 'pycov-harvest') found.set(spec.title, a.description ?? '');
    suite.suites?.forEach(visit);
  };
  report.suites.forEach(visit);
  return found;
}

// The harness, not the engine, is under test here: the first engine is enough.
const engine = engines[0];

describe.runIf(engine !== undefined)('a Playwright suite through the fixture', () => {
  if (engine === undefined) return;
  const started: ServiceContainer[] = [];
  beforeAll(async () => {
    await engine.require();
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing; install Debian's chromium: apt-get install -y chromium`,
      );
    const install = await run(
      ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'],
      fixtureDir,
    );
    expect(install.code, install.output).toBe(0);
  }, RUN_TIMEOUT_MS);
  afterAll(() => engine.removeContainers(started));

  it("the client's own tests pass (answers, errors, a bounded start, stop)", async () => {
    const own = await run([process.execPath, '--test', 'test/client.test.mjs'], fixtureDir);
    expect(own.code, own.output).toBe(0);
    expect(own.output).toMatch(/# pass 5\b/);
  });

  it('each test lands under its title path; the figures equal coverage.py --show-contexts', async () => {
    const tag = `${process.pid}-playwright`;
    const service = await engine.startService({
      mode: 'agent',
      labels: { 'pycov-e2e-harness': tag },
      env: { UVICORN_WORKERS: '2' },
    });
    started.push(service);
    const out = mkdtempSync(join(tmpdir(), 'pycov-e2e-playwright-'));
    const suite = await run(
      [
        join(fixtureDir, 'node_modules/.bin/playwright'),
        'test',
        '--reporter=list,json',
        '--output',
        join(out, 'test-results'),
      ],
      join(fixtureDir, 'example'),
      {
        ...engine.env,
        CHROMIUM,
        PLAYWRIGHT_JSON_OUTPUT_NAME: join(out, 'report.json'),
        PYCOV_HARVEST_CLI: join(repoRoot, 'dist/cli.js'),
        PYCOV_HARVEST_SERVE_ARGS: `--target docker --docker-command ${engine.command} --selector pycov-e2e-harness=${tag}`,
        SERVICE_URL: `http://127.0.0.1:${service.port}`,
      },
    );
    expect(suite.code, suite.output).toBe(0);
    expect(suite.output).toContain('3 passed');
    const names = {
      even: 'items.spec.mjs > items > calls 2 even',
      odd: 'items.spec.mjs > items > calls 3 odd',
      zero: 'items.spec.mjs > divide refuses a zero divisor',
    };
    // Each switch confirmed by every process of the container (both workers and their parent).
    const confirmed = annotations(
      JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { suites: JsonSuite[] },
    );
    expect(confirmed.get('calls 2 even')).toMatch(
      new RegExp(
        `^context "${names.even}" confirmed by container ${service.name}: [2-9] process\\(es\\)$`,
      ),
    );
    expect(confirmed.size).toBe(3);

    const harvest = await harvestAndCompare(engine, `pycov-e2e-harness=${tag}`);
    expect([...harvest.expected.keys()].sort()).toEqual(['', names.zero, names.even, names.odd]);
    expect(harvest.contextsAt('main.py', 'items-even')).toEqual([names.even]);
    expect(harvest.contextsAt('main.py', 'items-odd')).toEqual([names.odd]);
    expect(harvest.contextsAt('calc.py', 'calc-zero')).toEqual([names.zero]);
  });
});
