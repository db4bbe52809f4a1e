// How close the action comes to the floor of its work, as ratios against anchors measured in the
// same run (issue 12). Numbers are printed, never checked.
//
//   node bench/action/floor.mjs [--engine podman|docker] [--only load,one,fleet,big,memory]
//                               [--routes exec,network]
//
// Routes (one, fleet and memory are measured for each): `exec`, the agent's default loopback
// listener reached by one exec per target; `network`, the agent listening on the container network
// (PYCOV_HARVEST_HOST=0.0.0.0 with a token), reached from the runner with no exec.
//
// Figures (medians of BENCH_RUNS, default 5):
//   load    `node dist/index.js` failing on a bad input, over `node -e 0`
//   one     the whole step for one agent container (http), over the floor: one exec'd flush plus
//           one conversion container writing the same reports (lcov, xml, json)
//   fleet   the whole step for BENCH_FLEET containers (default 20), over one container
//   big     the action's conversion container for 8 processes measuring 2,000 files / 200k
//           statements, over bare `coverage combine` + lcov + xml + json in the same image
//   memory  the action's peak RSS harvesting BENCH_MEMORY_MB (default 500) of data files across
//           5 containers
// With --engine docker, DOCKER_HOST defaults to the private engine of test/images/setup-docker.sh,
// whose --load puts the images there (the e2e setup does both).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argValue = (flag, fallback) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const engine = argValue('--engine', 'podman');
const only = new Set(argValue('--only', 'load,one,fleet,big,memory').split(','));
const routes = argValue('--routes', 'exec,network').split(',');
/** The service containers' agent environment for each route. */
const ROUTE_ENV = {
  exec: {},
  network: { PYCOV_HARVEST_HOST: '0.0.0.0', PYCOV_HARVEST_TOKEN: `bench-${process.pid}` },
};
const runs = Number(process.env.BENCH_RUNS ?? 5);
const fleetSize = Number(process.env.BENCH_FLEET ?? 20);
const memoryMb = Number(process.env.BENCH_MEMORY_MB ?? 500);
const suffix = process.env.PYCOV_HARVEST_IMAGE_TAG_SUFFIX ?? '';
const env = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const SERVICE = env.SERVICE_IMAGE + suffix;
const COVERAGE = env.COVERAGE_IMAGE + suffix;
if (engine === 'docker') process.env.DOCKER_HOST ??= 'unix:///run/pycov-harvest-docker.sock';
/** `rm -f` without a stop timeout: docker's `rm` has no `-t`. */
const rmArgs = (name) => (engine === 'docker' ? ['rm', '-f', name] : ['rm', '-f', '-t', '0', name]);
const cli = (...args) =>
  execFileSync(engine, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).trim();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const timed = (fn) => {
  const began = performance.now();
  fn();
  return performance.now() - began;
};
const rows = [];
const row = (figure, value, anchor, unit, note) => rows.push({ figure, value, anchor, unit, note });

function startService(label, extraEnv = {}) {
  const name = `pycov-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const envArgs = Object.entries({ COVERAGE_MODE: 'agent', ...extraEnv }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`,
  ]);
  cli('run', '-d', '--name', name, '--label', `pycov-bench=${label}`, ...envArgs, SERVICE);
  for (let i = 0; i < 300; i++) {
    const probe = spawnSync(engine, [
      'exec',
      '-e',
      'PYCOV_HARVEST=0',
      name,
      'python3',
      '-c',
      `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${env.SERVICE_PORT}/items/2')`,
    ]);
    if (probe.status === 0) return name;
    execFileSync('sleep', ['0.2']);
  }
  throw new Error(`${name} did not come up`);
}

function workspace() {
  const base = mkdtempSync(join(tmpdir(), 'pycov-bench-'));
  const ws = join(base, 'ws');
  const temp = join(base, 'tmp');
  mkdirSync(temp, { recursive: true });
  cpSync(join(root, 'test/images/app/src'), join(ws, 'src'), { recursive: true });
  return { ws, temp };
}

/** Runs the bundled action; resolves with its wall time, peak RSS and debug lines. */
function runAction(selector, extra = {}, place = workspace()) {
  const inputs = {
    target: 'docker',
    selector,
    'docker-command': engine,
    'coverage-image': COVERAGE,
    'path-map': '/app=.',
    upload: 'false',
    summary: 'false',
    ...extra,
  };
  writeFileSync(join(place.temp, 'out'), '');
  const stepEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    GITHUB_WORKSPACE: place.ws,
    RUNNER_TEMP: place.temp,
    GITHUB_OUTPUT: join(place.temp, 'out'),
  };
  for (const [k, v] of Object.entries(inputs)) stepEnv[`INPUT_${k.toUpperCase()}`] = v;
  let result;
  const ms = timed(() => {
    result = spawnSync(
      '/usr/bin/time',
      ['-f', 'RSS %M', process.execPath, join(root, 'dist/index.js')],
      {
        env: stepEnv,
        cwd: place.ws,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      },
    );
  });
  const rss = Number(/RSS (\d+)/.exec(result.stderr)?.[1] ?? 'NaN') / 1024;
  const targets = JSON.parse(
    /targets<<(\S+)\n([\s\S]*?)\n\1/.exec(readFileSync(join(place.temp, 'out'), 'utf8'))?.[2] ??
      '[]',
  );
  const convertMs = Number(/conversion container: exit \d+ in (\d+) ms/.exec(result.stdout)?.[1]);
  const overNetwork = (
    result.stdout.match(/ confirmed in \d+ ms: .* through the container network /g) ?? []
  ).length;
  return {
    ok: result.status === 0,
    ms,
    rss,
    targets,
    convertMs,
    overNetwork,
    stdout: result.stdout,
    place,
  };
}

/** A run of the `network` route must have reached every agent over the network, never by exec. */
function checkRoute(route, run, expected) {
  if (route === 'network' && run.overNetwork !== expected)
    throw new Error(
      `network route: ${run.overNetwork} of ${expected} targets confirmed over the container network\n${run.stdout}`,
    );
}

function load() {
  const badInput = { ...process.env, INPUT_TARGET: 'nomad', INPUT_SELECTOR: 'x' };
  const pairs = Array.from({ length: runs * 2 }, () => [
    timed(() => spawnSync(process.execPath, ['-e', '0'])),
    timed(() => spawnSync(process.execPath, [join(root, 'dist/index.js')], { env: badInput })),
  ]);
  const anchor = median(pairs.map(([a]) => a));
  const value = median(pairs.map(([, b]) => b));
  row('bundle load', value, anchor, 'ms', `${(value - anchor).toFixed(0)} ms over node -e 0`);
}

// The exec'd flush of the floor; with the container's token when it has one (the network route).
const FLUSH_ARGS = [
  'python3',
  '-c',
  "import os, urllib.request; t = os.environ.get('PYCOV_HARVEST_TOKEN'); urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:9797/pycov-harvest/flush', data=b'{}', method='POST', headers={'Authorization': 'Bearer ' + t} if t else {})).read()",
];

/** The floor for one target: one exec'd flush, one conversion container with the same reports. */
function floorOf(name) {
  return floorParts(name).total;
}

function floorParts(name) {
  const flush = timed(() => cli('exec', '-e', 'PYCOV_HARVEST=0', name, ...FLUSH_ARGS));
  const place = workspace();
  const data = join(place.ws, 'data');
  mkdirSync(data);
  cli('cp', `${name}:/coverdata/.`, data);
  writeFileSync(
    join(place.ws, 'rc'),
    '[run]\nrelative_files = true\n[paths]\nsrc =\n    ./\n    /app/\n',
  );
  const script =
    'set -e; python3 -m coverage combine --rcfile=rc --keep -q data; for f in lcov xml json; do python3 -m coverage $f --rcfile=rc -q -o out.$f; done';
  const convert = timed(() =>
    cli(
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${place.ws}:${place.ws}`,
      '-w',
      place.ws,
      '--entrypoint',
      'bash',
      COVERAGE,
      '-c',
      script,
    ),
  );
  return { flush, convert, total: flush + convert };
}

/** Exec'd flushes of every container, `concurrency` at a time (the action's pool size). */
async function pooledFlushes(names, concurrency) {
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      await new Promise((done, fail) => {
        const child = spawn(engine, ['exec', '-e', 'PYCOV_HARVEST=0', name, ...FLUSH_ARGS], {
          stdio: 'ignore',
        });
        child.on('error', fail);
        child.on('close', (code) =>
          code === 0 ? done() : fail(new Error(`${engine} exec ${name}: exit ${code}`)),
        );
      });
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - began;
}

function one(route) {
  const name = startService('one', ROUTE_ENV[route]);
  try {
    const pairs = Array.from({ length: runs }, () => [floorOf(name), runAction(name)]);
    const failed = pairs.find(([, run]) => !run.ok);
    if (failed) throw new Error(`the action failed:\n${failed[1].stdout}`);
    for (const [, run] of pairs) checkRoute(route, run, 1);
    const anchor = median(pairs.map(([floor]) => floor));
    const value = median(pairs.map(([, run]) => run.ms));
    row(
      `one target, http (${route})`,
      value,
      anchor,
      'ms',
      "anchor: one exec'd flush + one conversion container",
    );
    return value;
  } finally {
    cli(...rmArgs(name));
  }
}

async function fleet(route, oneTarget) {
  const label = `fleet-${route}-${process.pid}`;
  const names = [];
  try {
    for (let i = 0; i < fleetSize; i++) names.push(startService(label, ROUTE_ENV[route]));
    const samples = Array.from({ length: Math.max(1, Math.floor(runs / 2)) }, () =>
      runAction(`pycov-bench=${label}`),
    );
    for (const run of samples) {
      const confirmed = run.targets.filter((t) => t.method === 'http').length;
      if (!run.ok || confirmed !== fleetSize)
        throw new Error(`fleet: ${confirmed} of ${fleetSize} confirmed\n${run.stdout}`);
      checkRoute(route, run, fleetSize);
    }
    row(
      `fleet of ${fleetSize} containers (${route})`,
      median(samples.map((s) => s.ms)),
      oneTarget,
      'ms',
      `anchor: one target (${route}); every target confirmed`,
    );
    // The fleet's own floor: every container's exec'd flush, 8 at a time as the action's pool,
    // plus one conversion container.
    const floors = [];
    for (let i = 0; i < samples.length; i++) {
      floors.push((await pooledFlushes(names, 8)) + floorParts(names[0]).convert);
    }
    row(
      `fleet of ${fleetSize} containers (${route})`,
      median(samples.map((s) => s.ms)),
      median(floors),
      'ms',
      "anchor: the fleet's floor, 8 exec'd flushes at a time + one conversion container",
    );
  } finally {
    for (const name of names) cli(...rmArgs(name));
  }
}

/** A sample package of 2,000 modules, 100 statements each, imported by the app at startup. */
function bigCodebase(dir) {
  const pkg = join(dir, 'big');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, '__init__.py'), '');
  for (let m = 0; m < 2000; m++) {
    const body = Array.from({ length: 100 }, (_, i) => `v${i} = ${m} + ${i}`).join('\n');
    writeFileSync(join(pkg, `m${m}.py`), `${body}\n`);
  }
  // The app of every worker process imports all of them.
  writeFileSync(
    join(dir, 'bigapp.py'),
    'import importlib\nfrom src.main import app  # noqa: F401\nfor m in range(2000):\n    importlib.import_module("src.big.m%d" % m)\n',
  );
}

function big() {
  const place = workspace();
  bigCodebase(join(place.ws, 'src'));
  const name = `pycov-bench-${process.pid}-big`;
  cli(
    'run',
    '-d',
    '--name',
    name,
    '-v',
    `${join(place.ws, 'src')}:/app/src:ro`,
    '--entrypoint',
    'bash',
    SERVICE,
    '-c',
    'cd /app && PYCOV_HARVEST=1 COVERAGE_RCFILE=/app/.coveragerc exec python -m uvicorn src.bigapp:app --host 0.0.0.0 --port 8000 --workers 8',
  );
  try {
    execFileSync('sleep', ['20']);
    const run = runAction(name, { formats: 'lcov,xml,json' }, place);
    if (!run.ok) throw new Error(`big: the action failed\n${run.stdout}`);
    // The same work by hand, sources present: the data files combined with the same mapping
    // (/app onto the workspace), then lcov, xml and json.
    writeFileSync(
      join(place.ws, 'bare.rc'),
      '[run]\nrelative_files = true\n[paths]\nsrc =\n    ./\n    /app/\n',
    );
    const script =
      'set -e; python3 -m coverage combine --rcfile=bare.rc --data-file=bare.coverage --keep -q $(find coverage-harvest/data -name ".coverage*" -type f); for f in lcov xml json; do python3 -m coverage $f --rcfile=bare.rc --data-file=bare.coverage -q -o bare.$f; done';
    const bare = median(
      Array.from({ length: Math.max(1, Math.floor(runs / 2)) }, () =>
        timed(() =>
          cli(
            'run',
            '--rm',
            '--network',
            'none',
            '-v',
            `${place.ws}:${place.ws}`,
            '-w',
            place.ws,
            '--entrypoint',
            'bash',
            COVERAGE,
            '-c',
            script,
          ),
        ),
      ),
    );
    row(
      'big codebase: combine + reports',
      run.convertMs,
      bare,
      'ms',
      `anchor: bare coverage combine + lcov/xml/json; ${run.targets[0]?.files} data files`,
    );
  } finally {
    cli(...rmArgs(name));
  }
}

function memory(route) {
  const label = `memory-${route}-${process.pid}`;
  const names = [];
  const perTarget = Math.ceil(memoryMb / 5);
  try {
    for (let i = 0; i < 5; i++) {
      const name = startService(label, ROUTE_ENV[route]);
      names.push(name);
      // Filler data files: whole SQLite databases the packer sends and coverage.py then refuses.
      cli(
        'exec',
        '-e',
        'PYCOV_HARVEST=0',
        name,
        'python3',
        '-c',
        `import sqlite3, os\nfor n in range(${Math.ceil(perTarget / 50)}):\n    db = sqlite3.connect('/coverdata/.coverage.filler%d' % n)\n    db.execute('create table t(b blob)')\n    db.executemany('insert into t values (?)', [(os.urandom(1 << 20),) for _ in range(50)])\n    db.commit(); db.close()`,
      );
    }
    const run = runAction(`pycov-bench=${label}`);
    if (!run.ok) throw new Error(`memory: the action failed\n${run.stdout}`);
    checkRoute(route, run, 5);
    const bytes = run.targets.reduce((sum, t) => sum + t.bytes, 0);
    row(
      `memory: ${(bytes / 2 ** 20).toFixed(0)} MB of data, 5 targets (${route})`,
      run.rss,
      200,
      'MB',
      'anchor: the 200 MB goal; peak RSS of node',
    );
  } finally {
    for (const name of names) cli(...rmArgs(name));
  }
}

const loadavg = readFileSync('/proc/loadavg', 'utf8').trim();
if (only.has('load')) load();
for (const route of routes) {
  const oneTarget = only.has('one') || only.has('fleet') ? one(route) : undefined;
  if (only.has('fleet')) await fleet(route, oneTarget);
}
if (only.has('big')) big();
if (only.has('memory')) for (const route of routes) memory(route);

console.log(`engine ${engine}; load average ${loadavg}; ${runs} runs, medians`);
console.log(`${'figure'.padEnd(47)} value        anchor    ratio  note`);
for (const r of rows) {
  console.log(
    `${r.figure.padEnd(44)} ${r.value.toFixed(0).padStart(8)} ${r.unit.padEnd(3)} ${r.anchor.toFixed(0).padStart(8)} ${r.unit.padEnd(3)} ${(r.value / r.anchor).toFixed(2).padStart(6)}x  ${r.note}`,
  );
}
