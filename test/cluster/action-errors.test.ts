// Failures of the bundled action against the real cluster: one `::error::` sentence each.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images } from '../support/images.js';
import { annotations, makeWorkspace, type ActionRun } from '../support/run-action.js';
import { runAction } from '../support/run-action.js';
import {
  adminKubeconfig,
  createNamespace,
  createPod,
  deleteNamespace,
  readPod,
  requireCluster,
  serviceContainer,
  servicePodSpec,
  waitFor,
  waitForServicePods,
} from './support.js';

const NS = 'pch-errors';

function harvest(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction(
    {
      target: 'kubernetes',
      namespace: NS,
      kubeconfig: adminKubeconfig,
      'docker-command': 'podman',
      'coverage-image': images.coverage,
      upload: 'false',
      summary: 'false',
      ...inputs,
    },
    makeWorkspace(),
  );
}

async function failsWith(inputs: Record<string, string>): Promise<string> {
  const run = await harvest(inputs);
  expect(run.exitCode, run.stdout).toBe(1);
  const errors = annotations(run.stdout, 'error');
  expect(errors, run.stdout).toHaveLength(1);
  return errors[0] ?? '';
}

beforeAll(async () => {
  requireCluster();
  await createNamespace(NS);
  await createPod(NS, 'svc', { app: 'svc' }, servicePodSpec([serviceContainer('api', 'agent')]));
  await createPod(
    NS,
    'stuck',
    { app: 'stuck' },
    servicePodSpec([serviceContainer('api', 'agent')], {
      nodeSelector: { 'pycov-harvest/no-such-node': 'true' },
    }),
  );
  // The pause image: a static binary and nothing else, so no Python.
  await createPod(
    NS,
    'nopython',
    { app: 'nopython' },
    {
      automountServiceAccountToken: false,
      containers: [
        { name: 'main', image: 'localhost/pycov-harvest/pause:1', imagePullPolicy: 'Never' },
      ],
    },
  );
  await waitForServicePods(NS, 'app=svc', 1);
  await waitFor('pod nopython running', 60_000, async () =>
    (await readPod(NS, 'nopython')).status?.containerStatuses?.[0]?.state?.running
      ? true
      : undefined,
  );
});

afterAll(() => deleteNamespace(NS));

describe('kubernetes target, bundled action, failures', () => {
  it('a kubeconfig file that does not exist', async () => {
    expect(await failsWith({ selector: 'app=svc', kubeconfig: '/nonexistent/kubeconfig' })).toBe(
      'kubeconfig file /nonexistent/kubeconfig does not exist; check `kubeconfig`',
    );
  });

  it('a kubeconfig whose server does not answer', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pycov-kc-')), 'down.kubeconfig');
    writeFileSync(
      path,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    expect(await failsWith({ selector: 'app=svc', kubeconfig: path })).toBe(
      `cannot reach the Kubernetes API server at https://127.0.0.1:1 to list pods with label app=svc in namespace ${NS} (connect ECONNREFUSED 127.0.0.1:1); check \`kubeconfig\` (${path}) and that the cluster is up`,
    );
  });

  it('a namespace that does not exist', async () => {
    expect(await failsWith({ selector: 'app=svc', namespace: 'no-such-ns' })).toMatch(
      /^namespace `no-such-ns` does not exist in the cluster at https:\/\/127\.0\.0\.1:\d+; check `namespace`$/,
    );
  });

  it('a selector that matches nothing', async () => {
    expect(await failsWith({ selector: 'app=nothing' })).toBe(
      `no Running pods with label app=nothing in namespace ${NS} found; check \`selector\` and \`namespace\` (\`kubectl get pods -n ${NS} -l app=nothing\` lists what matches)`,
    );
  });

  it('a pod that is not Running', async () => {
    expect(await failsWith({ selector: 'app=stuck' })).toBe(
      `no Running pods with label app=stuck in namespace ${NS} found; 1 matching pod(s) are not Running: stuck (Pending); run this step while the services are up`,
    );
  });

  it('a pod without Python', async () => {
    expect(await failsWith({ selector: 'app=nopython' })).toBe(
      `pod ${NS}/nopython (container main) has no Python interpreter (tried python3, python, /app/.venv/bin/python, /opt/venv/bin/python, /venv/bin/python); pycov-harvest runs the target's own Python, so put python3 on the image's PATH`,
    );
  });

  it('a container the pod does not have', async () => {
    expect(await failsWith({ selector: 'app=svc', container: 'web' })).toBe(
      `pod ${NS}/svc has no container \`web\` (it has \`api\`); check \`container\``,
    );
  });
});
