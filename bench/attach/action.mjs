// `attach` through the bundled action: the time from the attach program's first call to
// confirmed data, against the agent's http flush and one bare exec measured in the same run.
// Numbers are printed, never checked; the goal is 1.5 s or less.
//   node bench/attach/action.mjs [--engine podman|docker]   (BENCH_RUNS, default 5)
// Services, each with one SSE stream open, default inputs (`http,signal,attach,sigterm`):
// - agent:        the service image in agent mode (http confirmed);
// - attach 3.12:  the first users' entrypoint on 3.12.1 (bash PID 1, UID 1001, `coverage run`),
//                 attached from inside the container (the ptrace pending call);
// - attach 3.14:  the same entrypoint on 3.14 (sys.remote_exec, or its pending call where the
//                 engine's seccomp profile denies process_vm_readv: Docker 20.10);
// - injector:     3.12 again with a seccomp profile that denies the service ptrace, so the
//                 attach from inside is refused and the injector container (same image,
//                 SYS_PTRACE) saves it: the route GitHub's Ubuntu runners (Yama 1) take.
// The anchor is one `<engine> exec <container> python3 -c pass`. Images: test/images' (build.sh)
// (the 3.12 one is the first users' stack).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const versions = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const engine = process.argv.includes('--engine')
  ? process.argv[process.argv.indexOf('--engine') + 1]
  : 'podman';
const engineEnv =
  engine === 'docker'
    ? { DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///run/pycov-harvest-docker.sock' }
    : {};
const runs = Number(process.env.BENCH_RUNS ?? 5);
const cli = (...args) =>
  execFileSync(engine, args, { encoding: 'utf8', env: { ...process.env, ...engineEnv } }).trim();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
function timed(fn) {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function image312() {
  const image = 'localhost/pycov-harvest/service:py3.12';
  if (
    spawnSync(engine, ['image', 'inspect', image], { env: { ...process.env, ...engineEnv } })
      .status === 0
  )
    return image;
  throw new Error(`no ${image} in ${engine}'s store: run test/images/build.sh`);
}

function seccompDenyingPtrace() {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-seccomp-')), 'profile.json');
  writeFileSync(
    path,
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }),
  );
  return path;
}

function get(port, path) {
  return new Promise((resolveGet, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolveGet(res.statusCode));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Starts a service and opens its stream; returns its name, port and the stream's request. */
async function start(kind) {
  const name = `attach2-bench-${process.pid}-${kind.name}-${Math.random().toString(36).slice(2, 8)}`;
  cli('run', '-d', '--name', name, '-p', `127.0.0.1::${kind.port}`, ...kind.args);
  const port = Number(cli('port', name, String(kind.port)).split('\n')[0].split(':').pop());
  for (let i = 0; ; i++) {
    try {
      if ((await get(port, '/items/4')) === 200) break;
    } catch {
      if (i > 150) throw new Error(`${name} did not come up: ${cli('logs', name)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const stream = request({ host: '127.0.0.1', port, path: '/stream' });
  stream.on('error', () => undefined);
  stream.end();
  return { name, stream };
}

function runAction(name, coverageImage) {
  const base = mkdtempSync(join(tmpdir(), 'attach2-bench-'));
  const workspace = join(base, 'ws');
  const temp = join(base, 'tmp');
  mkdirSync(temp, { recursive: true });
  cpSync(join(root, 'test/images/app/src'), join(workspace, 'src'), { recursive: true });
  writeFileSync(join(temp, 'out'), '');
  const inputs = {
    target: 'docker',
    selector: name,
    'docker-command': engine,
    'coverage-image': coverageImage,
    'path-map': '/app=.',
    upload: 'false',
    summary: 'false',
  };
  const stepEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: join(temp, 'out'),
    // core.debug lines carry each program's exec time, runner side.
    RUNNER_DEBUG: '1',
    ...engineEnv,
  };
  for (const [k, v] of Object.entries(inputs)) stepEnv[`INPUT_${k.toUpperCase()}`] = v;
  const result = spawnSync(process.execPath, [join(root, 'dist/index.js')], {
    env: stepEnv,
    cwd: workspace,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`action failed (${result.status}): ${result.stdout}${result.stderr}`);
  const targets = JSON.parse(
    /targets<<(\S+)\n([\s\S]*?)\n\1/.exec(readFileSync(join(temp, 'out'), 'utf8'))[2],
  );
  const method = targets[0].method;
  const line = new RegExp(` ${method} confirmed in (\\d+) ms: (.*)$`, 'm').exec(result.stdout);
  if (line === null) throw new Error(`no confirmed ${method} line: ${result.stdout}`);
  // http is confirmed inside the harvest program's one exec: its time from the runner (probe,
  // flush and the data's tar stream) bounds the first call to confirmed data from above. attach's
  // attempt is timed from the runner already, its exec (or injector container) included.
  const harvestExec = / <harvest>` \(\w+\) exit 0 in (\d+) ms/.exec(result.stdout);
  const first = method === 'http' ? Number(harvestExec?.[1] ?? NaN) : Number(line[1]);
  return { method, first, chain: targets[0].ms, detail: line[2] };
}

const first = ['--entrypoint', '/first-users-entrypoint.sh'];
const kinds = [
  {
    name: 'agent',
    port: Number(versions.SERVICE_PORT),
    args: ['-e', 'COVERAGE_MODE=agent', versions.SERVICE_IMAGE],
    coverage: versions.COVERAGE_IMAGE,
  },
  { name: 'attach-3.12', port: 8080, args: [...first, image312()], coverage: image312() },
  {
    name: 'attach-3.14',
    port: 8080,
    args: [...first, versions.SERVICE_PY314_IMAGE],
    coverage: versions.COVERAGE_PY314_IMAGE,
  },
  {
    name: 'injector-3.12',
    port: 8080,
    args: ['--security-opt', `seccomp=${seccompDenyingPtrace()}`, ...first, image312()],
    coverage: image312(),
  },
];

const rows = [];
for (const kind of kinds) {
  const { name, stream } = await start(kind);
  try {
    const anchor = median(
      Array.from({ length: runs }, () => timed(() => cli('exec', name, 'python3', '-c', 'pass'))),
    );
    const samples = Array.from({ length: runs }, () => runAction(name, kind.coverage));
    rows.push({
      kind: kind.name,
      method: samples[0].method,
      anchor,
      first: median(samples.map((s) => s.first)),
      max: Math.max(...samples.map((s) => s.first)),
      chain: median(samples.map((s) => s.chain)),
      detail: samples[0].detail,
    });
  } finally {
    stream.destroy();
    cli('rm', '-f', name);
  }
}

console.log(
  `${engine}; load average ${readFileSync('/proc/loadavg', 'utf8').trim()}; ${runs} runs, medians`,
);
const agent = rows.find((r) => r.kind === 'agent');
console.log(
  'service        method   exec anchor   first call→data (max)   /anchor   /http   whole chain',
);
for (const r of rows) {
  console.log(
    `${r.kind.padEnd(14)} ${r.method.padEnd(8)} ${r.anchor.toFixed(0).padStart(8)} ms ${r.first.toFixed(0).padStart(9)} ms (${r.max.toFixed(0).padStart(5)})  ${(r.first / r.anchor).toFixed(2).padStart(7)}x ${(r.first / agent.first).toFixed(2).padStart(6)}x ${r.chain.toFixed(0).padStart(8)} ms`,
  );
}
for (const r of rows) console.log(`  ${r.kind}: ${r.detail}`);
