// One-off processes in Kubernetes (issue 18, §4): an init container of the same image runs the
// prestart work with the agent on and exits; its data file stays in the pod's emptyDir, which the
// app container mounts too, so harvesting the app container brings it into the report
// (docs/kubernetes.md, "Init containers and Jobs").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout, explain, hits, lcovOf, targetsOf } from '../support/harvest-results.js';
import { images } from '../support/images.js';
import { runAction } from '../support/run-action.js';
import {
  adminKubeconfig,
  createPod,
  createNamespace,
  deleteNamespace,
  podGet,
  requireCluster,
  serviceContainer,
  servicePodSpec,
  waitForServicePods,
} from './support.js';

const NS = 'pch-oneoff';

beforeAll(async () => {
  requireCluster();
  await createNamespace(NS);
  await createPod(
    NS,
    'prestarted',
    { app: 'prestarted' },
    servicePodSpec([serviceContainer('api', 'agent')], {
      initContainers: [
        {
          // The image's entrypoint runs its arguments as a plain command; the agent needs
          // PYCOV_HARVEST=1 (the `agent` mode sets it only for the server).
          ...serviceContainer('prestart', 'none', { PYCOV_HARVEST: '1' }),
          args: ['python', '-c', 'from src import calc; calc.divide(6, 3)'],
        },
      ],
    }),
  );
});

afterAll(() => deleteNamespace(NS));

describe('an init container with the agent', () => {
  it("saves at exit into the emptyDir, and the app container's harvest brings its lines", async () => {
    const [pod] = await waitForServicePods(NS, 'app=prestarted', 1);
    if (pod === undefined) throw new Error('no pod');
    expect(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    expect((await podGet(pod, '/items/2')).status).toBe(200);

    const run = await runAction(
      {
        target: 'kubernetes',
        namespace: NS,
        selector: 'app=prestarted',
        kubeconfig: adminKubeconfig,
        'docker-command': 'podman',
        'coverage-image': images.coverage,
        'path-map': `${images.appDir.replace(/\/src$/, '')}=.`,
        upload: 'false',
      },
      checkout(),
    );
    expect(run.exitCode, explain(run)).toBe(0);
    const [outcome] = targetsOf(run);
    expect(outcome?.method).toBe('http');
    // The server's and the init container's process: a data file each.
    expect(outcome?.files).toBeGreaterThanOrEqual(2);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'calc.py', 'calc-divide')).toBeGreaterThan(0); // the init container
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0); // the app container
    expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
  });
});
