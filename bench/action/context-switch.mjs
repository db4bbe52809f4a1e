// A context switch of a 3-pod Deployment from the runner (`node dist/cli.js context NAME --target
// kubernetes`, and one POST to `node dist/cli.js serve`), in ms per switch, over an anchor measured in the same run: one flush exec'd in one
// pod (`python -m pycov_harvest flush` through the Kubernetes exec API), what a per-phase harvest
// by hand costs today. Numbers are printed, never checked; every switch must be confirmed by all 3.
//
//   node bench/action/context-switch.mjs        # BENCH_RUNS CLI switches (default 10),
//                                               # BENCH_SERVE_RUNS serve switches (default 31)
//   BENCH_CLI=/other/checkout/dist/cli.js ...   # another build's CLI (a before/after comparison)
//
// Needs the cluster up (test/cluster/up.sh) with the service image imported
// (PYCOV_HARVEST_IMAGE_TAG_SUFFIX as for up.sh) and dist/ bundled.
import { Exec } from '@kubernetes/client-node';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import {
  config,
  core,
  deployment as deploy,
  kubeconfig,
  median,
  resetNamespace as resetNs,
  root,
} from './cluster.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const serveRuns = Number(process.env.BENCH_SERVE_RUNS ?? 31);
const CLI = process.env.BENCH_CLI ?? join(root, 'dist/cli.js');
const replicas = 3;
const NS = 'pch-bench-contexts';
const resetNamespace = () => resetNs(NS);
const deployment = (name, count) => deploy(NS, name, count);

/** One switch through the CLI: wall time of the whole call (node start included) and the slowest target's own ms. */
function cliSwitch(name) {
  const began = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      CLI,
      'context',
      name,
      '--target',
      'kubernetes',
      '--namespace',
      NS,
      '--selector',
      'app=api',
      '--kubeconfig',
      kubeconfig,
    ],
    { encoding: 'utf8' },
  );
  const ms = performance.now() - began;
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  const confirmed = lines.filter((line) => / process\(es\), \d+ ms /.test(line));
  if (result.status !== 0 || confirmed.length !== replicas)
    throw new Error(`switch ${name}: exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  const targetMs = Math.max(...confirmed.map((line) => Number(/, (\d+) ms /.exec(line)?.[1])));
  return { ms, targetMs };
}

/** Per serve switch, the slowest pod's own time inside it (the relay's figure). */
const insideMs = [];

/** `dist/cli.js serve`: started once, then one POST per switch over its kept relays. */
async function startServe() {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      String(port),
      '--target',
      'kubernetes',
      '--namespace',
      NS,
      '--selector',
      'app=api',
      '--kubeconfig',
      kubeconfig,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((done, fail) => {
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('switching contexts on')) done();
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
  });
  const post = async (name) => {
    const began = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/context`, {
      method: 'POST',
      body: JSON.stringify({ context: name }),
    });
    const body = await response.json();
    const ms = performance.now() - began;
    const processes = body.targets?.reduce((n, t) => n + t.processes, 0) ?? 0;
    if (response.status !== 200 || body.targets.length !== replicas || processes < replicas)
      throw new Error(`serve switch ${name}: ${response.status} ${JSON.stringify(body)}`);
    insideMs.push(Math.max(...body.targets.map((t) => t.insideMs ?? NaN)));
    return ms;
  };
  /** The loopback anchor: one POST to the same serve that it answers 400 (no context named). */
  const loopback = async () => {
    const began = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/context`, {
      method: 'POST',
      body: '{}',
    });
    await response.json();
    if (response.status !== 400) throw new Error(`loopback anchor: HTTP ${response.status}`);
    return performance.now() - began;
  };
  return { post, loopback, stop: () => child.kill('SIGTERM') };
}

/** The anchor: `python -m pycov_harvest flush` exec'd in one pod, until its exit status. */
async function execFlush(pod) {
  const sink = () =>
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    });
  const began = performance.now();
  await new Promise((done, fail) => {
    new Exec(config)
      .exec(
        NS,
        pod.metadata.name,
        'api',
        ['python', '-m', 'pycov_harvest', 'flush'],
        sink(),
        sink(),
        null,
        false,
        (status) =>
          status.status === 'Success'
            ? done()
            : fail(new Error(`flush exec: ${JSON.stringify(status)}`)),
      )
      .catch(fail);
  });
  return performance.now() - began;
}

await resetNamespace();
try {
  const pods = await deployment('api', replicas);
  cliSwitch('warm-up');
  await execFlush(pods[0]);
  const wall = [];
  const perTarget = [];
  const anchors = [];
  for (let i = 0; i < runs; i++) {
    const s = cliSwitch(`test_${i}`);
    wall.push(s.ms);
    perTarget.push(s.targetMs);
    anchors.push(await execFlush(pods[0]));
  }
  cliSwitch('');
  const served = await startServe();
  const serveMs = [];
  const loopbackMs = [];
  try {
    await served.post('warm-up');
    insideMs.length = 0;
    for (let i = 0; i < serveRuns; i++) {
      loopbackMs.push(await served.loopback());
      serveMs.push(await served.post(`test_${i}`));
    }
    await served.post('');
  } finally {
    served.stop();
  }
  const anchor = median(anchors);
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(
    `cluster (kubelet + containerd on this machine); load average ${load}; ${runs} switches, medians`,
  );
  console.log('figure                                     value        anchor    ratio  note');
  const row = (label, value, note) =>
    console.log(
      `${label.padEnd(40)} ${value.toFixed(0).padStart(8)} ms  ${anchor.toFixed(0).padStart(8)} ms  ${(value / anchor).toFixed(2).padStart(6)}x  ${note}`,
    );
  row(
    `switch, ${replicas} pods, whole CLI call`,
    median(wall),
    'node start, discovery, 3 port-forwards in parallel',
  );
  row(
    `switch, ${replicas} pods, per target`,
    median(perTarget),
    'slowest pod: port-forward + POST /context',
  );
  row(
    `switch, ${replicas} pods, serve (one POST)`,
    median(serveMs),
    "kept relays, one exec each for serve's life: what a harness pays per switch",
  );
  console.log(`anchor: one \`python -m pycov_harvest flush\` exec'd in one pod`);
  const post = median(loopbackMs);
  const p90 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)];
  console.log(
    `issue 22's anchor: one loopback POST to serve (its 400 answer): p50 ${post.toFixed(1)} ms; ${serveRuns} serve switches of ${replicas} pods: p50 ${median(serveMs).toFixed(1)} ms (${(median(serveMs) / post).toFixed(1)}x it), p90 ${p90(serveMs).toFixed(1)} ms (goal: 10 ms at p50)`,
  );
  console.log(
    `  of which inside the slowest pod (the relay's own time, the agent's switch in every process): p50 ${median(insideMs).toFixed(1)} ms, p90 ${p90(insideMs).toFixed(1)} ms`,
  );
} finally {
  await core.deleteNamespace({ name: NS, gracePeriodSeconds: 0 }).catch(() => undefined);
}
