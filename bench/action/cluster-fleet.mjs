// The whole step for a Deployment of BENCH_FLEET pods (default 20) on the real test cluster
// (test/cluster/up.sh), over the whole step for one pod, measured in the same run (issue 12).
// Numbers are printed, never checked; every pod must be confirmed.
//
//   node bench/action/cluster-fleet.mjs
//
// Needs the cluster up with the service image imported (PYCOV_HARVEST_IMAGE_TAG_SUFFIX as for
// up.sh) and the conversion image in podman.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  core,
  deployment as deploy,
  env,
  kubeconfig,
  median,
  resetNamespace as resetNs,
  root,
  suffix,
} from './cluster.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const fleetSize = Number(process.env.BENCH_FLEET ?? 20);
const NS = 'pch-bench-fleet';
const resetNamespace = () => resetNs(NS);
const deployment = async (name, count) => (await deploy(NS, name, count), `app=${name}`);

function runAction(selector) {
  const base = mkdtempSync(join(tmpdir(), 'pycov-bench-k8s-'));
  const ws = join(base, 'ws');
  const temp = join(base, 'tmp');
  mkdirSync(temp, { recursive: true });
  cpSync(join(root, 'test/images/app/src'), join(ws, 'src'), { recursive: true });
  writeFileSync(join(temp, 'out'), '');
  const inputs = {
    target: 'kubernetes',
    namespace: NS,
    selector,
    kubeconfig,
    'docker-command': 'podman',
    'coverage-image': env.COVERAGE_IMAGE + suffix,
    'path-map': '/app=.',
    upload: 'false',
    summary: 'false',
  };
  const stepEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: join(temp, 'out'),
  };
  for (const [k, v] of Object.entries(inputs)) stepEnv[`INPUT_${k.toUpperCase()}`] = v;
  const began = performance.now();
  const result = spawnSync(process.execPath, [join(root, 'dist/index.js')], {
    env: stepEnv,
    cwd: ws,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const ms = performance.now() - began;
  const targets = JSON.parse(
    /targets<<(\S+)\n([\s\S]*?)\n\1/.exec(readFileSync(join(temp, 'out'), 'utf8'))?.[2] ?? '[]',
  );
  return { ok: result.status === 0, ms, targets, stdout: result.stdout };
}

function measure(selector, count) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const run = runAction(selector);
    const confirmed = run.targets.filter((t) => t.method === 'http').length;
    if (!run.ok || confirmed !== count)
      throw new Error(`${selector}: ${confirmed} of ${count} confirmed\n${run.stdout}`);
    samples.push(run.ms);
  }
  return median(samples);
}

await resetNamespace();
try {
  const one = await deployment('one', 1);
  const fleet = await deployment('fleet', fleetSize);
  const anchor = measure(one, 1);
  const value = measure(fleet, fleetSize);
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(
    `cluster (kubelet + containerd on this machine); load average ${load}; ${runs} runs, medians`,
  );
  console.log('figure                                     value        anchor    ratio  note');
  console.log(
    `${`fleet of ${fleetSize} pods`.padEnd(40)} ${value.toFixed(0).padStart(8)} ms  ${anchor.toFixed(0).padStart(8)} ms  ${(value / anchor).toFixed(2).padStart(6)}x  anchor: one pod; every pod confirmed`,
  );
} finally {
  await core.deleteNamespace({ name: NS, gracePeriodSeconds: 0 }).catch(() => undefined);
}
