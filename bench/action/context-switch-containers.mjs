// Where a context switch through `node dist/cli.js serve` goes for 3 containers (issue 22 §3),
// as ratios against one loopback POST to the same serve measured in the same run (its 400 answer
// to a body without a context: the HTTP round trip and nothing else). Numbers are printed, never
// checked; every switch must be confirmed by every process of every container.
//
//   node bench/action/context-switch-containers.mjs [--engine podman|docker]   # BENCH_RUNS (15)
//
// Each container runs 2 uvicorn workers (3 agent processes with their parent). Figures:
//   serve, exec     the default loopback listener: one exec'd `context` program per container
//   serve, network  the agent on the container network (PYCOV_HARVEST_HOST=0.0.0.0 + token): no exec
//   parts           what serve does per switch, each alone: discovery (`ps` + `inspect`), one exec
//                   of `python -S -c pass`, 3 such execs at once, the agent's own switch (POST
//                   /pycov-harvest/context straight to one container's listener, and to 3 at once)
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
const runs = Number(process.env.BENCH_RUNS ?? 15);
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

/** Waits until each container's agent registered all 3 processes (bounded). */
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
      if (count >= 3) break;
      if (Date.now() > deadline) throw new Error(`${name}: agent not ready: ${probe.stderr}`);
      spawnSync('sleep', ['0.5']);
    }
  }
}

async function startServe(label) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist/cli.js'),
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
    if (answer.status !== 200 || answer.body.targets.length !== COUNT || processes < COUNT * 3)
      throw new Error(`switch ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return Math.max(...answer.body.targets.map((t) => t.ms));
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
  if (!body.ok || body.acks.length < 3) throw new Error(`agent switch: ${JSON.stringify(body)}`);
}

const execAsync = (args) =>
  new Promise((done, fail) => {
    const child = spawn(engine, args, { stdio: 'ignore' });
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${args.join(' ')}: ${code}`)),
    );
  });

/**
 * The §3 design's container route, prototyped: one `exec -i` per container kept open for serve's
 * life, running a relay that takes a switch per stdin line and posts it to the agent's loopback
 * listener; one answer line per switch. The relay is what src/remote would ship (see the plan).
 */
const RELAY = `
import http.client, json, os, sys
token = os.environ.get("PYCOV_HARVEST_TOKEN") or None
port = int(os.environ.get("PYCOV_HARVEST_PORT") or 9797)
for line in sys.stdin:
    ask = json.loads(line)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ask["timeout"] + 5)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request("POST", "/pycov-harvest/context", json.dumps({"context": ask["context"], "timeout": ask["timeout"]}), headers)
    answer = conn.getresponse()
    sys.stdout.write(json.dumps({"status": answer.status, "body": json.loads(answer.read())}) + "\\n")
    sys.stdout.flush()
    conn.close()
`;

function startRelay(name) {
  const child = spawn(
    engine,
    ['exec', '-i', '-e', 'PYCOV_HARVEST=0', name, 'python', '-S', '-u', '-c', RELAY],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let buffered = '';
  const waiting = [];
  child.stdout.on('data', (chunk) => {
    buffered += String(chunk);
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      waiting.shift()?.(JSON.parse(line));
    }
  });
  const switchTo = (context) =>
    new Promise((done, fail) => {
      waiting.push((answer) =>
        answer.status === 200 && answer.body.ok && answer.body.acks.length >= 3
          ? done()
          : fail(new Error(`relay switch: ${JSON.stringify(answer)}`)),
      );
      child.stdin.write(`${JSON.stringify({ context, timeout: 10 })}\n`);
    });
  return { switchTo, stop: () => child.stdin.end() };
}

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

  for (const [label, route] of [
    [execLabel, 'exec'],
    [netLabel, 'network'],
  ]) {
    const serve = await startServe(label);
    try {
      await serve.switchTo('warm-up');
      const anchors = await sample(() => serve.post('{}'));
      if (route === 'exec') anchor = median(anchors);
      row(
        `anchor: one loopback POST to serve (400), ${route} serve`,
        anchors,
        'the HTTP round trip alone',
      );
      const perTarget = [];
      const whole = await sample(async (i) => perTarget.push(await serve.switchTo(`t${i}`)));
      row(`serve switch, ${COUNT} containers, ${route}`, whole, 'what a harness pays per switch');
      row(
        `  slowest container's own ms, ${route}`,
        perTarget,
        "serve's per-target figure (after discovery)",
      );
      await serve.switchTo('');
    } finally {
      serve.stop();
    }
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
    'serve repeats it at every switch',
  );
  row(
    'part: one exec of `python -S -c pass`',
    await sample(() => execAsync(['exec', execNames[0], 'python', '-S', '-c', 'pass'])),
    "the exec route's floor per container",
  );
  row(
    'part: 3 such execs at once',
    await sample(() =>
      Promise.all(execNames.map((n) => execAsync(['exec', n, 'python', '-S', '-c', 'pass']))),
    ),
    '',
  );
  const addresses = netNames.map(addressOf);
  row(
    'part: agent switch, one container, direct POST',
    await sample((i) => agentSwitch(addresses[0], `d${i}`)),
    '3 processes save and ack',
  );
  row(
    'part: agent switch, 3 containers at once',
    await sample((i) => Promise.all(addresses.map((a) => agentSwitch(a, `e${i}`)))),
    'the floor of a confirmed switch',
  );
  await Promise.all(addresses.map((a) => agentSwitch(a, '')));
  const relays = execNames.map(startRelay);
  try {
    await Promise.all(relays.map((r) => r.switchTo('warm-up')));
    row(
      'design: 3 containers through kept exec relays',
      await sample((i) => Promise.all(relays.map((r) => r.switchTo(`r${i}`)))),
      'no exec, no discovery per switch',
    );
    row(
      'design: one container through its kept relay',
      await sample((i) => relays[0].switchTo(`s${i}`)),
      '',
    );
    await Promise.all(relays.map((r) => r.switchTo('')));
  } finally {
    for (const relay of relays) relay.stop();
  }
} finally {
  for (const name of started)
    spawnSync(engine, engine === 'docker' ? ['rm', '-f', name] : ['rm', '-f', '-t', '0', name]);
}

const load = readFileSync('/proc/loadavg', 'utf8').trim();
console.log(
  `${engine}; load average ${load}; ${runs} samples each; ratios against the exec anchor (${anchor.toFixed(1)} ms)`,
);
console.log(
  'figure                                                   p50 ms   p90 ms   ratio  note',
);
for (const { figure, values, note } of rows)
  console.log(
    `${figure.padEnd(55)} ${median(values).toFixed(1).padStart(7)}  ${p90(values).toFixed(1).padStart(7)}  ${(median(values) / anchor).toFixed(1).padStart(6)}x  ${note}`,
  );
