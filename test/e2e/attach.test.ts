// `attach` through the bundled action, on podman and the Docker engine: services that run
// `coverage run` with no agent and no save signal (the first users' own entrypoint, unchanged:
// bash PID 1, UID 1001, `[run] sigterm = true`, an SSE stream open) are saved while they run.
// Below 3.14 through the ptrace pending call, on 3.14 through sys.remote_exec; from inside the
// target, or from the injector container when the kernel refuses the service's own user.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachImage, type AttachImage } from '../support/attach-images.js';
import {
  engines,
  httpGet,
  openStream,
  type Engine,
  type ServiceContainer,
  type ServiceOptions,
} from '../support/engine.js';
import {
  explain,
  harvestContainers,
  hits,
  lcovOf,
  selectorOf,
  targetsOf,
} from '../support/harvest-results.js';
import { images, imagesDir } from '../support/images.js';
import { makeWorkspace, runAction, type ActionRun } from '../support/run-action.js';

/** The first users' entrypoint's port. */
const PORT = 8080;
const FIRST_USERS = ['/first-users-entrypoint.sh'];
/** Flush chain without `sigterm`: a refused attach leaves the service running for the next case. */
const NO_SIGTERM = { methods: 'http,signal,attach' };

/** `uvicorn --workers 2` under `coverage run` with `concurrency = multiprocessing`. */
const WORKERS = [
  'bash',
  '-c',
  'printf "[run]\\nsigterm = true\\nsource = src\\nparallel = true\\nconcurrency = multiprocessing,thread\\ndata_file = /coverdata/.coverage\\n" > /tmp/rc && exec python3 -m coverage run --rcfile=/tmp/rc -m uvicorn src.main:app --host 0.0.0.0 --port 8080 --workers 2',
];

/** The Flask image's app under `coverage run -m gunicorn` with 2 sync workers, no agent. */
const GUNICORN = [
  'bash',
  '-c',
  'flask --app wsgi init-db >/dev/null && exec python3 -m coverage run --rcfile=/app/.coveragerc -m gunicorn -b 0.0.0.0:8000 --workers 2 wsgi:app',
];

/** A service that starts as root and hands itself to UID 1001: a user other than exec's. */
const SWITCHES_USER = [
  'python3',
  '-c',
  'import os; os.setgid(1001); os.setuid(1001); os.execv("/bin/bash", ["bash", "/first-users-entrypoint.sh"])',
];

function seccompDenying(calls: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'attach-seccomp-')), 'profile.json');
  writeFileSync(
    path,
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: calls, action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }),
  );
  return path;
}

/** The attach attempt's log line: `<label>: attach confirmed in N ms: <detail>`. */
function attachLine(run: ActionRun): { confirmed: boolean; ms: number; detail: string } {
  const match = / attach (confirmed|not confirmed) in (\d+) ms: (.*)$/m.exec(run.stdout);
  if (match === null) throw new Error(`no attach attempt in the log:\n${explain(run)}`);
  return { confirmed: match[1] === 'confirmed', ms: Number(match[2]), detail: match[3] ?? '' };
}

describe.each(engines)('attach on %s', (engine: Engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  async function service(
    key: AttachImage,
    tag: string,
    options: Partial<ServiceOptions> = {},
  ): Promise<{ service: ServiceContainer; labels: Record<string, string>; image: string }> {
    const image = attachImage(engine, key);
    const labels = { 'pycov-e2e': `${process.pid}-attach-${tag}-${engine.name}` };
    const svc = await engine.startService({
      mode: 'none',
      labels,
      image,
      containerPort: PORT,
      command: FIRST_USERS,
      ...options,
    });
    started.push(svc);
    return { service: svc, labels, image };
  }

  /** The service image has the service's Python and coverage: it converts too. */
  function harvest(
    labels: Record<string, string>,
    image: string,
    extra: Record<string, string> = {},
  ): Promise<ActionRun> {
    return harvestContainers(engine, labels, { 'coverage-image': image, ...extra });
  }

  it("3.12, the first users' entrypoint, default inputs: saved within 10 s while it serves; a second harvest adds the lines run between", async () => {
    const { service: svc, labels, image } = await service('3.12', 'first-users');
    expect((await httpGet(svc.port, '/items/4')).status).toBe(200);
    const stream = await openStream(svc.port);
    try {
      const run = await harvest(labels, image);
      expect(run.exitCode, explain(run)).toBe(0);
      const [outcome] = targetsOf(run);
      expect(outcome?.method, explain(run)).toBe('attach');
      const line = attachLine(run);
      expect(line.ms).toBeLessThan(10_000);
      expect(line.detail).toMatch(
        /^1 process\(es\) saved their coverage from inside the target \(ptrace pending call, thread caught in \w+\)$/,
      );
      const lcov = lcovOf(run);
      expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'stream-tick')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);

      // It still serves, the stream still streams, and the next harvest sees what ran since.
      expect((await httpGet(svc.port, '/health')).status).toBe(200);
      const ticks = stream.ticks();
      expect((await httpGet(svc.port, '/items/3')).status).toBe(200);
      const again = await harvest(labels, image);
      expect(targetsOf(again)[0]?.method, explain(again)).toBe('attach');
      expect(hits(lcovOf(again), 'main.py', 'items-odd')).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(stream.ticks()).toBeGreaterThan(ticks);
      const log = await engine.logs(svc.id);
      expect(log).not.toMatch(/Traceback|SystemError/);
    } finally {
      stream.close();
    }
  });

  it('3.14: saved through sys.remote_exec (or its pending call where seccomp denies process_vm_readv), within 10 s; a second harvest adds the lines run between', async () => {
    const { service: svc, labels, image } = await service('3.14', 'py314');
    const stream = await openStream(svc.port);
    try {
      const run = await harvest(labels, image);
      expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
      const line = attachLine(run);
      expect(line.ms).toBeLessThan(10_000);
      // Docker 20.10's default seccomp profile allows process_vm_readv only with CAP_SYS_PTRACE:
      // there sys.remote_exec is refused and the same program places the pending call instead.
      expect(line.detail).toMatch(
        engine.name === 'podman'
          ? /^1 process\(es\) saved their coverage from inside the target \(sys\.remote_exec\)$/
          : /^1 process\(es\) saved their coverage from inside the target \(ptrace pending call, thread caught in \w+\)$/,
      );
      expect(hits(lcovOf(run), 'main.py', 'stream-tick')).toBeGreaterThan(0);
      expect(hits(lcovOf(run), 'main.py', 'items-odd')).toBe(0);
      expect((await httpGet(svc.port, '/health')).status).toBe(200);
      expect((await httpGet(svc.port, '/items/3')).status).toBe(200);
      const again = await harvest(labels, image);
      expect(targetsOf(again)[0]?.method, explain(again)).toBe('attach');
      expect(hits(lcovOf(again), 'main.py', 'items-odd')).toBeGreaterThan(0);
    } finally {
      stream.close();
    }
  });

  it.each(['3.11', '3.13'] as const)(
    "%s, the first users' entrypoint: saved through the pending call",
    async (key) => {
      const { service: svc, labels, image } = await service(key, `py${key}`);
      expect((await httpGet(svc.port, '/items/4')).status).toBe(200);
      const run = await harvest(labels, image);
      expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
      expect(attachLine(run).detail).toMatch(
        /^1 process\(es\) saved their coverage from inside the target \(ptrace pending call/,
      );
      expect(hits(lcovOf(run), 'main.py', 'items-even')).toBeGreaterThan(0);
    },
  );

  it('uvicorn --workers 2: the master and both workers save, each its own file', async () => {
    const { service: svc, labels, image } = await service('3.12', 'workers', { command: WORKERS });
    for (let i = 0; i < 6; i++) expect((await httpGet(svc.port, `/items/${i}`)).status).toBe(200);
    const run = await harvest(labels, image);
    expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
    expect(attachLine(run).detail).toMatch(/^3 process\(es\) saved their coverage/);
    expect(targetsOf(run)[0]?.files).toBe(3);
    expect(hits(lcovOf(run), 'main.py', 'items-odd')).toBeGreaterThan(0);
  });

  it("gunicorn's arbiter and its 2 workers under `coverage run` (the Flask app): each saves its own file, the workers' lines come back", async () => {
    const labels = { 'pycov-e2e': `${process.pid}-attach-gunicorn-${engine.name}` };
    const svc = await engine.startService({
      mode: 'none',
      labels,
      image: images.flask,
      containerPort: 8000,
      command: GUNICORN,
    });
    started.push(svc);
    for (let i = 0; i < 6; i++) expect((await httpGet(svc.port, '/health')).status).toBe(200);
    const place = makeWorkspace((ws) => cpSync(join(imagesDir, 'flask'), ws, { recursive: true }));
    const run = await runAction(
      {
        target: 'docker',
        selector: selectorOf(labels),
        ...engine.inputs,
        'path-map': '/app=.',
        'coverage-image': images.flask,
        upload: 'false',
      },
      place,
      engine.env,
    );
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
    expect(attachLine(run).detail).toMatch(/^3 process\(es\) saved their coverage/);
    expect(targetsOf(run)[0]?.files).toBe(3);
    const routes = lcovOf(run).get('app/main/routes.py');
    const body = readFileSync(join(imagesDir, 'flask/app/main/routes.py'), 'utf8')
      .split('\n')
      .findIndex((line) => line.includes('return {"ok": True'));
    expect(routes?.get(body + 1), explain(run)).toBeGreaterThan(0);
    expect((await httpGet(svc.port, '/health')).status).toBe(200);
  });

  it('a shell-less image with `coverage run` as PID 1', async () => {
    const { service: svc, labels } = await service('3.12-distroless', 'distroless', {
      command: undefined,
    });
    expect((await httpGet(svc.port, '/items/4')).status).toBe(200);
    const run = await harvest(labels, attachImage(engine, '3.12'));
    expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
    expect(hits(lcovOf(run), 'main.py', 'items-even')).toBeGreaterThan(0);
  });

  it('seccomp denies the service ptrace: refused inside in one sentence, saved from the injector container', async () => {
    const profile = seccompDenying(['ptrace']);
    const { labels, image } = await service('3.12', 'seccomp', {
      runArgs: ['--security-opt', `seccomp=${profile}`],
    });
    const run = await harvest(labels, image, NO_SIGTERM);
    expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
    const { detail } = attachLine(run);
    expect(detail).toMatch(
      /^1 process\(es\) saved their coverage from an injector container \(the target's own image\) \(ptrace pending call, thread caught in \w+\); from inside the target: the kernel refused to let this process trace pid \d+ \(PTRACE_SEIZE: Operation not permitted\): run attach with CAP_SYS_PTRACE \(`--cap-add SYS_PTRACE` for docker and compose, `securityContext\.capabilities\.add: \[SYS_PTRACE\]` in Kubernetes\), or use the agent$/,
    );
    // The injector container is gone.
    expect(await engine.cli('ps', '-a', '--filter', 'label=pycov-harvest.injector')).not.toMatch(
      /pycov-harvest-attach/,
    );
  });

  it('another user: the exec user may not look into the service; saved from the injector container', async () => {
    const { labels, image } = await service('3.12', 'uid', {
      command: SWITCHES_USER,
      user: '0',
    });
    const run = await harvest(labels, image, NO_SIGTERM);
    expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
    expect(attachLine(run).detail).toMatch(
      /from inside the target: this process may not look into pid \d+ \(Permission denied: another user, and no CAP_SYS_PTRACE\): run attach with CAP_SYS_PTRACE/,
    );
  });

  it('3.14, coverage installed but never started, `attach-start`: measured from the first harvest on, and the step says so', async () => {
    // The service image's own uvicorn without coverage run (COVERAGE_MODE=none), port 8000.
    const {
      service: svc,
      labels,
      image,
    } = await service('3.14', 'from-now', {
      command: undefined,
      containerPort: images.servicePort,
    });
    expect((await httpGet(svc.port, '/items/4')).status).toBe(200);
    const first = await harvest(labels, image, { 'attach-start': 'true' });
    expect(targetsOf(first)[0]?.method, explain(first)).toBe('attach');
    expect(first.stdout).toMatch(
      /coverage in 1 process\(es\) \(pid \d+\) measures only from \S+ on, when `attach` started it \(`attach-start`\): lines that ran before then are not measured/,
    );
    const before = lcovOf(first);
    expect(hits(before, 'main.py', 'items-even')).toBe(0);
    expect(hits(before, 'main.py', 'items-odd')).toBe(0);

    expect((await httpGet(svc.port, '/items/3')).status).toBe(200);
    expect((await httpGet(svc.port, '/items/4')).status).toBe(200);
    const second = await harvest(labels, image, { 'attach-start': 'true' });
    expect(targetsOf(second)[0]?.method, explain(second)).toBe('attach');
    expect(second.stdout).toContain('when `attach` started it (`attach-start`)');
    const after = lcovOf(second);
    expect(hits(after, 'main.py', 'items-odd')).toBeGreaterThan(0);
    expect(hits(after, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect((await httpGet(svc.port, '/health')).status).toBe(200);
  });

  it('3.14 with remote debugging turned off: refused in one sentence, no injector container, the chain moves on', async () => {
    const { labels, image } = await service('3.14', 'nodebug', {
      env: { PYTHON_DISABLE_REMOTE_DEBUG: '1' },
    });
    const run = await harvest(labels, image, NO_SIGTERM);
    const line = attachLine(run);
    expect(line.confirmed, explain(run)).toBe(false);
    expect(line.detail).toMatch(
      /^pid \d+ has remote debugging turned off \(PYTHON_DISABLE_REMOTE_DEBUG, -X disable-remote-debug, or a build --without-remote-debug\): remove that setting, or use the agent$/,
    );
    expect(targetsOf(run)[0]?.method).toBeNull();
    expect(run.stdout).toContain('no flush method confirmed a save');
  });
});
