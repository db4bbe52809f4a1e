// RBAC through the bundled action: the Role printed in docs/kubernetes.md is enough for a full
// harvest, and without `pods/exec` the step fails naming the permission and that Role.
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images, markerLine } from '../support/images.js';
import { annotations, makeWorkspace, parseLcov, type ActionRun } from '../support/run-action.js';
import { runAction } from '../support/run-action.js';
import {
  admin,
  createNamespace,
  createPod,
  deleteNamespace,
  documentedRole,
  podGet,
  requireCluster,
  serviceAccountKubeconfig,
  serviceContainer,
  servicePodSpec,
  waitForServicePods,
} from './support.js';

const NS = 'pch-rbac';

function harvest(kubeconfig: string, env: NodeJS.ProcessEnv = {}): Promise<ActionRun> {
  return runAction(
    {
      target: 'kubernetes',
      namespace: NS,
      selector: 'app=svc',
      kubeconfig,
      'docker-command': 'podman',
      'coverage-image': images.coverage,
      'path-map': '/app=.',
      upload: 'false',
      summary: 'false',
    },
    makeWorkspace((workspace) => cpSync(appSourceDir, join(workspace, 'src'), { recursive: true })),
    env,
  );
}

beforeAll(async () => {
  requireCluster();
  await createNamespace(NS);
  await createPod(NS, 'svc', { app: 'svc' }, servicePodSpec([serviceContainer('api', 'agent')]));
  const [pod] = await waitForServicePods(NS, 'app=svc', 1);
  if (pod === undefined) throw new Error('no pod');
  expect((await podGet(pod, '/items/5')).status).toBe(200);
});

afterAll(() => deleteNamespace(NS));

describe('RBAC, bundled action', () => {
  it('the minimal Role from docs/kubernetes.md is enough: http confirmed, data converted', async () => {
    const role = documentedRole();
    expect(role.metadata?.name).toBe('pycov-harvest');
    const kubeconfig = await serviceAccountKubeconfig(NS, 'documented', role.rules ?? []);
    // The binding holds exactly the documented rules.
    const stored = await admin()
      .makeApiClient(RbacAuthorizationV1Api)
      .readNamespacedRole({ namespace: NS, name: 'documented' });
    expect(stored.rules).toEqual(role.rules);

    const run = await harvest(kubeconfig);
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(JSON.parse(run.outputs.targets ?? '[]')).toMatchObject([
      { target: `pod ${NS}/svc (container api)`, method: 'http' },
    ]);
    const lcov = parseLcov(
      readFileSync(join(run.workspace, run.outputs['lcov-file'] ?? ''), 'utf8'),
    );
    expect(lcov.get('src/main.py')?.get(markerLine('main.py', 'items-odd'))).toBeGreaterThan(0);
  });

  it('with `kubeconfig` empty: KUBECONFIG, then ~/.kube/config', async () => {
    const kubeconfig = await serviceAccountKubeconfig(NS, 'from-env', documentedRole().rules ?? []);
    const viaEnv = await harvest('', {
      KUBECONFIG: `/nonexistent/config${delimiter}${kubeconfig}`,
    });
    expect(viaEnv.exitCode, viaEnv.stdout).toBe(0);
    expect(JSON.parse(viaEnv.outputs.targets ?? '[]')).toMatchObject([{ method: 'http' }]);

    const home = mkdtempSync(join(tmpdir(), 'pycov-home-'));
    mkdirSync(join(home, '.kube'));
    copyFileSync(kubeconfig, join(home, '.kube', 'config'));
    const viaHome = await harvest('', { HOME: home });
    expect(viaHome.exitCode, viaHome.stdout).toBe(0);

    const nowhere = await harvest('', { HOME: mkdtempSync(join(tmpdir(), 'pycov-home-')) });
    expect(annotations(nowhere.stdout, 'error')[0]).toMatch(
      /^no kubeconfig found: `kubeconfig` is empty, KUBECONFIG is unset, \S+\/\.kube\/config does not exist and this is not a pod; set `kubeconfig` to the cluster's kubeconfig file$/,
    );
  });

  it('without pods/exec the step fails naming `pods/exec`, the service account and the Role', async () => {
    const kubeconfig = await serviceAccountKubeconfig(NS, 'no-exec', [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ]);
    const run = await harvest(kubeconfig);
    expect(run.exitCode).toBe(1);
    expect(annotations(run.stdout, 'error')).toEqual([
      `\`system:serviceaccount:${NS}:no-exec\` lacks RBAC permission \`create\` and \`get\` on \`pods/exec\` in namespace ${NS}, which pycov-harvest needs to reach pod svc; bind the Role \`pycov-harvest\` from docs/kubernetes.md to it`,
    ]);
  });
});
