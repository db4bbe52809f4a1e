// Which test ran which line, through the runner-side interface: `node dist/cli.js context NAME`
// switches every agent process of every matched container (podman and the Docker engine); the harvest then keeps the
// contexts through combine, writes the `contexts-file` and the "E2E tests" summary section, and
// both agree with coverage.py's own `coverage json --show-contexts` on the same combined data.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images, markerLine, repoRoot } from '../support/images.js';
import { engines, httpGet, type Engine, type ServiceContainer } from '../support/engine.js';
import { makeWorkspace, runAction } from '../support/run-action.js';

const execFileAsync = promisify(execFile);

/** The CLI as a harness runs it: its exit status and its lines. */
async function cli(
  engine: Engine,
  ...args: string[]
): Promise<{ code: number; lines: string[]; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(repoRoot, 'dist/cli.js'), 'context', ...args, '--docker-command', engine.command],
      { timeout: 120_000, env: engine.processEnv },
    );
    return { code: 0, lines: stdout.trim().split('\n').filter(Boolean), stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      lines: (e.stdout ?? '').trim().split('\n').filter(Boolean),
      stderr: e.stderr ?? '',
    };
  }
}

async function switchTo(engine: Engine, selector: string, name: string): Promise<string[]> {
  const run = await cli(engine, name, '--target', 'docker', '--selector', selector);
  expect(run.code, `${run.lines.join('\n')}\n${run.stderr}`).toBe(0);
  return run.lines;
}

interface CoverageJsonFile {
  executed_lines: number[];
  contexts?: Record<string, string[]>;
}

/** Context → file → executed lines, straight from coverage.py's own `--show-contexts` report. */
function linesFromCoverage(
  files: Record<string, CoverageJsonFile>,
): Map<string, Map<string, number[]>> {
  const result = new Map<string, Map<string, number[]>>();
  for (const [file, data] of Object.entries(files)) {
    for (const line of data.executed_lines) {
      for (const context of data.contexts?.[String(line)] ?? []) {
        const byFile = result.get(context) ?? new Map<string, number[]>();
        result.set(context, byFile);
        byFile.set(file, [...(byFile.get(file) ?? []), line]);
      }
    }
  }
  return result;
}

describe.each(engines)('on %s', (engine) => {
  const started: ServiceContainer[] = [];
  beforeAll(() => engine.require());
  afterAll(() => engine.removeContainers(started));
  const labels = { 'pycov-e2e-contexts': `${process.pid}-${engine.name}` };
  const selector = `pycov-e2e-contexts=${process.pid}-${engine.name}`;
  const startService = engine.startService.bind(engine);
  const switchHere = (name: string) => switchTo(engine, selector, name);

  it('switch every container from the runner, then harvest: contexts-file, summary and reports agree with coverage.py', async () => {
    const twoWorkers = await startService({
      mode: 'agent',
      labels,
      env: { UVICORN_WORKERS: '2' },
    });
    started.push(twoWorkers);
    const single = await startService({ mode: 'agent', labels });
    started.push(single);

    const first = await switchHere('t1 even');
    expect(first).toHaveLength(2);
    for (const line of first)
      expect(line).toMatch(/: context "t1 even" in [1-9]\d* process\(es\), \d+ ms/);
    expect(first.join('\n')).toContain(twoWorkers.name);
    expect(first.join('\n')).toContain(single.name);
    for (let i = 0; i < 4; i++)
      expect((await httpGet(twoWorkers.port, '/items/2')).status).toBe(200);
    expect((await httpGet(single.port, '/items/4')).status).toBe(200);

    await switchHere('t2 odd');
    for (let i = 0; i < 4; i++)
      expect((await httpGet(twoWorkers.port, '/items/3')).status).toBe(200);
    expect((await httpGet(single.port, '/divide?a=1&b=0')).status).toBe(400);

    await switchHere('t3 odd again');
    expect((await httpGet(single.port, '/items/5')).status).toBe(200); // only lines t2 ran too
    await switchHere('');

    const place = makeWorkspace((ws) => cpSync(appSourceDir, join(ws, 'src'), { recursive: true }));
    const run = await runAction(
      {
        target: 'docker',
        selector,
        ...engine.inputs,
        'coverage-image': images.coverage,
        'path-map': '/app=.',
        formats: 'json,html',
        upload: 'false',
      },
      place,
      engine.env,
    );
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);

    // coverage.py's own command on the action's combined data.
    const out = join(run.workspace, 'coverage-harvest');
    mkdirSync(join(run.workspace, 'cli'));
    // As a user checks `.coverage` by hand (docs/action.md): with `relative_files = true`.
    writeFileSync(join(run.workspace, 'cli/relative.rc'), '[run]\nrelative_files = true\n');
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
        images.coverage,
        '-m',
        'coverage',
        'json',
        '--show-contexts',
        '-q',
        '-i',
        '--rcfile=cli/relative.rc',
        `--data-file=${out}/.coverage`,
        '-o',
        'cli/coverage.json',
      ],
      { env: engine.processEnv },
    );
    const theirs = JSON.parse(readFileSync(join(run.workspace, 'cli/coverage.json'), 'utf8')) as {
      files: Record<string, CoverageJsonFile>;
    };
    const expected = linesFromCoverage(theirs.files);

    // The per-line contexts are where the switches put them.
    const main = theirs.files['src/main.py'];
    const at = (marker: string): string[] =>
      [...(main?.contexts?.[String(markerLine('main.py', marker))] ?? [])].sort();
    expect(at('items-even')).toEqual(['t1 even']);
    expect(at('items-odd')).toEqual(['t2 odd', 't3 odd again']);
    expect(at('divide-by-zero')).toEqual(['t2 odd']);
    expect(
      theirs.files['src/calc.py']?.contexts?.[String(markerLine('calc.py', 'calc-zero'))],
    ).toEqual(['t2 odd']);
    expect(at('health')).toEqual(['']); // readiness probes, before any switch

    // The contexts-file: context → file → lines, exactly as coverage.py's report has them.
    expect(run.outputs['contexts-file']).toBe('coverage-harvest/contexts.json');
    const file = JSON.parse(
      readFileSync(join(run.workspace, run.outputs['contexts-file'] ?? ''), 'utf8'),
    ) as Record<string, Record<string, number[]>>;
    expect(Object.keys(file).sort()).toEqual([...expected.keys()].sort());
    for (const [context, byFile] of expected)
      expect(file[context], context).toEqual(
        Object.fromEntries([...byFile].sort(([a], [b]) => (a < b ? -1 : 1))),
      );

    // The summary's figures, against the same report: lines per context and lines only it ran.
    const owners = new Map<string, number>();
    for (const [context, byFile] of expected) {
      if (context === '') continue;
      for (const [f, lines] of byFile)
        for (const l of lines) owners.set(`${f}:${l}`, (owners.get(`${f}:${l}`) ?? 0) + 1);
    }
    expect(run.summary).toContain('E2E tests');
    for (const [context, byFile] of expected) {
      if (context === '') continue;
      const lines = [...byFile].flatMap(([f, ls]) => ls.map((l) => `${f}:${l}`));
      const unique = lines.filter((key) => owners.get(key) === 1).length;
      const row = new RegExp(
        `<code>${context}</code></td><td>${lines.length}</td><td>${unique}</td><td>${byFile.size}</td>`,
      );
      expect(run.summary, context).toMatch(row);
    }
    expect(run.summary).toMatch(/1 context ran no line that no other context ran/);
    expect(run.summary).toMatch(
      /<summary>1 context that ran nothing other contexts did not<\/summary>[\s\S]*?<code>t3 odd again<\/code>/,
    );

    // The JSON report shows the contexts; so does the HTML report.
    const ours = JSON.parse(readFileSync(join(out, 'coverage.json'), 'utf8')) as {
      meta: { show_contexts: boolean };
      files: Record<string, CoverageJsonFile>;
    };
    expect(ours.meta.show_contexts).toBe(true);
    // (coverage.py lists a line's contexts in no particular order)
    const sorted = (byLine: Record<string, string[]> = {}) =>
      Object.fromEntries(Object.entries(byLine).map(([line, names]) => [line, [...names].sort()]));
    expect(sorted(ours.files['src/main.py']?.contexts)).toEqual(sorted(main?.contexts));
    const page = readdirSync(join(out, 'htmlcov')).find(
      (f) => f.includes('main_py') && f.endsWith('.html'),
    );
    expect(readFileSync(join(out, 'htmlcov', page ?? 'missing'), 'utf8')).toContain('t2 odd');
  });

  it('`reset: true` starts a fresh window after the harvest: the next harvest holds only what ran after it', async () => {
    const phase = { 'pycov-e2e-phases': `${process.pid}-${engine.name}` };
    const service = await startService({ mode: 'agent', labels: phase });
    started.push(service);
    const harvest = async (reset: string) => {
      const place = makeWorkspace((ws) =>
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true }),
      );
      const run = await runAction(
        {
          target: 'docker',
          selector: `pycov-e2e-phases=${process.pid}-${engine.name}`,
          ...engine.inputs,
          'coverage-image': images.coverage,
          'path-map': '/app=.',
          formats: 'json',
          upload: 'false',
          reset,
        },
        place,
        engine.env,
      );
      expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
      const report = JSON.parse(
        readFileSync(join(run.workspace, 'coverage-harvest/coverage.json'), 'utf8'),
      ) as { files: Record<string, CoverageJsonFile> };
      return { run, executed: report.files['src/main.py']?.executed_lines ?? [] };
    };
    // Smoke phase.
    expect((await httpGet(service.port, '/items/2')).status).toBe(200);
    const smoke = await harvest('true');
    expect(smoke.run.stdout).toMatch(/acknowledged flush #\d+ \(reset\)/);
    expect(smoke.executed).toContain(markerLine('main.py', 'items-even'));
    // Full phase: only what ran after the smoke harvest.
    expect((await httpGet(service.port, '/items/3')).status).toBe(200);
    const full = await harvest('false');
    expect(full.executed).toContain(markerLine('main.py', 'items-odd'));
    expect(full.executed).not.toContain(markerLine('main.py', 'items-even'));
    // No switches: nothing about contexts.
    expect(full.run.outputs['contexts-file']).toBe('');
    expect(full.run.summary).not.toContain('E2E tests');
  });

  it('`serve` takes switches over HTTP through relays until SIGTERM; a container started later joins at the current context', async () => {
    const own = { 'pycov-e2e-serve': `${process.pid}-${engine.name}` };
    const service = await startService({ mode: 'agent', labels: own });
    started.push(service);
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'dist/cli.js'),
        'serve',
        '--port',
        '0',
        '--target',
        'docker',
        '--selector',
        `pycov-e2e-serve=${process.pid}-${engine.name}`,
        '--docker-command',
        engine.command,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: engine.processEnv },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let joiner: ServiceContainer | undefined;
    try {
      const url = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: Buffer) => {
          const match = /switching contexts on (http:\/\/\S+\/context)/.exec(String(chunk));
          if (match?.[1] !== undefined) done(match[1]);
        });
        child.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
      });
      const post = async (name: string) => {
        const response = await fetch(url, {
          method: 'POST',
          body: JSON.stringify({ context: name }),
        });
        return {
          status: response.status,
          body: (await response.json()) as {
            ok: boolean;
            targets: { label: string; ok: boolean }[];
          },
        };
      };
      const first = await post('served');
      expect(first.status).toBe(200);
      expect(first.body.targets.map((t) => [t.label, t.ok])).toEqual([
        [`container ${service.name}`, true],
      ]);
      expect(output).toContain(
        `container ${service.name}: switches through a relay (exec'd once, `,
      );
      expect((await httpGet(service.port, '/items/7')).status).toBe(200);
      // A container that starts while the suite runs (a restart, a scale-up) is switched to the
      // current context by serve's background listing before the next test's switch.
      joiner = await startService({ mode: 'agent', labels: own });
      started.push(joiner);
      const deadline = Date.now() + 30_000;
      while (!output.includes(`container ${joiner.name}: joined`) && Date.now() < deadline)
        await new Promise((done) => setTimeout(done, 100));
      expect(output).toMatch(
        new RegExp(`container ${joiner.name}: context "served" in [1-9]\\d* process\\(es\\)`),
      );
      expect((await httpGet(joiner.port, '/items/7')).status).toBe(200);
      const last = await post('');
      expect(last.status).toBe(200);
      expect(last.body.targets).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The relays ended with serve: no program of ours is left running in the containers.
    for (const container of [service, joiner]) {
      if (container === undefined) continue;
      const left = await engine.cli(
        'exec',
        container.id,
        'python3',
        '-c',
        'import os\nfor p in os.listdir("/proc"):\n if p.isdigit():\n  try: print(open("/proc/%s/cmdline" % p, "rb").read().replace(b"\\0", b" ").decode())\n  except OSError: pass',
      );
      expect(left).not.toMatch(/-S -c import json,os,sys,zlib/);
    }
    const run = await runAction(
      {
        target: 'docker',
        selector: `pycov-e2e-serve=${process.pid}-${engine.name}`,
        ...engine.inputs,
        'coverage-image': images.coverage,
        'path-map': '/app=.',
        formats: 'json',
        upload: 'false',
      },
      makeWorkspace((ws) => cpSync(appSourceDir, join(ws, 'src'), { recursive: true })),
      engine.env,
    );
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    const file = JSON.parse(
      readFileSync(join(run.workspace, run.outputs['contexts-file'] ?? ''), 'utf8'),
    ) as Record<string, Record<string, number[]>>;
    expect(file.served?.['src/main.py']).toContain(markerLine('main.py', 'items-odd'));
    const targets = JSON.parse(run.outputs.targets ?? '[]') as { files: number }[];
    expect(targets).toHaveLength(2);
  });

  it('the CLI exits 1 and says why when no container matches, 2 on a usage error', async () => {
    const none = await cli(
      engine,
      't1',
      '--target',
      'docker',
      '--selector',
      'pycov-e2e-contexts=nothing',
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no running containers with label pycov-e2e-contexts=nothing/);
    const usage = await cli(engine, 't1', '--target', 'docker');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('`--selector` is required');
  });
});
