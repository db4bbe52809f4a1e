// What the cluster benchmarks share: the test cluster's kubeconfig and clients, the images'
// names, a fresh namespace, and a Deployment of the service image with the agent on whose pods
// are all Ready.
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const suffix = process.env.PYCOV_HARVEST_IMAGE_TAG_SUFFIX ?? '';
export const kubeconfig =
  process.env.PYCOV_HARVEST_KUBECONFIG ?? '/var/tmp/pycov-harvest-cluster/admin.kubeconfig';
export const env = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
export const config = new KubeConfig();
config.loadFromFile(kubeconfig);
export const core = config.makeApiClient(CoreV1Api);
const apps = config.makeApiClient(AppsV1Api);

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Deletes and re-creates namespace `ns`; resolves once its default service account exists. */
export async function resetNamespace(ns) {
  await core.deleteNamespace({ name: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
  for (let i = 0; i < 240; i++) {
    const gone = await core.readNamespace({ name: ns }).then(
      () => false,
      () => true,
    );
    if (gone) break;
    await sleep(500);
  }
  await core.createNamespace({ body: { metadata: { name: ns } } });
  for (let i = 0; i < 120; i++) {
    const ready = await core.readNamespacedServiceAccount({ namespace: ns, name: 'default' }).then(
      () => true,
      () => false,
    );
    if (ready) return;
    await sleep(500);
  }
  throw new Error(`namespace ${ns} has no default service account`);
}

/** A Deployment `name` (label app=NAME) of `count` service pods; resolves with its Ready pods. */
export async function deployment(ns, name, count) {
  const labels = { app: name };
  await apps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name, labels },
      spec: {
        replicas: count,
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
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` }))
      .items;
    const ready = pods.filter((p) =>
      (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length === count && pods.length === count) return pods;
    await sleep(500);
  }
  throw new Error(`deployment ${name}: ${count} pods not ready within 300 s`);
}
