// How long the bundled action takes per flush method against podman containers of the service
// image. Numbers are printed, never checked. Anchor: one `podman exec <id> python3 -c pass`, the
// unavoidable cost of running anything inside a target.
//   node bench/action/harvest.mjs        (BENCH_RUNS, default 5; needs test/images built)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const podman = (...args) => execFileSync('podman', args, { encoding: 'utf8' }).trim();

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed(fn) {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function start(mode) {
  const name = `pycov-bench-${process.pid}-${mode}-${Math.random().toString(36).slice(2, 8)}`;
  podman('run', '-d', '--name', name, '-e', `COVERAGE_MODE=${mode}`, env.SERVICE_IMAGE);
  for (let i = 0; i < 100; i++) {
    const probe = spawnSync('podman', [
      'exec',
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

function runAction(name) {
  const base = mkdtempSync(join(tmpdir(), 'pycov-bench-'));
  const workspace = join(base, 'ws');
  const temp = join(base, 'tmp');
  mkdirSync(temp, { recursive: true });
  cpSync(join(root, 'test/images/app/src'), join(workspace, 'src'), { recursive: true });
  writeFileSync(join(temp, 'out'), '');
  const inputs = {
    target: 'docker',
    selector: name,
    'docker-command': 'podman',
    'coverage-image': env.COVERAGE_IMAGE,
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
  };
  for (const [k, v] of Object.entries(inputs)) stepEnv[`INPUT_${k.toUpperCase()}`] = v;
  let result;
  const ms = timed(
    () =>
      (result = spawnSync(process.execPath, [join(root, 'dist/index.js')], {
        env: stepEnv,
        cwd: workspace,
      })),
  );
  if (result.status !== 0) throw new Error(`action failed: ${result.stdout}`);
  const targets = JSON.parse(
    /targets<<(\S+)\n([\s\S]*?)\n\1/.exec(readFileSync(join(temp, 'out'), 'utf8'))[2],
  );
  return { step: ms, flush: targets[0].ms, method: targets[0].method };
}

const rows = [];
for (const mode of ['agent', 'save-signal']) {
  const name = start(mode);
  try {
    const anchor = median(
      Array.from({ length: runs }, () =>
        timed(() => podman('exec', name, 'python3', '-c', 'pass')),
      ),
    );
    const samples = Array.from({ length: runs }, () => runAction(name));
    rows.push({
      mode,
      method: samples[0].method,
      anchor,
      flush: median(samples.map((s) => s.flush)),
      step: median(samples.map((s) => s.step)),
    });
  } finally {
    podman('rm', '-f', '-t', '0', name);
  }
}
// sigterm ends the service, so every sample needs a fresh container.
{
  const samples = [];
  let anchor = 0;
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const name = start('sigterm');
    try {
      anchor = timed(() => podman('exec', name, 'python3', '-c', 'pass'));
      samples.push(runAction(name));
    } finally {
      podman('rm', '-f', '-t', '0', name);
    }
  }
  rows.push({
    mode: 'sigterm',
    method: samples[0].method,
    anchor,
    flush: median(samples.map((s) => s.flush)),
    step: median(samples.map((s) => s.step)),
  });
}

console.log(
  `load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}; ${runs} runs, medians`,
);
console.log('mode         method   exec anchor   flush chain   flush/anchor   whole step');
for (const r of rows) {
  console.log(
    `${r.mode.padEnd(12)} ${String(r.method).padEnd(8)} ${r.anchor.toFixed(0).padStart(8)} ms ${r.flush.toFixed(0).padStart(10)} ms ${(r.flush / r.anchor).toFixed(1).padStart(12)}x ${r.step.toFixed(0).padStart(10)} ms`,
  );
}
