// The ephemeral container `attach` adds to a pod: its spec, its image, and Pod Security's refusal
// as one sentence (the real API server's refusals are in test/cluster/attach.test.ts).
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { imageOf, injectorSpec, podSecurityRefusal } from '../../../src/targets/kube-attach.js';

const ref = { namespace: 'e2e', pod: 'api-7d9f', container: 'api' };

describe('podSecurityRefusal', () => {
  it.each([
    [
      'pods "api-7d9f" is forbidden: violates PodSecurity "restricted:latest": non-default capabilities (container "pycov-harvest-attach-1a2b3c4d" must not include "SYS_PTRACE" in securityContext.capabilities.add), runAsNonRoot != true',
      'pod e2e/api-7d9f: its namespace enforces Pod Security "restricted", which refuses the attach injector container (SYS_PTRACE, runAsUser 0); label the test namespace `pod-security.kubernetes.io/enforce=privileged`, or use the agent (PYCOV_HARVEST=1)',
    ],
    [
      'pods "api-7d9f" is forbidden: violates PodSecurity "baseline:v1.34": non-default capabilities',
      'pod e2e/api-7d9f: its namespace enforces Pod Security "baseline", which refuses the attach injector container (SYS_PTRACE); label the test namespace `pod-security.kubernetes.io/enforce=privileged`, or use the agent (PYCOV_HARVEST=1)',
    ],
    ['pods "api-7d9f" is forbidden: User "ci" cannot patch resource', undefined],
  ])('%s', (message, sentence) => {
    expect(podSecurityRefusal(message, ref)).toBe(sentence);
  });
});

describe('imageOf', () => {
  const pod = (imageID: string): V1Pod => ({
    spec: { containers: [{ name: 'api', image: 'registry.example/api:e2e' }] },
    status: {
      containerStatuses: [{ name: 'api', image: 'registry.example/api:e2e', imageID } as never],
    },
  });
  it('pins the image by the digest the node reports, else takes the spec image', () => {
    expect(imageOf(pod('docker-pullable://registry.example/api@sha256:abc'), 'api')).toBe(
      'registry.example/api@sha256:abc',
    );
    expect(imageOf(pod('sha256:0123'), 'api')).toBe('registry.example/api:e2e');
    expect(imageOf(pod(''), 'other')).toBeUndefined();
  });
});

describe('injectorSpec', () => {
  it('targets the container, runs the given program as root with SYS_PTRACE, drops every other capability', () => {
    expect(
      injectorSpec(
        'pycov-harvest-attach-1',
        'img@sha256:abc',
        ['/usr/bin/python3.12', '-S', '-c', 'x'],
        'api',
      ),
    ).toEqual({
      name: 'pycov-harvest-attach-1',
      image: 'img@sha256:abc',
      imagePullPolicy: 'IfNotPresent',
      command: ['/usr/bin/python3.12'],
      args: ['-S', '-c', 'x'],
      targetContainerName: 'api',
      stdin: false,
      tty: false,
      terminationMessagePolicy: 'FallbackToLogsOnError',
      securityContext: {
        runAsUser: 0,
        runAsNonRoot: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'], add: ['SYS_PTRACE', 'CHOWN', 'DAC_OVERRIDE'] },
      },
    });
  });
});
