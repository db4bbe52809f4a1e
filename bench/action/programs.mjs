// What one exec of an in-target program costs, against execs measured in the same run: `true`
// (the engine's own exec) and `python3 -S -c pass` (the interpreter's start, the anchor). The
// programs are built from src/remote/programs.ts as it is in this checkout. Numbers are printed,
// never checked.
//
//   node bench/action/programs.mjs [--engine podman|docker]   # BENCH_RUNS (default 9)
//
// Also prints the program's own import times inside the target (`-X importtime`, one run), the
// modules it imports that `python3 -S -c pass` does not, largest first.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const at = process.argv.indexOf('--engine');
const engine = at > 0 ? process.argv[at + 1] : 'podman';
const runs = Number(process.env.BENCH_RUNS ?? 9);
const suffix = process.env.PYCOV_HARVEST_IMAGE_TAG_SUFFIX ?? '';
const env = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const SERVICE = env.SERVICE_IMAGE + suffix;
if (engine === 'docker') process.env.DOCKER_HOST ??= 'unix:///run/pycov-harvest-docker.sock';

const out = mkdtempSync(join(tmpdir(), 'pycov-bench-programs-'));
execFileSync(
  join(root, 'node_modules/.bin/esbuild'),
  [
    join(root, 'src/remote/programs.ts'),
    '--bundle',
    '--platform=node',
    '--loader:.py=text',
    '--format=esm',
    '--log-level=warning',
    `--outfile=${join(out, 'programs.mjs')}`,
  ],
  { stdio: 'inherit' },
);
const { invocation } = await import(pathToFileURL(join(out, 'programs.mjs')).href);
rmSync(out, { recursive: true, force: true });

const name = `pycov-bench-programs-${process.pid}`;
const cli = (...args) => execFileSync(engine, args, { encoding: 'utf8' }).trim();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

cli('run', '-d', '--name', name, '-e', 'COVERAGE_MODE=agent', SERVICE);
try {
  for (let i = 0; ; i++) {
    const probe = spawnSync(engine, [
      'exec',
      name,
      'python3',
      '-S',
      '-c',
      `import socket; socket.create_connection(('127.0.0.1', ${env.SERVICE_PORT}), 1).close()`,
    ]);
    if (probe.status === 0) break;
    if (i > 150) throw new Error(`${name} did not come up`);
    execFileSync('sleep', ['0.2']);
  }
  execFileSync('sleep', ['2']); // the agent's listener starts with the app
  const harvest = invocation('python3', 'harvest', {
    data_dir: '/coverdata',
    methods: ['http'],
    timeout: 30,
    signal: 'SIGUSR1',
    pack: 'always',
  });
  const cases = {
    true: { argv: ['true'] },
    'python3 -S -c pass': { argv: ['python3', '-S', '-c', 'pass'] },
    harvest,
    token: invocation('python3', 'token', { data_dir: '/coverdata', port: 9797 }),
  };
  const run = ({ argv, stdin }) => {
    const began = performance.now();
    const done = spawnSync(engine, ['exec', ...(stdin ? ['-i'] : []), name, ...argv], {
      input: stdin,
      maxBuffer: 1 << 28,
    });
    const ms = performance.now() - began;
    if (done.status !== 0) throw new Error(`${argv[0]} exited ${done.status}: ${done.stderr}`);
    return { ms, stdout: done.stdout };
  };
  const confirmed = run(harvest)
    .stdout.toString('latin1')
    .split('\n')
    .some((line) => line.includes('"event": "attempt"') && line.includes('"confirmed": true'));
  if (!confirmed) console.log('warning: the http flush was not confirmed');
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const order = Object.entries(cases);
  for (let i = 0; i < runs; i++) {
    // Rotated each round, so that no case always follows the same one.
    for (let j = 0; j < order.length; j++) {
      const [label, c] = order[(i + j) % order.length];
      times[label].push(run(c).ms);
    }
  }
  const anchor = median(times['python3 -S -c pass']);
  console.log(`${engine} exec, ${SERVICE}, median of ${runs} (interleaved, rotated):`);
  for (const [label, values] of Object.entries(times)) {
    const m = median(values);
    console.log(
      `  ${label.padEnd(20)} ${m.toFixed(0).padStart(5)} ms  ${(m / anchor).toFixed(2)}x the anchor`,
    );
  }

  // The same starts timed inside the container, without the engine's exec around each (much less
  // noise): a driver runs each case BENCH_INNER_RUNS times (default 21), interleaved.
  const inner = Number(process.env.BENCH_INNER_RUNS ?? 21);
  const driver = [
    'import base64,json,subprocess,sys,time',
    'cases=json.loads(sys.stdin.read());t={k:[] for k in cases}',
    `for i in range(${inner}):`,
    ' for k,(argv,data) in cases.items():',
    '  d=base64.b64decode(data) if data else None;a=time.perf_counter()',
    '  subprocess.run(argv,input=d,stdout=subprocess.DEVNULL,check=True)',
    '  t[k].append((time.perf_counter()-a)*1000)',
    'print(json.dumps({k:sorted(v)[len(v)//2] for k,v in t.items()}))',
  ].join('\n');
  const innerCases = Object.fromEntries(
    Object.entries(cases)
      .filter(([label]) => label !== 'true')
      .map(([label, c]) => [label, [c.argv, c.stdin ? c.stdin.toString('base64') : null]]),
  );
  const innerDone = spawnSync(engine, ['exec', '-i', name, 'python3', '-S', '-c', driver], {
    input: JSON.stringify(innerCases),
  });
  if (innerDone.status !== 0) throw new Error(`the driver failed: ${innerDone.stderr}`);
  const innerTimes = JSON.parse(innerDone.stdout.toString());
  const innerAnchor = innerTimes['python3 -S -c pass'];
  console.log(`inside the container, median of ${inner} (interleaved):`);
  for (const [label, m] of Object.entries(innerTimes)) {
    console.log(
      `  ${label.padEnd(20)} ${m.toFixed(1).padStart(6)} ms  ${(m / innerAnchor).toFixed(2)}x the anchor`,
    );
  }

  // Import times of the harvest program itself (microseconds, cumulative per top-level import).
  const importtime = (argv, stdin) => {
    const done = spawnSync(
      engine,
      ['exec', ...(stdin ? ['-i'] : []), name, argv[0], '-X', 'importtime', ...argv.slice(1)],
      { input: stdin, maxBuffer: 1 << 28 },
    );
    const found = new Map();
    for (const line of done.stderr.toString().split('\n')) {
      const m = /^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)/.exec(line);
      if (m && m[3].length === 1) found.set(m[4], Number(m[2]));
    }
    return found;
  };
  const base = importtime(['python3', '-S', '-c', 'pass']);
  const mine = importtime(harvest.argv, harvest.stdin);
  const extra = [...mine].filter(([module]) => !base.has(module)).sort((a, b) => b[1] - a[1]);
  const total = extra.reduce((sum, [, us]) => sum + us, 0);
  console.log(`harvest: ${(total / 1000).toFixed(1)} ms importing beyond \`python3 -S -c pass\`:`);
  for (const [module, us] of extra.slice(0, 12))
    console.log(`  ${module.padEnd(28)} ${(us / 1000).toFixed(1).padStart(5)} ms`);
} finally {
  spawnSync(engine, engine === 'docker' ? ['rm', '-f', name] : ['rm', '-f', '-t', '0', name]);
}
