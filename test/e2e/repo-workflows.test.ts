// The repository's own workflows (.github/workflows/ci.yml): nektos/act runs the dist job on a
// copy of this working tree, as GitHub would on a push; the checks job is checked to be the
// commands `npm test` itself runs; the e2e-kind job needs Docker Hub and a Kind cluster, which
// these machines lack, so its references (the Dockerfile's sources, the manifest, the action's
// inputs and path mapping) are checked against the repository.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAct, runAct } from '../support/act.js';
import { repoRoot } from '../support/images.js';

const workflowPath = '.github/workflows/ci.yml';
let scratch: string;
let standIns: string[];

beforeAll(async () => {
  await installAct();
  scratch = mkdtempSync(join(tmpdir(), 'pycov-ci-'));
  standIns = skippedActionStandIns();
});

/**
 * act clones every action a job names before it runs, even steps its `if` skips. The setup
 * actions are skipped under act (`if: ${{ !env.ACT }}`: the runner's own Node and Python do
 * their work), so each gets a local stand-in that fails loudly if it ever runs.
 */
function skippedActionStandIns(): string[] {
  return ['actions/setup-node@v4', 'actions/setup-python@v5'].flatMap((action) => {
    const dir = join(scratch, 'stand-ins', action.replace(/[/@]/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'action.yml'),
      `name: stand-in\nruns:\n  using: composite\n  steps:\n    - run: echo "${action} must be skipped under act"; exit 1\n      shell: bash\n`,
    );
    return ['--local-repository', `${action}=${dir}`];
  });
}

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A git repository holding this working tree's files (tracked and new, not ignored). */
function copyOfWorkingTree(name: string): string {
  const repo = join(scratch, name);
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file && existsSync(join(repoRoot, file)));
  for (const file of files) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(repo, file));
  }
  commitAll(repo, true);
  return repo;
}

function commitAll(repo: string, init = false): void {
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], {
      cwd: repo,
      stdio: 'ignore',
    });
  };
  if (init) {
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', 'https://github.com/example/pycov-harvest.git');
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'checkout');
}

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

const workflow = (): Workflow =>
  yaml.load(readFileSync(join(repoRoot, workflowPath), 'utf8')) as Workflow;

describe('.github/workflows/ci.yml under act', () => {
  it('the dist job passes on this tree and fails, naming the fix, when dist/ is stale', async () => {
    const repo = copyOfWorkingTree('dist-ok');
    const ok = await runAct({
      repo,
      workflow: workflowPath,
      job: 'dist',
      args: standIns,
      timeoutMs: 580_000,
    });
    expect(ok.code, ok.log).toBe(0);
    expect(ok.log).toMatch(/✅ {2}Success - Main npm run bundle/);
    expect(ok.log).toMatch(/✅ {2}Success - Main Compare with the committed dist\//);

    appendFileSync(join(repo, 'dist/index.js'), '\n// edited by hand\n');
    commitAll(repo);
    const stale = await runAct({
      repo,
      workflow: workflowPath,
      job: 'dist',
      args: standIns,
      timeoutMs: 580_000,
    });
    expect(stale.code, stale.log).not.toBe(0);
    expect(stale.log).toMatch(/❌ {2}Failure - Main Compare with the committed dist\//);
    expect(stale.log).toContain(
      'dist/ differs from a fresh bundle of src/; run `npm run bundle` and commit dist/',
    );
  }, 1_200_000);

  it('the checks job runs the npm scripts `npm test` runs here (type check, lint, Python lint, format, unit tests)', () => {
    // Running it under act would repeat what this very `npm test` run does (about 6 minutes):
    // the job is checked to be the same commands instead.
    const steps = workflow().jobs.checks?.steps ?? [];
    const scripts = steps.flatMap((step) => /^npm run (\S+)$/.exec(step.run ?? '')?.slice(1) ?? []);
    expect(scripts).toEqual(['build', 'lint', 'lint:py', 'format:check', 'test:unit']);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const script of scripts.filter((name) => name !== 'test:unit')) {
      expect(pkg.scripts.test).toContain(`npm run ${script}`);
    }
    expect(pkg.scripts['test:unit']).toBe('vitest run --project unit');
    expect(pkg.scripts.test).toContain('vitest run --project unit');
  });

  it('act reads all three jobs of the workflow', async () => {
    const run = await runAct({
      repo: repoRoot,
      workflow: workflowPath,
      args: ['--list'],
      timeoutMs: 60_000,
    });
    expect(run.code, run.log).toBe(0);
    for (const job of ['dist', 'checks', 'e2e-kind']) {
      expect(run.log).toMatch(new RegExp(`^\\S+\\s+${job}\\s`, 'm'));
    }
  });
});

describe('the e2e-kind job users copy', () => {
  const steps = (): Step[] => workflow().jobs['e2e-kind']?.steps ?? [];

  it('harvests the Kind pods with `uses: ./`, mapping the image path onto the sources', () => {
    const harvest = steps().find((step) => step.uses === './');
    expect(harvest?.with?.target).toBe('kubernetes');
    const manifest = yaml.loadAll(readFileSync(join(repoRoot, '.github/e2e/api.yaml'), 'utf8')) as {
      kind: string;
      spec: { template?: { metadata: { labels: Record<string, string> } } };
    }[];
    const deployment = manifest.find((doc) => doc.kind === 'Deployment');
    const [key, value] = (harvest?.with?.selector ?? '').split('=');
    expect(deployment?.spec.template?.metadata.labels[key ?? '']).toBe(value);
    // /app=test/images/app: the image's /app/src/main.py is the checkout's file.
    const [from, to] = (harvest?.with?.['path-map'] ?? '').split('=');
    expect(from).toBe('/app');
    const dockerfile = readFileSync(join(repoRoot, '.github/e2e/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(new RegExp(`^COPY ${to}/src /app/src$`, 'm'));
    expect(existsSync(join(repoRoot, to ?? '', 'src/main.py'))).toBe(true);
  });

  it('every file the Dockerfile copies exists, and the image turns the agent on', () => {
    const dockerfile = readFileSync(join(repoRoot, '.github/e2e/Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (\S+) \S+$/gm)].map((match) => match[1] ?? '');
    expect(sources.length).toBeGreaterThan(2);
    // wheels/ is built by the job's own step from ./agent.
    const built = steps().some((step) =>
      /pip wheel --no-deps -w wheels \.\/agent/.test(step.run ?? ''),
    );
    expect(built).toBe(true);
    for (const source of sources.filter((path) => path !== 'wheels/')) {
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
    }
    expect(dockerfile).toMatch(/^ENV PYCOV_HARVEST=1 /m);
    expect(dockerfile).toMatch(/^USER 1001$/m);
  });
});
