// The Kubernetes target against the real cluster (kube-apiserver, kubelet, containerd, runc):
// discovery, exec over the channel protocol, port-forward, and one clear message per failure.
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInputs } from '../../src/inputs/get-inputs.js';
import type { Inputs } from '../../src/inputs/types.js';
import { execInContainer } from '../../src/targets/kube-exec.js';
import { loadKubeConfig } from '../../src/targets/kube-config.js';
import type { KubernetesTarget } from '../../src/targets/kubernetes.js';
import { discoverPods } from '../../src/targets/kube-discover.js';
import { httpGet } from '../support/engine.js';
import {
  adminKubeconfig,
  createNamespace,
  createPod,
  deleteNamespace,
  requireCluster,
  serviceAccountKubeconfig,
  serviceContainer,
  servicePodSpec,
  waitForServicePods,
} from './support.js';

const NS = 'pch-target';

function inputs(values: Record<string, string>): Inputs {
  const all: Record<string, string> = {
    target: 'kubernetes',
    namespace: NS,
    kubeconfig: adminKubeconfig,
    ...values,
  };
  return getInputs((name) => all[name] ?? '');
}

/** Warnings are asserted where a test is about them. */
const noWarnings = (): void => undefined;

async function onlyTarget(values: Record<string, string>): Promise<KubernetesTarget> {
  const { targets } = await discoverPods(inputs(values), noWarnings);
  expect(targets).toHaveLength(1);
  return targets[0] as KubernetesTarget;
}

/** A GET on the runner's end of a port-forward. */
function localGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return httpGet(port, path, 20_000);
}

beforeAll(async () => {
  requireCluster();
  await createNamespace(NS);
  // Two containers (the service with the agent, and a second one on another port), and a pod
  // that can never be scheduled.
  await createPod(
    NS,
    'svc',
    { app: 'svc', role: 'api' },
    servicePodSpec([
      serviceContainer('api', 'agent'),
      serviceContainer('sidecar', 'none', { UVICORN_ARGS: '--port 8001' }),
    ]),
  );
  await createPod(
    NS,
    'stuck',
    { app: 'stuck', role: 'api' },
    servicePodSpec([serviceContainer('api', 'agent')], {
      nodeSelector: { 'pycov-harvest/no-such-node': 'true' },
    }),
  );
  await waitForServicePods(NS, 'app=svc', 1);
});

afterAll(() => deleteNamespace(NS));

describe('kubernetes target on a real cluster', () => {
  it('finds the Running pod, takes its first container, and names the pod that is not Running', async () => {
    const { targets, hint } = await discoverPods(inputs({ selector: 'role=api' }), noWarnings);
    expect(targets.map((t) => t.label)).toEqual([`pod ${NS}/svc (container api)`]);
    expect(hint).toContain('stuck (Pending)');
    expect(targets[0]?.id).toBe(`${NS}/svc/api`);
  });

  it('exec negotiates v5.channel.k8s.io, returns exit codes, binary stdout and stderr', async () => {
    const config = loadKubeConfig(adminKubeconfig).config;
    const ref = { namespace: NS, pod: 'svc', container: 'api' };
    const program = [
      'import os, sys, hashlib',
      'data = os.urandom(300000)',
      'sys.stdout.buffer.write(data)',
      'sys.stderr.write(hashlib.sha256(data).hexdigest())',
      'sys.exit(3)',
    ].join('\n');
    const result = await execInContainer(config, ref, ['python3', '-c', program]);
    expect(result.protocol).toBe('v5.channel.k8s.io');
    expect(result.exitCode).toBe(3);
    expect(result.stdout.length).toBe(300000);
    expect(createHash('sha256').update(result.stdout).digest('hex')).toBe(result.stderr);

    const ok = await execInContainer(config, ref, [
      'python3',
      '-c',
      'import os; print(os.getuid(), os.getpid())',
    ]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout.toString().split(' ')[0]).toBe('1001');
  });

  it('exec sends stdin and closes it (v5 CLOSE), so a reader sees end-of-file', async () => {
    const target = await onlyTarget({ selector: 'app=svc' });
    const input = Buffer.alloc(200_000, 7);
    const result = await target.exec(
      [
        'python3',
        '-c',
        'import sys, hashlib; d = sys.stdin.buffer.read(); print(len(d), hashlib.sha256(d).hexdigest())',
      ],
      { stdin: input, timeoutMs: 30_000 },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString().trim()).toBe(
      `200000 ${createHash('sha256').update(input).digest('hex')}`,
    );
  });

  it('exec of a missing program ends with 127 and the runtime reason; a slow command times out', async () => {
    const target = await onlyTarget({ selector: 'app=svc' });
    const missing = await target.exec(['no-such-program']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/exec: "no-such-program": executable file not found in \$PATH/);
    const slow = await target.exec(
      ['python3', '-c', 'import time; print("started", flush=True); time.sleep(30)'],
      {
        timeoutMs: 3000,
      },
    );
    expect(slow.exitCode).toBe(137);
    expect(slow.stdout.toString()).toBe('started\n');
    expect(slow.stderr).toContain('timed out after 3000 ms');
  });

  it('`container` picks the second container', async () => {
    const target = await onlyTarget({ selector: 'app=svc', container: 'sidecar' });
    expect(target.label).toBe(`pod ${NS}/svc (container sidecar)`);
    const result = await target.exec([
      'python3',
      '-c',
      'import os; print(os.environ["COVERAGE_MODE"])',
    ]);
    expect(result.stdout.toString().trim()).toBe('none');
  });

  it('forward() reaches the agent listener on the pod loopback from the runner', async () => {
    const target = await onlyTarget({ selector: 'app=svc' });
    const forward = await target.forward(9797);
    try {
      const status = await localGet(forward.localPort, '/pycov-harvest/status');
      expect(status.status).toBe(200);
      const body = JSON.parse(status.body) as {
        host: string;
        processes: { port: number | null }[];
      };
      expect(body.host).toBe('svc');
      expect(body.processes.some((p) => p.port === 9797)).toBe(true);
      // A second connection through the same forward works too.
      expect((await localGet(forward.localPort, '/pycov-harvest/nope')).status).toBe(404);
    } finally {
      await forward.close();
    }
  });

  it('forward() to a port nothing listens on fails the connection instead of hanging', async () => {
    const target = await onlyTarget({ selector: 'app=svc' });
    const forward = await target.forward(9);
    try {
      await expect(localGet(forward.localPort, '/')).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      await forward.close();
    }
  });

  it('isRunning() is true for the container instance found at discovery', async () => {
    const target = await onlyTarget({ selector: 'app=svc' });
    // The first answer is the fresh listing's; the next asks the API server and the runtime.
    expect(await target.isRunning()).toBe(true);
    expect(await target.isRunning()).toBe(true);
  });
});

describe('kubernetes target failures: one clear message each', () => {
  it('a kubeconfig file that does not exist', async () => {
    await expect(
      discoverPods(
        inputs({ selector: 'app=svc', kubeconfig: '/nonexistent/kubeconfig' }),
        noWarnings,
      ),
    ).rejects.toThrow(
      /^kubeconfig file \/nonexistent\/kubeconfig does not exist; check `kubeconfig`$/,
    );
  });

  it('a kubeconfig pointing at no API server', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pycov-kc-')), 'wrong.kubeconfig');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: abc}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    await expect(
      discoverPods(inputs({ selector: 'app=svc', kubeconfig: path }), noWarnings),
    ).rejects.toThrow(
      new RegExp(
        `^cannot reach the Kubernetes API server at https://127.0.0.1:1 to list pods with label app=svc in namespace ${NS} \\(connect ECONNREFUSED 127.0.0.1:1\\); check \`kubeconfig\` \\(${path}\\) and that the cluster is up$`,
      ),
    );
  });

  it('a token the API server does not accept', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pycov-kc-')), 'bad-token.kubeconfig');
    const admin = loadKubeConfig(adminKubeconfig).config.getCurrentCluster();
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: c, cluster: {server: "${admin?.server}", certificate-authority-data: "${admin?.caData}"}}]`,
        'users: [{name: u, user: {token: not-a-real-token}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    await expect(
      discoverPods(inputs({ selector: 'app=svc', kubeconfig: path }), noWarnings),
    ).rejects.toThrow(
      /^the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ rejected the credentials of kubeconfig \S+bad-token\.kubeconfig \(401 Unauthorized\); check `kubeconfig` \(expired token or certificate\?\)$/,
    );
  });

  it('a namespace that does not exist', async () => {
    await expect(
      discoverPods(inputs({ selector: 'app=svc', namespace: 'no-such-ns' }), noWarnings),
    ).rejects.toThrow(
      /^namespace `no-such-ns` does not exist in the cluster at https:\/\/127\.0\.0\.1:\d+; check `namespace`$/,
    );
  });

  it('a selector that matches nothing', async () => {
    const discovery = await discoverPods(inputs({ selector: 'app=nothing-here' }), noWarnings);
    expect(discovery.targets).toEqual([]);
    expect(discovery.searched).toBe(`Running pods with label app=nothing-here in namespace ${NS}`);
    expect(discovery.hint).toBe(
      `check \`selector\` and \`namespace\` (\`kubectl get pods -n ${NS} -l app=nothing-here\` lists what matches)`,
    );
  });

  it('a pod that is not Running', async () => {
    const discovery = await discoverPods(inputs({ selector: 'app=stuck' }), noWarnings);
    expect(discovery.targets).toEqual([]);
    expect(discovery.hint).toBe(
      '1 matching pod(s) are not Running: stuck (Pending); run this step while the services are up',
    );
  });

  it('a container name the pod does not have', async () => {
    await expect(
      discoverPods(inputs({ selector: 'app=svc', container: 'web' }), noWarnings),
    ).rejects.toThrow(
      `pod ${NS}/svc has no container \`web\` (it has \`api\`, \`sidecar\`); check \`container\``,
    );
  });
});

describe('RBAC: a service account without the subresource names what is missing', () => {
  const podsRead = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };

  it('without pods/exec: exec fails naming `pods/exec` and the Role', async () => {
    const kubeconfig = await serviceAccountKubeconfig(NS, 'no-exec', [
      podsRead,
      { apiGroups: [''], resources: ['pods/portforward'], verbs: ['get', 'create'] },
    ]);
    const target = await onlyTarget({ selector: 'app=svc', kubeconfig });
    await expect(target.exec(['python3', '-c', 'print(1)'])).rejects.toThrow(
      `\`system:serviceaccount:${NS}:no-exec\` lacks RBAC permission \`create\` and \`get\` on \`pods/exec\` in namespace ${NS}, which pycov-harvest needs to reach pod svc; bind the Role \`pycov-harvest\` from docs/kubernetes.md to it`,
    );
    // What it may do still works.
    const forward = await target.forward(9797);
    expect((await localGet(forward.localPort, '/pycov-harvest/status')).status).toBe(200);
    await forward.close();
  });

  it('without pods/portforward: forward fails naming `pods/portforward`, exec works', async () => {
    const kubeconfig = await serviceAccountKubeconfig(NS, 'no-forward', [
      podsRead,
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
    ]);
    const target = await onlyTarget({ selector: 'app=svc', kubeconfig });
    await expect(target.forward(9797)).rejects.toThrow(
      `\`system:serviceaccount:${NS}:no-forward\` lacks RBAC permission \`create\` and \`get\` on \`pods/portforward\` in namespace ${NS}, which pycov-harvest needs to reach pod svc; bind the Role \`pycov-harvest\` from docs/kubernetes.md to it`,
    );
    expect((await target.exec(['python3', '-c', 'print(42)'])).stdout.toString()).toBe('42\n');
  });

  it('with pods/exec `create` only: on this 1.34 API server WebSocket exec needs `get`, and the message says so', async () => {
    const kubeconfig = await serviceAccountKubeconfig(NS, 'create-only', [
      podsRead,
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
    ]);
    const target = await onlyTarget({ selector: 'app=svc', kubeconfig });
    await expect(target.exec(['python3', '-c', 'print(1)'])).rejects.toThrow(
      `\`system:serviceaccount:${NS}:create-only\` lacks RBAC permission \`get\` on \`pods/exec\``,
    );
  });

  it('without list on pods: discovery fails naming the permission', async () => {
    const kubeconfig = await serviceAccountKubeconfig(NS, 'nothing', []);
    await expect(
      discoverPods(inputs({ selector: 'app=svc', kubeconfig }), noWarnings),
    ).rejects.toThrow(
      `not allowed to list pods with label app=svc in namespace ${NS}: pods is forbidden: User "system:serviceaccount:${NS}:nothing" cannot list resource "pods" in API group "" in the namespace "${NS}"; grant it with the Role \`pycov-harvest\` from docs/kubernetes.md`,
    );
  });
});
