// The whole step for a Deployment of BENCH_FLEET pods (default 20) on the real test cluster
// (test/cluster/up.sh), over the whole step for one pod, measured in the same run (issue 12).
// Numbers are printed, never checked; every pod must be confirmed.
//
//   node bench/action/cluster-fleet.mjs
//
// Needs the cluster up with the service image imported (PYCOV_HARVEST_IMAGE_TAG_SUFFIX as for
// up.sh) and the conversion image in podman.
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const fleetSize = Number(process.env.BENCH_FLEET ?? 20);
const suffix = process.env.PYCOV_HARVEST_IMAGE_TAG_SUFFIX ?? '';
const kubeconfig =
  process.env.PYCOV_HARVEST_KUBECONFIG ?? '/var/tmp/pycov-harvest-cluster/admin.kubeconfig';
const env = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const NS = 'pch-bench-fleet';
const config = new KubeConfig();
config.loadFromFile(kubeconfig);
const core = config.makeApiClient(CoreV1Api);
const apps = config.makeApiClient(AppsV1Api);

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function resetNamespace() {
  await core.deleteNamespace({ name: NS, gracePeriodSeconds: 0 }).catch(() => undefined);
  for (let i = 0; i < 240; i++) {
    const gone = await core.readNamespace({ name: NS }).then(
      () => false,
      () => true,
    );
    if (gone) break;
    await sleep(500);
  }
  await core.createNamespace({ body: { metadata: { name: NS } } });
  for (let i = 0; i < 120; i++) {
    const ready = await core.readNamespacedServiceAccount({ namespace: NS, name: 'default' }).then(
      () => true,
      () => false,
    );
    if (ready) return;
    await sleep(500);
  }
  throw new Error(`namespace ${NS} has no default service account`);
}

async function deployment(name, replicas) {
  const labels = { app: name };
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 2,
            securityContext: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 },
            containers: [
              {
                name: 'api',
                image: env.SERVICE_IMAGE + suffix,
                imagePullPolicy: 'Never',
                env: [{ name: 'COVERAGE_MODE', value: 'agent' }],
                volumeMounts: [{ name: 'coverdata', mountPath: '/coverdata' }],
                readinessProbe: {
                  httpGet: { path: '/health', port: Number(env.SERVICE_PORT) },
                  periodSeconds: 1,
                },
              },
            ],
            volumes: [{ name: 'coverdata', emptyDir: {} }],
          },
        },
      },
    },
  });
  for (let i = 0; i < 600; i++) {
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${name}` }))
      .items;
    const ready = pods.filter((p) =>
      (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length === replicas && pods.length === replicas) return `app=${name}`;
    await sleep(500);
  }
  throw new Error(`deployment ${name}: ${replicas} pods not ready within 300 s`);
}

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
