// The v4 fallback on a real API server: a second kube-apiserver on the same etcd with the
// WebSocket translation turned off (TranslateStreamCloseWebsocketRequests=false) passes exec
// straight to the kubelet and containerd, which speak `v4.channel.k8s.io` but not v5.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execInContainer } from '../../src/targets/kube-exec.js';
import { appSourceDir, images, markerLine } from '../support/images.js';
import { makeWorkspace, parseLcov } from '../support/run-action.js';
import { runAction } from '../support/run-action.js';
import { cpSync } from 'node:fs';
import {
  admin,
  adminKubeconfig,
  createNamespace,
  createPod,
  deleteNamespace,
  podGet,
  requireCluster,
  serviceContainer,
  servicePodSpec,
  waitFor,
  waitForServicePods,
} from './support.js';

const NS = 'pch-v4';
const PORT = Number(process.env.PYCOV_HARVEST_V4_API_PORT ?? '16444');
const ref = { namespace: NS, pod: 'svc', container: 'api' };
let server: ChildProcess | undefined;
let v4Config: KubeConfig;
let v4Kubeconfig: string;

/** The argv up.sh started the API server with, on another port and without the v5 translation. */
function secondServerArgv(): string[] {
  const argv = readFileSync(join(dirname(adminKubeconfig), 'kube-apiserver.argv'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const at = argv.indexOf('--secure-port');
  if (at < 0) throw new Error('kube-apiserver.argv has no --secure-port');
  argv[at + 1] = String(PORT);
  return [...argv, '--feature-gates=TranslateStreamCloseWebsocketRequests=false'];
}

beforeAll(async () => {
  requireCluster();
  const [program, ...args] = secondServerArgv();
  if (program === undefined) throw new Error('empty argv');
  const log = openSync(join(dirname(adminKubeconfig), 'logs', 'kube-apiserver-v4.log'), 'w');
  server = spawn(program, args, { stdio: ['ignore', log, log] });

  v4Config = new KubeConfig();
  v4Config.loadFromString(
    admin()
      .exportConfig()
      .replace(/https:\/\/127\.0\.0\.1:\d+/, `https://127.0.0.1:${PORT}`),
  );
  v4Kubeconfig = join(mkdtempSync(join(tmpdir(), 'pycov-v4-')), 'v4.kubeconfig');
  writeFileSync(v4Kubeconfig, v4Config.exportConfig(), { mode: 0o600 });
  const core = v4Config.makeApiClient(CoreV1Api);
  await waitFor(
    'the second API server',
    90_000,
    async () => (await core.readNamespace({ name: 'default' })).metadata?.name,
  );

  await createNamespace(NS);
  await createPod(NS, 'svc', { app: 'svc' }, servicePodSpec([serviceContainer('api', 'agent')]));
  const [pod] = await waitForServicePods(NS, 'app=svc', 1);
  if (pod === undefined) throw new Error('no pod');
  expect((await podGet(pod, '/items/8')).status).toBe(200);
});

afterAll(async () => {
  const running = server;
  if (running !== undefined && running.exitCode === null) {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }
  await deleteNamespace(NS);
});

describe('exec falls back to v4.channel.k8s.io', () => {
  it('negotiates v4 and still reads exit codes from the status channel', async () => {
    const result = await execInContainer(v4Config, ref, [
      'python3',
      '-c',
      'import sys; print("over v4"); sys.exit(5)',
    ]);
    expect(result.protocol).toBe('v4.channel.k8s.io');
    expect(result.exitCode).toBe(5);
    expect(result.stdout.toString()).toBe('over v4\n');
    const ok = await execInContainer(v4Config, ref, ['python3', '-c', 'pass']);
    expect(ok).toMatchObject({ protocol: 'v4.channel.k8s.io', exitCode: 0 });
  });

  it('refuses stdin on v4, which cannot close it, with a sentence saying why', async () => {
    await expect(
      execInContainer(v4Config, ref, ['python3', '-c', 'pass'], { stdin: Buffer.from('x') }),
    ).rejects.toThrow(
      'the API server speaks v4.channel.k8s.io, which cannot close stdin; sending input needs v5.channel.k8s.io (Kubernetes 1.30 or later)',
    );
  });

  it('the bundled action harvests over v4 as well', async () => {
    const run = await runAction(
      {
        target: 'kubernetes',
        namespace: NS,
        selector: 'app=svc',
        kubeconfig: v4Kubeconfig,
        'docker-command': 'podman',
        'coverage-image': images.coverage,
        'path-map': '/app=.',
        upload: 'false',
        summary: 'false',
      },
      makeWorkspace((workspace) =>
        cpSync(appSourceDir, join(workspace, 'src'), { recursive: true }),
      ),
    );
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(JSON.parse(run.outputs.targets ?? '[]')).toMatchObject([{ method: 'http' }]);
    const lcov = parseLcov(
      readFileSync(join(run.workspace, run.outputs['lcov-file'] ?? ''), 'utf8'),
    );
    expect(lcov.get('src/main.py')?.get(markerLine('main.py', 'items-even'))).toBeGreaterThan(0);
  });
});
