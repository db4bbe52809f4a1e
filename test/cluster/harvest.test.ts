// The bundled action against pods on the real cluster (kubelet + containerd + runc running the
// service image: uvicorn 0.30.6, bash PID 1, user 1001, emptyDir at /coverdata): issue 4's
// proofs 1 and 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, hits, lcovOf, targetsOf } from '../support/harvest-results.js';
import { annotations, type ActionRun } from '../support/run-action.js';
import {
  createDeployment,
  createNamespace,
  createPod,
  deleteNamespace,
  openPodStream,
  podGet,
  readPod,
  requireCluster,
  serviceContainer,
  servicePodSpec,
  sleep,
  waitForServicePods,
  harvestPods,
} from './support.js';

const NS = 'pch-harvest';
const LISTENER_TOKEN = 'listener-token-7f3a9c';
/** The port of the first users' entrypoint (uvicorn --port 8080). */
const FIRST_USERS_PORT = 8080;

function harvest(selector: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  return harvestPods(NS, selector, extra);
}

function restarts(pod: Awaited<ReturnType<typeof readPod>>): number {
  return pod.status?.containerStatuses?.[0]?.restartCount ?? -1;
}

beforeAll(async () => {
  requireCluster();
  await createNamespace(NS);
  await createDeployment(
    NS,
    'api',
    3,
    { app: 'api' },
    servicePodSpec([serviceContainer('api', 'agent')]),
  );
  // PYCOV_HARVEST=1 in the pod's environment, as docs/kubernetes.md shows: every program the
  // action execs inherits it.
  await createPod(
    NS,
    'envagent',
    { app: 'envagent' },
    servicePodSpec([serviceContainer('api', 'agent', { PYCOV_HARVEST: '1' })]),
  );
  await createPod(
    NS,
    'tokened',
    { app: 'tokened' },
    servicePodSpec([serviceContainer('api', 'agent', { PYCOV_HARVEST_TOKEN: LISTENER_TOKEN })]),
  );
  await createPod(
    NS,
    'saver',
    { app: 'saver' },
    servicePodSpec([serviceContainer('api', 'save-signal')]),
  );
  await createPod(
    NS,
    'termer',
    { app: 'termer' },
    servicePodSpec([
      serviceContainer('api', 'sigterm', { GRACEFUL_TIMEOUT: '2', SHUTDOWN_SLEEP: '1' }),
    ]),
  );
  // Our first users' own entrypoint, unchanged (test/images/service/first-users-entrypoint.sh).
  await createPod(
    NS,
    'firstusers',
    { app: 'firstusers' },
    servicePodSpec([
      { ...serviceContainer('api', 'none'), command: ['/first-users-entrypoint.sh'] },
    ]),
  );
  await Promise.all([
    waitForServicePods(NS, 'app=firstusers', 1, FIRST_USERS_PORT),
    waitForServicePods(NS, 'app=api', 3),
    waitForServicePods(NS, 'app=saver', 1),
    waitForServicePods(NS, 'app=termer', 1),
    waitForServicePods(NS, 'app=envagent', 1),
    waitForServicePods(NS, 'app=tokened', 1),
  ]);
});

afterAll(() => deleteNamespace(NS));

describe('kubernetes target, bundled action', () => {
  it('1: a Deployment with 3 replicas, one holding an open SSE stream: all harvested over http into one lcov', async () => {
    const pods = await waitForServicePods(NS, 'app=api', 3);
    const [a, b, c] = pods;
    if (a === undefined || b === undefined || c === undefined)
      throw new Error('three replicas expected');
    // Each replica executes something the others do not.
    expect((await podGet(a, '/items/2')).status).toBe(200);
    expect((await podGet(b, '/items/3')).status).toBe(200);
    expect((await podGet(c, '/divide?a=1&b=0')).status).toBe(400);
    const stream = await openPodStream(a);

    const run = await harvest('app=api', { summary: 'true' });
    expect(run.exitCode, explain(run)).toBe(0);

    const outcomes = targetsOf(run);
    expect(outcomes.map((o) => o.target).sort()).toEqual(
      pods.map((p) => `pod ${NS}/${p.metadata?.name ?? ''} (container api)`).sort(),
    );
    for (const outcome of outcomes) {
      expect(outcome.method, JSON.stringify(outcome)).toBe('http');
      expect(outcome.files).toBeGreaterThanOrEqual(1);
      expect(outcome.bytes).toBeGreaterThan(0);
    }
    // Pods are reached through a port-forward to the agent's loopback listener, one per pod.
    const forwarded = run.stdout
      .split('\n')
      .filter((line) => /: http confirmed in .* through a port-forward$/.test(line));
    expect(forwarded, run.stdout).toHaveLength(3);

    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0); // replica a
    expect(hits(lcov, 'main.py', 'stream-tick')).toBeGreaterThan(0); // replica a, stream still open
    expect(hits(lcov, 'main.py', 'items-odd')).toBeGreaterThan(0); // replica b
    expect(hits(lcov, 'main.py', 'divide-by-zero')).toBeGreaterThan(0); // replica c
    expect(hits(lcov, 'calc.py', 'calc-zero')).toBeGreaterThan(0); // replica c
    expect(hits(lcov, 'main.py', 'never')).toBe(0);

    // The flush did not stop anything: the stream keeps ticking, no container restarted.
    const before = stream.ticks();
    await sleep(2500);
    expect(stream.ticks()).toBeGreaterThan(before);
    stream.close();
    for (const pod of pods) expect(restarts(await readPod(NS, pod.metadata?.name ?? ''))).toBe(0);
    expect(run.summary).toContain(`pod ${NS}/${a.metadata?.name ?? ''} (container api)`);
  });

  it('PYCOV_HARVEST=1 in the pod environment: the programs the action execs leave no data files of their own', async () => {
    const [pod] = await waitForServicePods(NS, 'app=envagent', 1);
    if (pod === undefined) throw new Error('no envagent pod');
    expect((await podGet(pod, '/items/6')).status).toBe(200);
    const run = await harvest('app=envagent');
    expect(run.exitCode, explain(run)).toBe(0);
    // One uvicorn process: one data file. Each extra one is a helper program that started the
    // agent because it lacks the `# pycov-harvest: no-agent` line (docs/protocol.md).
    expect(targetsOf(run)).toMatchObject([{ method: 'http', files: 1 }]);
  });

  it('a listener with PYCOV_HARVEST_TOKEN: http through the port-forward authenticates with the token of the pod', async () => {
    const [pod] = await waitForServicePods(NS, 'app=tokened', 1);
    if (pod === undefined) throw new Error('no tokened pod');
    expect((await podGet(pod, '/items/8')).status).toBe(200);
    const run = await harvest('app=tokened', { methods: 'http' });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)).toMatchObject([{ method: 'http', files: 1 }]);
    expect(run.stdout).toMatch(/: http confirmed in .* through a port-forward$/m);
    // Masked for the runner's log as soon as it is read; nothing else prints it.
    expect(run.stdout).toContain(`::add-mask::${LISTENER_TOKEN}`);
    expect((run.stdout + run.stderr).split(`::add-mask::${LISTENER_TOKEN}`).join('')).not.toContain(
      LISTENER_TOKEN,
    );
    expect(hits(lcovOf(run), 'main.py', 'items-even')).toBeGreaterThan(0);
  });

  it('2a: no agent, `coverage run --save-signal=USR1`: signal', async () => {
    const [pod] = await waitForServicePods(NS, 'app=saver', 1);
    if (pod === undefined) throw new Error('no saver pod');
    expect((await podGet(pod, '/items/7')).status).toBe(200);

    const run = await harvest('app=saver');
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)).toMatchObject([
      { target: `pod ${NS}/saver (container api)`, method: 'signal' },
    ]);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-odd')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-even')).toBe(0);
    expect(restarts(await readPod(NS, 'saver'))).toBe(0);
  });

  it('2b: plain `sigterm = true`: sigterm, the container restarts and the data is read back from the emptyDir', async () => {
    const [pod] = await waitForServicePods(NS, 'app=termer', 1);
    if (pod === undefined) throw new Error('no termer pod');
    expect((await podGet(pod, '/items/4')).status).toBe(200);
    expect(restarts(pod)).toBe(0);

    // `sigterm` itself: without `attach`, which would save this `coverage run` process first.
    const run = await harvest('app=termer', {
      'graceful-timeout': '30',
      methods: 'http,signal,sigterm',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    const [outcome] = targetsOf(run);
    expect(outcome).toMatchObject({
      target: `pod ${NS}/termer (container api)`,
      method: 'sigterm',
    });
    expect(outcome?.files).toBeGreaterThanOrEqual(1);
    // The server exited, Kubernetes restarted the container, and the files came from the emptyDir.
    expect(restarts(await readPod(NS, 'termer'))).toBe(1);
    expect(run.stdout).toMatch(/copied \d+ data file\(s\), \d+ bytes \(via pack\)/);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'startup')).toBeGreaterThan(0);
    expect(annotations(run.stdout, 'error')).toEqual([]);
  });

  it("2c: the first users' own entrypoint, unchanged, an SSE stream open: SIGTERM then SIGINT, the container restarts and the data comes back from the emptyDir within `graceful-timeout` 10", async () => {
    const [pod] = await waitForServicePods(NS, 'app=firstusers', 1, FIRST_USERS_PORT);
    if (pod === undefined) throw new Error('no firstusers pod');
    expect((await podGet(pod, '/items/4', FIRST_USERS_PORT)).status).toBe(200);
    const stream = await openPodStream(pod, FIRST_USERS_PORT);
    expect(restarts(pod)).toBe(0);

    const run = await harvest('app=firstusers', {
      'graceful-timeout': '10',
      methods: 'http,signal,sigterm',
    });
    stream.close();
    expect(run.exitCode, explain(run)).toBe(0);
    expect(targetsOf(run)[0]?.method).toBe('sigterm');
    const forced = /sigterm confirmed in (\d+) ms: (.*)$/m.exec(run.stdout);
    expect(forced?.[2]).toMatch(/SIGTERM and SIGINT \(force quit\)/);
    console.log(
      `first users' entrypoint on the cluster: data ${forced?.[1]} ms after the first signal`,
    );
    expect(restarts(await readPod(NS, 'firstusers'))).toBe(1);
    const lcov = lcovOf(run);
    expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
    expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
  });
});
