// `attach` on the real cluster: the first users' entrypoint (bash PID 1, user 1001, `coverage run`
// with `[run] sigterm = true`, no agent) in a pod whose seccomp profile denies `ptrace`, so the
// attach from inside the pod is refused and the action adds an ephemeral container from the
// pod's own image (`targetContainerName`, CAP_SYS_PTRACE). Also: the Role in docs/kubernetes.md
// is enough for it, a Role without `pods/ephemeralcontainers` and a namespace enforcing Pod
// Security `restricted` are each refused in one sentence, and the chain moves on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1SecurityContext } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, hits, lcovOf, targetsOf } from '../support/harvest-results.js';
import { type ActionRun } from '../support/run-action.js';
import {
  createNamespace,
  createPod,
  deleteNamespace,
  documentedRole,
  openPodStream,
  podGet,
  readPod,
  requireCluster,
  serviceAccountKubeconfig,
  serviceContainer,
  servicePodSpec,
  waitForServicePods,
  harvestPods,
} from './support.js';

const NS = 'pch-attach';
const RESTRICTED_NS = 'pch-attach-restricted';
const PORT = 8080;
const clusterDir = process.env.PYCOV_HARVEST_CLUSTER_DIR ?? '/var/tmp/pycov-harvest-cluster';
/** A Localhost seccomp profile (under the kubelet's seccomp root) that denies only ptrace. */
const PROFILE = 'pycov-harvest-attach-deny-ptrace.json';

function writeProfile(): void {
  const dir = join(clusterDir, 'kubelet/root/seccomp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, PROFILE),
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }),
  );
}

/** The first users' entrypoint on the service image, without ptrace for its own user. */
function firstUsers(security: V1SecurityContext = {}): V1Container {
  return {
    ...serviceContainer('api', 'none'),
    command: ['/first-users-entrypoint.sh'],
    securityContext: {
      seccompProfile: { type: 'Localhost', localhostProfile: PROFILE },
      ...security,
    },
  };
}

function harvest(
  namespace: string,
  selector: string,
  extra: Record<string, string> = {},
): Promise<ActionRun> {
  return harvestPods(namespace, selector, extra);
}

function attachDetail(run: ActionRun): { confirmed: boolean; detail: string } {
  const match = / attach (confirmed|not confirmed) in \d+ ms: (.*)$/m.exec(run.stdout);
  if (match === null) throw new Error(`no attach attempt:\n${explain(run)}`);
  return { confirmed: match[1] === 'confirmed', detail: match[2] ?? '' };
}

beforeAll(async () => {
  requireCluster();
  writeProfile();
  await createNamespace(NS);
  await createPod(NS, 'first', { app: 'first' }, servicePodSpec([firstUsers()]));
  await createPod(NS, 'rbac', { app: 'rbac' }, servicePodSpec([firstUsers()]));
  await createNamespace(RESTRICTED_NS, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  await createPod(
    RESTRICTED_NS,
    'strict',
    { app: 'strict' },
    servicePodSpec([
      firstUsers({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      }),
    ]),
  );
  await waitForServicePods(NS, 'app in (first,rbac)', 2, PORT);
  await waitForServicePods(RESTRICTED_NS, 'app=strict', 1, PORT);
});

afterAll(async () => {
  await deleteNamespace(NS);
  await deleteNamespace(RESTRICTED_NS);
});

describe('attach through an ephemeral container', () => {
  it("the first users' pod, default inputs: refused inside, saved by the injector, still serving", async () => {
    const [pod] = await waitForServicePods(NS, 'app=first', 1, PORT);
    if (pod === undefined) throw new Error('no pod');
    expect((await podGet(pod, '/items/4', PORT)).status).toBe(200);
    const stream = await openPodStream(pod, PORT);
    try {
      const run = await harvest(NS, 'app=first');
      expect(run.exitCode, explain(run)).toBe(0);
      expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');
      const { detail } = attachDetail(run);
      expect(detail).toMatch(
        /^1 process\(es\) saved their coverage from an injector container \(the target's own image\) \(ptrace pending call, thread caught in \w+\); from inside the target: the kernel refused to let this process trace pid \d+ \(PTRACE_SEIZE: Operation not permitted\)/,
      );
      const lcov = lcovOf(run);
      expect(hits(lcov, 'main.py', 'items-even')).toBeGreaterThan(0);
      expect(hits(lcov, 'main.py', 'items-odd')).toBe(0);
      // The pod serves on, nothing restarted, and it holds one terminated ephemeral container.
      expect((await podGet(pod, '/health', PORT)).status).toBe(200);
      const after = await readPod(NS, 'first');
      expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
      const injected = after.status?.ephemeralContainerStatuses ?? [];
      expect(injected).toHaveLength(1);
      expect(injected[0]?.state?.terminated?.exitCode).toBe(0);
      expect(after.spec?.ephemeralContainers?.[0]?.image).toMatch(/@sha256:|^sha256:|service/);
    } finally {
      stream.close();
    }
  });

  it('with the Role from docs/kubernetes.md; without its `pods/ephemeralcontainers` rule, one sentence', async () => {
    const rules = documentedRole().rules ?? [];
    const documented = await serviceAccountKubeconfig(NS, 'attach-documented', rules);
    const run = await harvest(NS, 'app=rbac', { kubeconfig: documented });
    expect(targetsOf(run)[0]?.method, explain(run)).toBe('attach');

    const without = rules.filter((r) => !r.resources?.includes('pods/ephemeralcontainers'));
    expect(without).toHaveLength(rules.length - 1);
    const narrow = await serviceAccountKubeconfig(NS, 'attach-no-ephemeral', without);
    const refused = await harvest(NS, 'app=rbac', {
      kubeconfig: narrow,
      methods: 'http,signal,attach',
    });
    const { confirmed, detail } = attachDetail(refused);
    expect(confirmed, explain(refused)).toBe(false);
    expect(detail).toMatch(
      new RegExp(
        `from an injector container \\(the target's own image\\): not allowed to add the attach injector container to pod ${NS}/rbac \\(.*\\); grant \`patch\` on \`pods/ephemeralcontainers\` and \`get\` on \`pods/log\` with the Role \`pycov-harvest\` from docs/kubernetes\\.md, or leave \`attach\` out of \`methods\`$`,
      ),
    );
  });

  it('a namespace enforcing Pod Security `restricted`: refused in one sentence naming the pod, the level and the fixes', async () => {
    const run = await harvest(RESTRICTED_NS, 'app=strict', { methods: 'http,signal,attach' });
    const { confirmed, detail } = attachDetail(run);
    expect(confirmed, explain(run)).toBe(false);
    expect(detail).toContain(
      `from an injector container (the target's own image): pod ${RESTRICTED_NS}/strict: its namespace enforces Pod Security "restricted", which refuses the attach injector container (SYS_PTRACE, runAsUser 0); label the test namespace \`pod-security.kubernetes.io/enforce=privileged\`, or use the agent (PYCOV_HARVEST=1)`,
    );
    expect(targetsOf(run)[0]?.method).toBeNull();
  });
});
