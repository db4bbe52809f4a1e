// Pure logic of the Kubernetes target; the capabilities themselves are proven in test/cluster/.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { planKubeConfig } from '../../../src/targets/kube-config.js';
import { describeApiFailure, rbacMessage } from '../../../src/targets/kube-errors.js';
import { execPath, parseExecStatus } from '../../../src/targets/kube-exec.js';
import { PortPrefixStripper } from '../../../src/targets/kube-forward.js';
import { upgradeStatus } from '../../../src/targets/kube-channel.js';
import { containerOf, notRunningReason, selectPods } from '../../../src/targets/kube-pods.js';

function pod(
  name: string,
  phase: string,
  containers: string[],
  running = true,
  id = `containerd://${name}`,
): V1Pod {
  return {
    metadata: { name, namespace: 'e2e' },
    spec: { containers: containers.map((c) => ({ name: c })) },
    status: {
      phase,
      containerStatuses: containers.map((c) => ({
        name: c,
        image: 'i',
        imageID: 'i',
        ready: running,
        restartCount: 0,
        containerID: id,
        state: running ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } },
      })),
    },
  };
}

describe('parseExecStatus', () => {
  it('reads success as exit code 0', () => {
    expect(parseExecStatus('{"metadata":{},"status":"Success"}')).toEqual({ exitCode: 0 });
  });
  it('reads the ExitCode cause of NonZeroExitCode', () => {
    const status = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message:
        'command terminated with non-zero exit code: error executing command [false], exit code 3',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    };
    expect(parseExecStatus(JSON.stringify(status))).toEqual({ exitCode: 3 });
  });
  it('turns any other failure into the runtime message', () => {
    const status = {
      status: 'Failure',
      reason: 'InternalError',
      message: 'exec: "python9": executable file not found in $PATH',
    };
    expect(parseExecStatus(JSON.stringify(status))).toEqual({
      error: 'exec: "python9": executable file not found in $PATH',
    });
  });
  it('reports unreadable status text', () => {
    expect(parseExecStatus('not json')).toEqual({ error: 'unreadable exec status: not json' });
  });
});

describe('execPath', () => {
  it('repeats command for each argv item and escapes it', () => {
    const path = execPath(
      { namespace: 'e2e', pod: 'api-1', container: 'api' },
      ['python3', '-c', 'print("a & b")'],
      false,
    );
    const url = new URL(path, 'https://x');
    expect(url.pathname).toBe('/api/v1/namespaces/e2e/pods/api-1/exec');
    expect(url.searchParams.getAll('command')).toEqual(['python3', '-c', 'print("a & b")']);
    expect(url.searchParams.get('container')).toBe('api');
    expect(url.searchParams.get('stdin')).toBe('false');
    expect(url.searchParams.get('tty')).toBe('false');
  });
});

describe('PortPrefixStripper', () => {
  it('drops the 2-byte port only from the first frame of each channel', () => {
    const stripper = new PortPrefixStripper();
    expect(stripper.strip(0, Buffer.from([0x4d, 0x26, 1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(stripper.strip(0, Buffer.from([3, 4]))).toEqual(Buffer.from([3, 4]));
    expect(stripper.strip(1, Buffer.from([0x4d, 0x26]))).toEqual(Buffer.alloc(0));
  });
});

describe('upgradeStatus', () => {
  it('reads the HTTP status of a refused WebSocket upgrade', () => {
    expect(upgradeStatus(new Error('Unexpected server response: 403'))).toBe(403);
    expect(upgradeStatus(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBeUndefined();
  });
});

describe('pod selection', () => {
  it('keeps Running pods with a running container and names the others', () => {
    const selection = selectPods(
      [
        pod('api-2', 'Running', ['api']),
        pod('api-1', 'Pending', ['api'], false),
        pod('api-3', 'Running', ['api'], false),
      ],
      '',
    );
    expect(selection.chosen.map((c) => c.ref.pod)).toEqual(['api-2']);
    expect(selection.chosen[0]?.containerId).toBe('containerd://api-2');
    expect(selection.skipped).toEqual([
      'api-1 (Pending, container api CrashLoopBackOff)',
      'api-3 (container api is CrashLoopBackOff)',
    ]);
  });
  it('takes the first container unless `container` names one', () => {
    const p = pod('api-1', 'Running', ['api', 'sidecar']);
    expect(containerOf(p, '')).toBe('api');
    expect(containerOf(p, 'sidecar')).toBe('sidecar');
  });
  it('names the containers a pod has when `container` is wrong', () => {
    expect(() => containerOf(pod('api-1', 'Running', ['api', 'sidecar']), 'web')).toThrow(
      'pod e2e/api-1 has no container `web` (it has `api`, `sidecar`); check `container`',
    );
  });
  it('treats a terminating pod as not running', () => {
    const p = pod('api-1', 'Running', ['api']);
    p.metadata = { ...p.metadata, deletionTimestamp: new Date() };
    expect(notRunningReason(p, 'api')).toBe('terminating');
  });
});

describe('planKubeConfig', () => {
  const files =
    (...paths: string[]) =>
    (path: string) =>
      paths.includes(path);
  it('prefers the input, and names a missing file', () => {
    const env = { env: { KUBECONFIG: '/k' }, home: '/h', exists: files('/k', '/in') };
    expect(planKubeConfig('/in', env)).toEqual({ kind: 'file', path: '/in', source: '/in' });
    expect(() => planKubeConfig('/nope', env)).toThrow(
      'kubeconfig file /nope does not exist; check `kubeconfig`',
    );
  });
  it('then KUBECONFIG (first existing entry), then ~/.kube/config, then in-cluster', () => {
    expect(
      planKubeConfig('', { env: { KUBECONFIG: '/a:/b' }, home: '/h', exists: files('/b') }),
    ).toMatchObject({ path: '/b' });
    expect(
      planKubeConfig('', { env: {}, home: '/h', exists: files('/h/.kube/config') }),
    ).toMatchObject({
      path: '/h/.kube/config',
    });
    expect(
      planKubeConfig('', {
        env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' },
        home: '/h',
        exists: files('/var/run/secrets/kubernetes.io/serviceaccount/token'),
      }),
    ).toEqual({ kind: 'in-cluster', source: 'the in-cluster service account' });
  });
  it('says what was tried when nothing is found', () => {
    expect(() => planKubeConfig('', { env: {}, home: '/h', exists: files() })).toThrow(
      "no kubeconfig found: `kubeconfig` is empty, KUBECONFIG is unset, /h/.kube/config does not exist and this is not a pod; set `kubeconfig` to the cluster's kubeconfig file",
    );
    expect(() =>
      planKubeConfig('', { env: { KUBECONFIG: '/x' }, home: '/h', exists: files() }),
    ).toThrow('no file named by KUBECONFIG (/x) exists');
  });
});

describe('error sentences', () => {
  it('names cause and fix for unreachable servers, bad credentials and RBAC', () => {
    const doing = 'list pods with label app=api in namespace e2e';
    expect(
      describeApiFailure(
        { message: 'connect ECONNREFUSED 127.0.0.1:1' },
        doing,
        'https://127.0.0.1:1',
        '/k',
      ),
    ).toBe(
      'cannot reach the Kubernetes API server at https://127.0.0.1:1 to list pods with label app=api in namespace e2e (connect ECONNREFUSED 127.0.0.1:1); check `kubeconfig` (/k) and that the cluster is up',
    );
    expect(describeApiFailure({ code: 401, message: 'Unauthorized' }, doing, 's', '/k')).toContain(
      '(401 Unauthorized); check `kubeconfig` (expired token or certificate?)',
    );
    expect(describeApiFailure({ code: 403, message: 'pods is forbidden' }, doing, 's', '/k')).toBe(
      'not allowed to list pods with label app=api in namespace e2e: pods is forbidden; grant it with the Role `pycov-harvest` from docs/kubernetes.md',
    );
    expect(
      rbacMessage('system:serviceaccount:e2e:ci', ['create', 'get'], {
        subresource: 'exec',
        namespace: 'e2e',
        pod: 'api-1',
      }),
    ).toBe(
      '`system:serviceaccount:e2e:ci` lacks RBAC permission `create` and `get` on `pods/exec` in namespace e2e, which pycov-harvest needs to reach pod api-1; bind the Role `pycov-harvest` from docs/kubernetes.md to it',
    );
  });
});
