// Where a context switch through `node dist/cli.js serve` goes for 3 containers (issue 22 §3),
// as ratios against one loopback POST to the same serve measured in the same run (its 400 answer
// to a body without a context: the HTTP round trip and nothing else). Numbers are printed, never
// checked; every switch must be confirmed by every process of every container.
//
//   node bench/action/context-switch-containers.mjs [--engine podman|docker]   # BENCH_RUNS (31)
//   BENCH_CLI=/other/checkout/dist/cli.js ...   # another build's serve (a before/after comparison)
//
// Each container runs 2 uvicorn workers (4 agent processes: the supervisor, its resource tracker
// and the 2 workers). Figures:
//   serve           a switch through serve: the targets found once, one relay per container kept
//                   running (the default loopback listener, no exec and no discovery per switch)
//   parts           the agent's own switch (POST /pycov-harvest/context straight to one
//                   container's listener on the container network, and to 3 at once): the floor
//                   of a confirmed switch; and what serve no longer does per switch: discovery
//                   (`ps` + `inspect`) and one exec of `python -S -c pass`
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argValue = (flag, fallback) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const engine = argValue('--engine', 'podman');
const runs = Number(process.env.BENCH_RUNS ?? 31);
const COUNT = 3;
const env = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const SERVICE = env.SERVICE_IMAGE + (process.env.PYCOV_HARVEST_IMAGE_TAG_SUFFIX ?? '');
if (engine === 'docker') process.env.DOCKER_HOST ??= 'unix:///run/pycov-harvest-docker.sock';
const cli = (...args) =>
  execFileSync(engine, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).trim();
const TOKEN = `bench-${process.pid}`;

const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
const p90 = (values) => sorted(values)[Math.floor(values.length * 0.9)];
async function sample(fn) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const began = performance.now();
    await fn(i);
    out.push(performance.now() - began);
  }
  return out;
}

function startService(label, network) {
  const name = `pycov-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const agentEnv = network ? { PYCOV_HARVEST_HOST: '0.0.0.0', PYCOV_HARVEST_TOKEN: TOKEN } : {};
  const envArgs = Object.entries({
    COVERAGE_MODE: 'agent',
    UVICORN_WORKERS: '2',
    ...agentEnv,
  }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  cli('run', '-d', '--name', name, '--label', `pycov-bench-switch=${label}`, ...envArgs, SERVICE);
  return name;
}

/** Waits until each container's agent registered all 4 processes (bounded). */
function waitRegistered(names) {
  const deadline = Date.now() + 90_000;
  for (const name of names) {
    for (;;) {
      const probe = spawnSync(
        engine,
        ['exec', '-e', 'PYCOV_HARVEST=0', name, 'python', '-m', 'pycov_harvest', 'status'],
        { encoding: 'utf8' },
      );
      const count = probe.status === 0 ? (JSON.parse(probe.stdout).processes ?? []).length : 0;
      if (count >= 4) break;
      if (Date.now() > deadline) throw new Error(`${name}: agent not ready: ${probe.stderr}`);
      spawnSync('sleep', ['0.5']);
    }
  }
}

async function startServe(label) {
  const child = spawn(
    process.execPath,
    [
      process.env.BENCH_CLI ?? join(root, 'dist/cli.js'),
      'serve',
      '--port',
      '0',
      '--target',
      'docker',
      '--docker-command',
      engine,
      '--selector',
      `pycov-bench-switch=${label}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((done, fail) => {
    child.stdout.on('data', (chunk) => {
      const match = /switching contexts on (http:\/\/\S+\/context)/.exec(String(chunk));
      if (match) done(match[1]);
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
    setTimeout(() => fail(new Error('serve not ready within 60 s')), 60_000).unref();
  });
  const post = async (body) => {
    const response = await fetch(url, { method: 'POST', body });
    return { status: response.status, body: await response.json() };
  };
  const switchTo = async (name) => {
    const answer = await post(JSON.stringify({ context: name }));
    const processes = answer.body.targets?.reduce((n, t) => n + t.processes, 0);
    if (answer.status !== 200 || answer.body.targets.length !== COUNT || processes < COUNT * 4)
      throw new Error(`switch ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return {
      ms: Math.max(...answer.body.targets.map((t) => t.ms)),
      inside: Math.max(...answer.body.targets.map((t) => t.insideMs ?? NaN)),
    };
  };
  return { post, switchTo, stop: () => child.kill('SIGTERM') };
}

/** The agent's address on the container network. */
const addressOf = (name) =>
  JSON.parse(cli('inspect', name))[0].NetworkSettings.Networks[
    Object.keys(JSON.parse(cli('inspect', name))[0].NetworkSettings.Networks)[0]
  ].IPAddress;

async function agentSwitch(address, name) {
  const response = await fetch(`http://${address}:9797/pycov-harvest/context`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ context: name, timeout: 10 }),
  });
  const body = await response.json();
  if (!body.ok || body.acks.length < 4) throw new Error(`agent switch: ${JSON.stringify(body)}`);
}

const execAsync = (args) =>
  new Promise((done, fail) => {
    const child = spawn(engine, args, { stdio: 'ignore' });
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${args.join(' ')}: ${code}`)),
    );
  });

const rows = [];
let anchor = 0;
const row = (figure, values, note) => rows.push({ figure, values, note });

const started = [];
try {
  const execLabel = `exec-${process.pid}`;
  const netLabel = `net-${process.pid}`;
  for (let i = 0; i < COUNT; i++) started.push(startService(execLabel, false));
  for (let i = 0; i < COUNT; i++) started.push(startService(netLabel, true));
  waitRegistered(started);

  const serve = await startServe(execLabel);
  try {
    await serve.switchTo('warm-up');
    const anchors = [];
    const whole = [];
    const perTarget = [];
    const inside = [];
    // Interleaved, so that both see the same load.
    await sample(async (i) => {
      let began = performance.now();
      await serve.post('{}');
      anchors.push(performance.now() - began);
      began = performance.now();
      const answer = await serve.switchTo(`t${i}`);
      perTarget.push(answer.ms);
      inside.push(answer.inside);
      whole.push(performance.now() - began);
    });
    anchor = median(anchors);
    row('anchor: one loopback POST to serve (400)', anchors, 'the HTTP round trip alone');
    row(`serve switch, ${COUNT} containers`, whole, 'what a harness pays per switch');
    row("  slowest container's own ms", perTarget, "serve's per-target figure");
    row(
      '  of it inside the container',
      inside,
      "the relay's own time: the agent's switch in every process",
    );
    await serve.switchTo('');
  } finally {
    serve.stop();
  }

  const execNames = started.slice(0, COUNT);
  const netNames = started.slice(COUNT);
  row(
    'part: discovery (`ps` + `inspect` of 3)',
    await sample(() => {
      const ids = cli(
        'ps',
        '--no-trunc',
        '--format',
        '{{.ID}}',
        '--filter',
        `label=pycov-bench-switch=${execLabel}`,
      ).split('\n');
      cli('inspect', '--type', 'container', '--', ...ids);
    }),
    'before: serve repeated it at every switch; now in the background',
  );
  row(
    'part: one exec of `python -S -c pass`',
    await sample(() => execAsync(['exec', execNames[0], 'python', '-S', '-c', 'pass'])),
    'before: one per container per switch; now once per container',
  );
  const addresses = netNames.map(addressOf);
  row(
    'part: agent switch, one container, direct POST',
    await sample((i) => agentSwitch(addresses[0], `d${i}`)),
    '4 processes save and ack',
  );
  row(
    'part: agent switch, 3 containers at once',
    await sample((i) => Promise.all(addresses.map((a) => agentSwitch(a, `e${i}`)))),
    'the floor of a confirmed switch',
  );
  await Promise.all(addresses.map((a) => agentSwitch(a, '')));
} finally {
  for (const name of started)
    spawnSync(engine, engine === 'docker' ? ['rm', '-f', name] : ['rm', '-f', '-t', '0', name]);
}

const load = readFileSync('/proc/loadavg', 'utf8').trim();
console.log(
  `${engine}; load average ${load}; ${runs} samples each; ratios against the anchor (${anchor.toFixed(1)} ms)`,
);
console.log(
  'figure                                                   p50 ms   p90 ms   ratio  note',
);
for (const { figure, values, note } of rows)
  console.log(
    `${figure.padEnd(55)} ${median(values).toFixed(1).padStart(7)}  ${p90(values).toFixed(1).padStart(7)}  ${(median(values) / anchor).toFixed(1).padStart(6)}x  ${note}`,
  );
