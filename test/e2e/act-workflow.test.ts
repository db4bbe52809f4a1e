// A workflow with `uses: ./` run by nektos/act in host mode (-P ubuntu-latest=-self-hosted),
// offline, against a service container on podman and on the Docker engine (there with the
// default `docker-command` and DOCKER_HOST in the workflow's env): the step succeeds, its job summary has the
// per-target table, and the artifact reaches the test's v4 artifact server. The action's
// `runs.using: node24` runs on the Node 24 that test/act/install.sh puts first on PATH.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAct, runAct, type ActRun } from '../support/act.js';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { appSourceDir, images, markerLine, repoRoot } from '../support/images.js';
import { engines, httpGet, type Engine, type ServiceContainer } from '../support/engine.js';
import { parseLcov } from '../support/run-action.js';
import { zipFiles } from '../support/zip.js';

let server: ArtifactServer;
let scratch: string;
let repo: string;

beforeAll(async () => {
  await installAct();
  scratch = mkdtempSync(join(tmpdir(), 'pycov-act-'));
  repo = makeRepo();
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A git repo as a checkout of a user's project would be: the action, its bundle, the app. */
function makeRepo(): string {
  const repo = join(scratch, 'repo');
  mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
  cpSync(join(repoRoot, 'action.yml'), join(repo, 'action.yml'));
  cpSync(join(repoRoot, 'dist'), join(repo, 'dist'), { recursive: true });
  cpSync(appSourceDir, join(repo, 'src'), { recursive: true });
  cpSync(
    join(repoRoot, 'test/e2e/workflows/harvest.yml'),
    join(repo, '.github/workflows/harvest.yml'),
  );
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], {
      cwd: repo,
      stdio: 'ignore',
    });
  };
  git('init', '-q', '-b', 'main');
  // Only names the repository in the github context; nothing is fetched from it.
  git('remote', 'add', 'origin', 'https://github.com/example/service.git');
  git('add', '-A');
  git('commit', '-q', '-m', 'checkout');
  return repo;
}

function runHarvestWorkflow(env: Record<string, string>): Promise<ActRun> {
  return runAct({ repo, workflow: '.github/workflows/harvest.yml', env });
}

/** `::set-output::` lines act prints for the harvest step. */
function outputsOf(log: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of log.matchAll(/::set-output:: ([\w-]+)=(.*)$/gm)) {
    outputs[match[1] ?? ''] = match[2] ?? '';
  }
  return outputs;
}

/** The workflow's variables that point the action at `engine`: on Docker, none but DOCKER_HOST. */
function engineEnv(engine: Engine): Record<string, string> {
  return engine.name === 'docker' ? { ...engine.env } : { PYCOV_DOCKER_COMMAND: engine.command };
}

describe.each(engines)('nektos/act runs the workflow with `uses: ./` on %s', (engine) => {
  const services: ServiceContainer[] = [];
  // An artifact server per engine: artifact names are unique per workflow run.
  beforeAll(async () => {
    await engine.require();
    server = await startArtifactServer();
  });
  afterAll(async () => {
    await engine.removeContainers(services);
    await server?.close();
  });

  /** A service container with the agent that has served one request. */
  async function serviceWithTraffic(): Promise<{ service: ServiceContainer; selector: string }> {
    const labels = { 'pycov-e2e-act': `${process.pid}-${engine.name}-${services.length + 1}` };
    const service = await engine.startService({ mode: 'agent', labels });
    services.push(service);
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return { service, selector };
  }

  it('harvests a container (on Docker with the default `docker-command`): step succeeds, summary has the targets table, artifact arrives', async () => {
    const { service, selector } = await serviceWithTraffic();
    const summaryFile = join(scratch, 'summary.md');
    writeFileSync(summaryFile, '');
    const { code, log } = await runHarvestWorkflow({
      PYCOV_SELECTOR: selector,
      PYCOV_COVERAGE_IMAGE: images.coverage,
      SUMMARY_CAPTURE: summaryFile,
      ...engineEnv(engine),
      ...server.env,
    });
    const explain = `act exit ${code}\n${log}\nserver:\n${server.requests.join('\n')}`;
    expect(code, explain).toBe(0);
    expect(log, explain).toMatch(/✅ {2}Success - Main Harvest Python coverage/);
    expect(log).toMatch(/Job succeeded/);
    // runs.using: node24 ran on Node 24.
    expect(log).toMatch(/\| v24\.\d+\.\d+/);

    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary, explain).toMatch(
      /^<h2>Python coverage: \d+\.\d\d% of lines(, \d+\.\d\d% of branches)?<\/h2>/,
    );
    expect(summary).toContain(
      '<tr><th>Target</th><th>Method</th><th>Time</th><th>Files</th><th>Bytes</th><th>Failed attempts</th></tr>',
    );
    expect(summary).toMatch(
      new RegExp(
        `<tr><td>container ${service.name}</td><td>http</td><td>(\\d+ ms|\\d+\\.\\d s)</td><td>[1-9]\\d*</td><td>\\d+(\\.\\d)? (B|KiB|MiB)</td>`,
      ),
    );

    const outputs = outputsOf(log);
    const artifact = server.finalized('python-coverage');
    expect(outputs['artifact-id']).toBe(String(artifact.id));
    expect(outputs['artifact-url']).toBe(
      `https://github.com/example/service/actions/runs/1/artifacts/${artifact.id}`,
    );
    const arrived = zipFiles(artifact.content ?? Buffer.alloc(0));
    expect([...arrived.keys()].sort()).toEqual([
      '.coverage',
      'coverage.json',
      'coverage.lcov',
      'coverage.xml',
      'pycov-harvest.rc',
    ]);
    const lcov = parseLcov(arrived.get('coverage.lcov')?.toString('utf8') ?? '');
    expect(lcov.get('src/main.py')?.get(markerLine('main.py', 'items-even'))).toBeGreaterThan(0);
    expect(lcov.get('src/main.py')?.get(markerLine('main.py', 'items-odd'))).toBe(0);
  });

  it('fails the step with the cause and the fix when the results service rejects the token', async () => {
    const { selector } = await serviceWithTraffic();
    const summaryFile = join(scratch, 'summary-rejected.md');
    writeFileSync(summaryFile, '');
    const [header, claims] = server.runtimeToken.split('.');
    const { code, log } = await runHarvestWorkflow({
      PYCOV_SELECTOR: selector,
      PYCOV_COVERAGE_IMAGE: images.coverage,
      SUMMARY_CAPTURE: summaryFile,
      ...engineEnv(engine),
      ...server.env,
      ACTIONS_RUNTIME_TOKEN: `${header}.${claims}.forged`,
    });
    expect(code, log).not.toBe(0);
    expect(log).toMatch(/❌ {2}Failure - Main Harvest Python coverage/);
    expect(log).toMatch(
      /::error::Uploading artifact "python-coverage" failed: .*\(401\).*invalid runtime token/,
    );
    // The summary was written before the upload, so the job still shows what was harvested.
    expect(readFileSync(summaryFile, 'utf8')).toContain('<h3>Targets</h3>');
  });
});
