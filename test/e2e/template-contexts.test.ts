// fastapi/full-stack-fastapi-template's own coverage config in a service (issue 18, §3), through
// the bundled action on podman and the Docker engine, on ctrace, pytrace and sys.monitoring:
// its exact `[tool.coverage]` tables (`dynamic_context = "test_function"`) read through
// PYCOV_HARVEST_RCFILE, route handlers named like its `test_email` and `test_token`, contexts
// switched by the harness (`node dist/cli.js context`). Beside it, the same app under plain
// `coverage run` with the same config (no agent): its data holds coverage.py's own context for
// `test_email`. The summary and the contexts-file count only the harness's contexts, each with
// exactly the lines its test ran, checked against `coverage json --show-contexts` on the action's
// combined data.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images, repoRoot } from '../support/images.js';
import { engines, httpGet, type Engine, type ServiceContainer } from '../support/engine.js';
import { explain, targetsOf } from '../support/harvest-results.js';
import { makeWorkspace, relativeFilesRc, runAction } from '../support/run-action.js';

// backend/pyproject.toml of fastapi/full-stack-fastapi-template (68adb40), its [tool.coverage.*]
// tables verbatim.
const TEMPLATE_TABLES = `[tool.coverage.run]
source = ["app"]
dynamic_context = "test_function"

[tool.coverage.report]
show_missing = true
sort = "-Cover"

[tool.coverage.html]
show_contexts = true
`;
const APP = `from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/items")
def read_items():
    items = [1, 2, 3]  # phase: items
    total = sum(items)  # phase: items
    return {"total": total}  # phase: items


@app.get("/utils/test-email")
def test_email():
    recipient = "a@example.com"  # phase: email
    subject = "Test email"  # phase: email
    return {"sent": recipient, "subject": subject}  # phase: email


@app.get("/login/test-token")
def test_token():
    user = {"id": 1}  # phase: token
    return user  # phase: token
`;
const PYPROJECT = `[project]\nname = "backend"\nversion = "0"\n\n${TEMPLATE_TABLES}`;
/** Where the app lives in the containers (written there at start; the image's own app is not used). */
const APP_ROOT = '/tmp/backend';
// The harness's phases: the context it switches to, and that test's requests.
const PHASES: [string, string[]][] = [
  ['e2e_items_and_email', ['/items', '/utils/test-email']],
  ['e2e_token', ['/login/test-token']],
  ['e2e_items_again', ['/items']],
];

const linesOf = (tag: string): number[] =>
  APP.split('\n').flatMap((line, i) => (line.endsWith(`# phase: ${tag}`) ? [i + 1] : []));

/** bash that writes the app and its pyproject.toml under APP_ROOT, then runs `server`. */
function startScript(server: string): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    `mkdir -p ${APP_ROOT}/app && cd ${APP_ROOT}`,
    `echo ${b64(PYPROJECT)} | base64 -d > pyproject.toml`,
    `echo ${b64(APP)} | base64 -d > app/main.py && : > app/__init__.py`,
    `exec ${server} app.main:app --host 0.0.0.0 --port ${images.servicePort}`,
  ].join('\n');
}

const execFileAsync = promisify(execFile);

async function switchTo(engine: Engine, selector: string, name: string): Promise<void> {
  await execFileAsync(
    process.execPath,
    [
      join(repoRoot, 'dist/cli.js'),
      'context',
      name,
      '--target',
      'docker',
      '--selector',
      selector,
      '--docker-command',
      engine.command,
    ],
    { timeout: 120_000, env: engine.processEnv },
  );
}

interface CoverageJsonFile {
  executed_lines: number[];
  contexts?: Record<string, string[]>;
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));

  it.each(['ctrace', 'pytrace', 'sysmon'])(
    'core %s: only the contexts the harness switched count, each with exactly its lines',
    async (core) => {
      const id = `${process.pid}-${engine.name}-${core}`;
      const agent = await engine.startService({
        mode: 'none',
        image: images.servicePy313,
        labels: { 'pycov-e2e-tpl': id, 'pycov-e2e-tpl-agent': id },
        env: {
          PYCOV_HARVEST: '1',
          PYCOV_HARVEST_RCFILE: `${APP_ROOT}/pyproject.toml`,
          COVERAGE_CORE: core,
        },
        command: ['bash', '-c', startScript('python -m uvicorn')],
      });
      started.push(agent);
      // The same app and config under plain `coverage run`, no agent: coverage.py's own
      // dynamic contexts, as a project's unit-test setup would record them.
      const plain = await engine.startService({
        mode: 'none',
        image: images.servicePy313,
        labels: { 'pycov-e2e-tpl': id },
        command: [
          'bash',
          '-c',
          startScript(
            'python -m coverage run --rcfile=pyproject.toml --data-file=/coverdata/.coverage --save-signal=USR1 -m uvicorn',
          ),
        ],
      });
      started.push(plain);

      for (const [name, paths] of PHASES) {
        await switchTo(engine, `pycov-e2e-tpl-agent=${id}`, name);
        for (const path of paths) expect((await httpGet(agent.port, path)).status).toBe(200);
      }
      await switchTo(engine, `pycov-e2e-tpl-agent=${id}`, '');
      expect((await httpGet(plain.port, '/utils/test-email')).status).toBe(200);
      // coverage.py writes its data when a dynamic context ends; a save signal after that finds
      // nothing new and leaves the file as it was, which the `signal` method cannot tell from no
      // save: one more request, measured outside any context, gives the save something to write.
      expect((await httpGet(plain.port, '/items')).status).toBe(200);

      const status = JSON.parse(
        await engine.cli('exec', agent.id, 'python', '-m', 'pycov_harvest', 'status'),
      ) as { processes: { core: string }[] };
      expect(status.processes.map((p) => p.core)).toEqual([core]);
      const agentLog = await engine.logs(agent.id);
      expect(agentLog).toContain(
        `pycov-harvest: dynamic_context = test_function from ${APP_ROOT}/pyproject.toml is not applied in a service`,
      );
      expect(agentLog).not.toContain("Can't use core=sysmon");

      const place = makeWorkspace((ws) => {
        mkdirSync(join(ws, 'app'));
        writeFileSync(join(ws, 'app', '__init__.py'), '');
        writeFileSync(join(ws, 'app', 'main.py'), APP);
      });
      const run = await runAction(
        {
          target: 'docker',
          selector: `pycov-e2e-tpl=${id}`,
          ...engine.inputs,
          'coverage-image': images.coveragePy313,
          'path-map': `${APP_ROOT}=.`,
          formats: 'json',
          upload: 'false',
        },
        place,
        engine.env,
      );
      expect(run.exitCode, explain(run)).toBe(0);
      expect(
        targetsOf(run)
          .map((o) => o.method)
          .sort(),
      ).toEqual(['http', 'signal']);
      expect(run.stdout).toContain(
        '1 context(s) in the data were not switched by the test harness',
      );

      // coverage.py's own command on the action's combined data.
      const out = join(run.workspace, 'coverage-harvest');
      execFileSync(
        engine.command,
        [
          'run',
          '--rm',
          '--network',
          'none',
          '-v',
          `${run.workspace}:${run.workspace}`,
          '-w',
          run.workspace,
          '--entrypoint',
          'python3',
          images.coveragePy313,
          '-m',
          'coverage',
          'json',
          '--show-contexts',
          '-q',
          `--rcfile=${relativeFilesRc(run.workspace)}`,
          `--data-file=${out}/.coverage`,
          '-o',
          'cli.json',
        ],
        { env: engine.processEnv },
      );
      const theirs = JSON.parse(readFileSync(join(run.workspace, 'cli.json'), 'utf8')) as {
        files: Record<string, CoverageJsonFile>;
      };
      const main = theirs.files['app/main.py'];
      const byContext = new Map<string, number[]>();
      for (const line of main?.executed_lines ?? [])
        for (const name of main?.contexts?.[String(line)] ?? [])
          byContext.set(name, [...(byContext.get(name) ?? []), line]);
      // coverage.py's report has the plain container's own context beside the harness's.
      expect([...byContext.keys()].sort()).toEqual([
        '',
        'app.main.test_email',
        'e2e_items_again',
        'e2e_items_and_email',
        'e2e_token',
      ]);
      const items = linesOf('items');
      const email = linesOf('email');
      expect(byContext.get('e2e_items_and_email')).toEqual(
        [...items, ...email].sort((a, b) => a - b),
      );
      expect(byContext.get('e2e_token')).toEqual(linesOf('token'));
      expect(byContext.get('e2e_items_again')).toEqual(items);
      expect(byContext.get('app.main.test_email')).toEqual(email);

      // The contexts-file and the summary: the harness's three, with those very lines.
      const file = JSON.parse(
        readFileSync(join(run.workspace, run.outputs['contexts-file'] ?? ''), 'utf8'),
      ) as Record<string, Record<string, number[]>>;
      expect(Object.keys(file).sort()).toEqual([
        '',
        'e2e_items_again',
        'e2e_items_and_email',
        'e2e_token',
      ]);
      for (const name of ['e2e_items_and_email', 'e2e_token', 'e2e_items_again'])
        expect(file[name], name).toEqual({ 'app/main.py': byContext.get(name) });
      expect(run.stdout).toContain('3 context(s) recorded by the agent');
      const rows: string[] = [];
      for (const [name, lines, unique] of [
        ['e2e_items_and_email', 6, 3],
        ['e2e_token', 2, 2],
        ['e2e_items_again', 3, 0],
      ] as const) {
        expect(run.summary).toContain(
          `<code>${name.replace(/_/g, '&#95;')}</code></td><td>${lines}</td><td>${unique}</td><td>1</td>`,
        );
        rows.push(`${name} ${lines}/${unique}`);
      }
      expect(run.summary).not.toMatch(/test(_|&#95;)email/);
      console.log(
        `template config, ${core}, ${engine.name}: summary ${rows.join(', ')}; coverage json --show-contexts: ${[
          ...byContext,
        ]
          .map(([name, lines]) => `${name || '(none)'} ${lines.length}`)
          .join(', ')}`,
      );
    },
  );
});
