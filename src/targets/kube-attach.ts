// The `attach` injector container of a pod: an ephemeral container (`pods/ephemeralcontainers`)
// from the target container's own image, in its process namespace (`targetContainerName`), root
// with CAP_SYS_PTRACE. Its output comes back as its log; it cannot be removed afterwards (the
// API has no way to), so each attach leaves one terminated entry in the pod's spec.
import { randomBytes } from 'node:crypto';
import {
  PatchStrategy,
  setHeaderOptions,
  type V1ContainerState,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Cluster } from './kube-cluster.js';
import { KubernetesError, RBAC_DOC, ROLE_NAME, apiFailure } from './kube-errors.js';
import type { ContainerRef } from './kube-exec.js';
import { StdinUnsupportedError, type BesideOptions, type ExecResult } from './target.js';

const POLL_MS = 300;
/** The attach program prints a line per process (kilobytes); the log read back stops here. */
const MAX_LOG_BYTES = 4 * 1024 * 1024;
/** When the caller sets no bound: the program's own wait, the image's start, and the API's lag. */
const DEFAULT_WAIT_MS = 60_000;
/** Waiting reasons that will not resolve by themselves within an attach's wait. */
const STUCK =
  /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError|RunContainerError/;

/** The ephemeral container's spec: what the API server and Pod Security admission see. */
export function injectorSpec(
  name: string,
  image: string,
  argv: readonly string[],
  container: string,
): Record<string, unknown> {
  const [entrypoint, ...args] = argv;
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: [entrypoint],
    args,
    targetContainerName: container,
    stdin: false,
    tty: false,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      // CHOWN and DAC_OVERRIDE: the private directory it makes in the service's file system.
      capabilities: { drop: ['ALL'], add: ['SYS_PTRACE', 'CHOWN', 'DAC_OVERRIDE'] },
    },
  };
}

/** The image the target container runs, by digest where the runtime reports one. */
export function imageOf(pod: V1Pod, container: string): string | undefined {
  const status = pod.status?.containerStatuses?.find((s) => s.name === container);
  const id = (status?.imageID ?? '').replace(/^[a-z-]+:\/\//, '');
  if (id.includes('@sha256:')) return id;
  return pod.spec?.containers.find((c) => c.name === container)?.image ?? status?.image;
}

/** Pod Security admission's refusal as one sentence naming the pod, the level and the fixes. */
export function podSecurityRefusal(message: string, ref: ContainerRef): string | undefined {
  const level = /violates PodSecurity "(\w+)(?::[^"]*)?"/.exec(message)?.[1];
  if (level === undefined) return undefined;
  return `pod ${ref.namespace}/${ref.pod}: its namespace enforces Pod Security "${level}", which refuses the attach injector container (SYS_PTRACE${level === 'restricted' ? ', runAsUser 0' : ''}); label the test namespace \`pod-security.kubernetes.io/enforce=privileged\`, or use the agent (PYCOV_HARVEST=1)`;
}

/** Runs argv in a new ephemeral container of the pod; its log is the output. */
export async function runEphemeral(
  cluster: Cluster,
  ref: ContainerRef,
  argv: readonly string[],
  options: BesideOptions,
): Promise<ExecResult> {
  if (options.stdin !== undefined)
    throw new StdinUnsupportedError('an ephemeral container takes no standard input');
  const pod = await cluster.call(`read pod ${ref.namespace}/${ref.pod}`, () =>
    cluster.core.readNamespacedPod({ namespace: ref.namespace, name: ref.pod }),
  );
  const image = options.image ?? imageOf(pod, ref.container);
  if (image === undefined)
    throw new KubernetesError(
      `pod ${ref.namespace}/${ref.pod} reports no image for container ${ref.container}; set \`attach-image\``,
    );
  const name = `pycov-harvest-attach-${randomBytes(4).toString('hex')}`;
  await addInjector(cluster, ref, injectorSpec(name, image, argv, ref.container));
  const state = await waitTerminated(cluster, ref, name, options.timeoutMs ?? DEFAULT_WAIT_MS);
  const log = await cluster.call(`read the log of ${name} in pod ${ref.namespace}/${ref.pod}`, () =>
    cluster.core.readNamespacedPodLog({
      namespace: ref.namespace,
      name: ref.pod,
      container: name,
      limitBytes: MAX_LOG_BYTES,
    }),
  );
  const exitCode = state.terminated?.exitCode ?? 1;
  // The log holds stdout and stderr together: the JSON lines are read from it, and a failure's
  // last line (a traceback's) is what the caller shows.
  return { exitCode, stdout: Buffer.from(log), stderr: exitCode === 0 ? '' : log };
}

async function addInjector(
  cluster: Cluster,
  ref: ContainerRef,
  spec: Record<string, unknown>,
): Promise<void> {
  try {
    await cluster.core.patchNamespacedPodEphemeralcontainers(
      {
        namespace: ref.namespace,
        name: ref.pod,
        body: { spec: { ephemeralContainers: [spec] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  } catch (error) {
    const failure = apiFailure(error);
    const refusal = podSecurityRefusal(failure.message, ref);
    if (refusal !== undefined) throw new KubernetesError(refusal, { cause: error });
    if (failure.code === 403)
      throw new KubernetesError(
        `not allowed to add the attach injector container to pod ${ref.namespace}/${ref.pod} (${failure.message}); grant \`patch\` on \`pods/ephemeralcontainers\` and \`get\` on \`pods/log\` with the Role \`${ROLE_NAME}\` from ${RBAC_DOC}, or leave \`attach\` out of \`methods\``,
        { cause: error },
      );
    throw new KubernetesError(
      `cannot add the attach injector container to pod ${ref.namespace}/${ref.pod}: the API server answered ${failure.code ?? 'nothing'} (${failure.message})`,
      { cause: error },
    );
  }
}

/** Polls the pod until the ephemeral container ended, bounded; a stuck start fails at once. */
async function waitTerminated(
  cluster: Cluster,
  ref: ContainerRef,
  name: string,
  timeoutMs: number,
): Promise<V1ContainerState> {
  const deadline = Date.now() + timeoutMs;
  let last: V1ContainerState | undefined;
  for (;;) {
    const pod = await cluster.call(`read pod ${ref.namespace}/${ref.pod}`, () =>
      cluster.core.readNamespacedPod({ namespace: ref.namespace, name: ref.pod }),
    );
    last = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state;
    if (last?.terminated !== undefined) return last;
    const waiting = last?.waiting;
    if (waiting?.reason !== undefined && STUCK.test(waiting.reason))
      throw new KubernetesError(
        `the attach injector container ${name} in pod ${ref.namespace}/${ref.pod} cannot start (${waiting.reason}: ${waiting.message ?? ''}); set \`attach-image\` to an image the node has`,
      );
    if (Date.now() > deadline)
      throw new KubernetesError(
        `the attach injector container ${name} in pod ${ref.namespace}/${ref.pod} did not finish within ${Math.round(timeoutMs / 1000)} s (${waiting?.reason ?? (last?.running ? 'running' : 'not started')}); check \`kubectl describe pod\` (does the runtime support targetContainerName?)`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
