// Helpers for the cluster tier: the admin kubeconfig up.sh wrote, namespaces, service pods and
// Deployments of the service image, and kubeconfigs for service accounts with chosen RBAC.
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  loadAllYaml,
  type V1Container,
  type V1EnvVar,
  type V1Pod,
  type V1PodSpec,
  type V1PolicyRule,
  type V1Role,
} from '@kubernetes/client-node';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkout } from '../support/harvest-results.js';
import { images, repoRoot } from '../support/images.js';
import { runAction, type ActionRun } from '../support/run-action.js';

const clusterDir = process.env.PYCOV_HARVEST_CLUSTER_DIR ?? '/var/tmp/pycov-harvest-cluster';
export const adminKubeconfig =
  process.env.PYCOV_HARVEST_KUBECONFIG ?? join(clusterDir, 'admin.kubeconfig');

export function requireCluster(): void {
  if (!existsSync(adminKubeconfig)) {
    throw new Error(
      `no cluster: ${adminKubeconfig} is missing; run test/cluster/up.sh (or test/cluster/ci.sh)`,
    );
  }
}

export function admin(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(adminKubeconfig);
  return config;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value (not undefined) or `ms` pass. */
export async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not within ${ms / 1000} s${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await sleep(500);
  }
}

/** The Role from the first YAML block of docs/kubernetes.md that defines one. */
export function documentedRole(): V1Role {
  const doc = readFileSync(join(repoRoot, 'docs/kubernetes.md'), 'utf8');
  for (const block of doc.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const role = (loadAllYaml(block[1] ?? '') as { kind?: string }[]).find(
      (o) => o.kind === 'Role',
    );
    if (role !== undefined) return role as V1Role;
  }
  throw new Error('docs/kubernetes.md has no Role');
}

export async function createNamespace(
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  const core = admin().makeApiClient(CoreV1Api);
  await deleteNamespace(name);
  await core.createNamespace({ body: { metadata: { name, labels } } });
  // Pods need the namespace's default service account (created by the controller manager).
  await waitFor(
    `service account ${name}/default`,
    60_000,
    async () =>
      (await core.readNamespacedServiceAccount({ namespace: name, name: 'default' })).metadata
        ?.name,
  );
}

export async function deleteNamespace(name: string): Promise<void> {
  const core = admin().makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name, gracePeriodSeconds: 0 });
  } catch {
    return;
  }
  await waitFor(`namespace ${name} deleted`, 120_000, async () => {
    try {
      await core.readNamespace({ name });
      return undefined;
    } catch {
      return true;
    }
  });
}

export type CoverageMode = 'agent' | 'save-signal' | 'sigterm' | 'none';

export function serviceContainer(
  name: string,
  mode: CoverageMode,
  env: Record<string, string> = {},
): V1Container {
  const vars: V1EnvVar[] = Object.entries({ COVERAGE_MODE: mode, ...env }).map(([n, value]) => ({
    name: n,
    value,
  }));
  return {
    name,
    image: images.service,
    imagePullPolicy: 'Never',
    env: vars,
    volumeMounts: [{ name: 'coverdata', mountPath: images.dataDir }],
  };
}

/** A pod spec like our first users': bash PID 1, user 1001, an emptyDir at the data directory. */
export function servicePodSpec(
  containers: V1Container[],
  extra: Partial<V1PodSpec> = {},
): V1PodSpec {
  return {
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 2,
    securityContext: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 },
    containers,
    volumes: [{ name: 'coverdata', emptyDir: {} }],
    ...extra,
  };
}

export async function createPod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  spec: V1PodSpec,
): Promise<void> {
  await admin()
    .makeApiClient(CoreV1Api)
    .createNamespacedPod({ namespace, body: { metadata: { name, labels }, spec } });
}

export async function createDeployment(
  namespace: string,
  name: string,
  replicas: number,
  labels: Record<string, string>,
  spec: V1PodSpec,
): Promise<void> {
  await admin()
    .makeApiClient(AppsV1Api)
    .createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, labels },
        spec: {
          replicas,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec },
        },
      },
    });
}

/** Waits for `count` pods matching `selector` whose containers run and answer GET /health. */
export async function waitForServicePods(
  namespace: string,
  selector: string,
  count: number,
  port: number = images.servicePort,
): Promise<V1Pod[]> {
  const core = admin().makeApiClient(CoreV1Api);
  return waitFor(`${count} serving pod(s) ${selector} in ${namespace}`, 180_000, async () => {
    const pods = (
      await core.listNamespacedPod({ namespace, labelSelector: selector })
    ).items.filter(
      (pod) =>
        pod.metadata?.deletionTimestamp === undefined &&
        pod.status?.phase === 'Running' &&
        (pod.status.containerStatuses ?? []).every((s) => s.state?.running !== undefined),
    );
    if (pods.length !== count) return undefined;
    for (const pod of pods) {
      if ((await podGet(pod, '/health', port)).status !== 200) return undefined;
    }
    return pods.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  });
}

export async function readPod(namespace: string, name: string): Promise<V1Pod> {
  return admin().makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name });
}

/** GET on the pod's IP (the cluster bridge on this machine). */
export function podGet(
  pod: V1Pod,
  path: string,
  port: number = images.servicePort,
): Promise<{ status: number; body: string }> {
  const host = pod.status?.podIP;
  if (host === undefined) return Promise.reject(new Error(`pod ${pod.metadata?.name} has no IP`));
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${host} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface EventStream {
  ticks(): number;
  close(): void;
}

/** Opens the service's SSE endpoint on a pod and counts the events that arrive. */
export function openPodStream(pod: V1Pod, port: number = images.servicePort): Promise<EventStream> {
  const host = pod.status?.podIP;
  if (host === undefined) return Promise.reject(new Error(`pod ${pod.metadata?.name} has no IP`));
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/stream' }, (res) => {
      let ticks = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (ticks += chunk.split('data: tick').length - 1));
      res.on('error', () => undefined);
      const stream = { ticks: () => ticks, close: () => req.destroy() };
      // Resolve once the first event arrived: the stream is really open.
      const wait = setInterval(() => {
        if (ticks > 0) {
          clearInterval(wait);
          resolve(stream);
        }
      }, 50);
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

/**
 * A kubeconfig for a new service account bound to a Role with `rules` in `namespace`, using a
 * token from the TokenRequest API. Waits until the API server authorizes the first rule.
 */
export async function serviceAccountKubeconfig(
  namespace: string,
  name: string,
  rules: V1PolicyRule[],
): Promise<string> {
  const config = admin();
  const core = config.makeApiClient(CoreV1Api);
  const rbac = config.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  if (rules.length > 0) {
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      },
    });
  }
  const token = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = config.getCurrentCluster();
  if (cluster === null || token.status?.token === undefined) throw new Error('no cluster or token');
  const user = new KubeConfig();
  user.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name, token: token.status.token }],
    contexts: [{ name: 'ctx', cluster: 'c', user: name }],
    currentContext: 'ctx',
  });
  const path = join(mkdtempSync(join(tmpdir(), 'pycov-sa-')), `${name}.kubeconfig`);
  writeFileSync(path, user.exportConfig(), { mode: 0o600 });
  const first = rules[0];
  if (first !== undefined) {
    const auth = user.makeApiClient(AuthorizationV1Api);
    await waitFor(`RBAC for ${namespace}/${name}`, 30_000, async () => {
      const review = await auth.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              namespace,
              verb: first.verbs[0],
              resource: first.resources?.[0]?.split('/')[0],
              subresource: first.resources?.[0]?.split('/')[1],
            },
          },
        },
      });
      return review.status?.allowed === true ? true : undefined;
    });
  }
  return path;
}

/** The bundled action harvesting the pods `selector` picks in `namespace` as the admin, no upload. */
export function harvestPods(
  namespace: string,
  selector: string,
  extra: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction(
    {
      target: 'kubernetes',
      namespace,
      selector,
      kubeconfig: adminKubeconfig,
      'docker-command': 'podman',
      'coverage-image': images.coverage,
      'path-map': `${images.appDir.replace(/\/src$/, '')}=.`,
      upload: 'false',
      ...extra,
    },
    checkout(),
  );
}
