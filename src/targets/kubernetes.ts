// Pods in a Kubernetes cluster, found by namespace + label selector and reached through the API
// server: exec over the channel protocol, port-forward, and a read-back after a restart.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Discovery } from './discover.js';
import { UpgradeError, openChannel } from './kube-channel.js';
import { loadKubeConfig } from './kube-config.js';
import {
  KubernetesError,
  RBAC_DOC,
  ROLE_NAME,
  apiFailure,
  describeApiFailure,
  missingVerbs,
  rbacMessage,
  whoAmI,
  type PodPermission,
} from './kube-errors.js';
import { ExecStartError, execInContainer, type ContainerRef } from './kube-exec.js';
import { forwardPort, portForwardPath, type LocalForward } from './kube-forward.js';
import type { AgentRoute, ExecOptions, ExecResult, Target, TargetSelection } from './target.js';
import { errorText } from '../text.js';

/** The API server connection shared by all pods of one run. */
export class Cluster {
  readonly core: CoreV1Api;
  readonly server: string;

  constructor(
    readonly config: KubeConfig,
    readonly source: string,
  ) {
    this.core = config.makeApiClient(CoreV1Api);
    this.server = config.getCurrentCluster()?.server ?? '(no server)';
  }

  static load(kubeconfigInput: string): Cluster {
    const { config, source } = loadKubeConfig(kubeconfigInput);
    return new Cluster(config, source);
  }

  /** Runs one API call; a failure becomes a KubernetesError naming `doing`, cause and fix. */
  async call<T>(doing: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new KubernetesError(
        describeApiFailure(apiFailure(error), doing, this.server, this.source),
        { cause: error },
      );
    }
  }
}

export interface PodChoice {
  readonly ref: ContainerRef;
  /** The runtime's id of the running container instance (changes when it restarts). */
  readonly containerId: string;
}

export interface PodSelection {
  readonly chosen: readonly PodChoice[];
  /** Matching pods that are not harvested, with the reason, e.g. `api-1 (Pending)`. */
  readonly skipped: readonly string[];
}

/** Why a pod's container cannot run commands now, or undefined when it can. */
export function notRunningReason(pod: V1Pod, container: string): string | undefined {
  if (pod.metadata?.deletionTimestamp !== undefined) return 'terminating';
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') {
    const waiting = pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.waiting
      ?.reason;
    return waiting ? `${phase}, container ${container} ${waiting}` : phase;
  }
  const state = pod.status?.containerStatuses?.find((s) => s.name === container)?.state;
  if (state?.running !== undefined) return undefined;
  const why =
    state?.waiting?.reason ??
    (state?.terminated
      ? `terminated (${state.terminated.reason ?? 'exit ' + state.terminated.exitCode})`
      : 'not started');
  return `container ${container} is ${why}`;
}

/** The `container` input or the pod's only/first container; a wrong name is an error. */
export function containerOf(pod: V1Pod, wanted: string): string {
  const names = pod.spec?.containers.map((c) => c.name) ?? [];
  const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  if (wanted !== '') {
    if (!names.includes(wanted)) {
      throw new KubernetesError(
        `pod ${podName} has no container \`${wanted}\` (it has ${names.map((n) => `\`${n}\``).join(', ') || 'none'}); check \`container\``,
      );
    }
    return wanted;
  }
  const first = names[0];
  if (first === undefined) throw new KubernetesError(`pod ${podName} has no containers`);
  return first;
}

export function selectPods(pods: readonly V1Pod[], containerInput: string): PodSelection {
  const chosen: PodChoice[] = [];
  const skipped: string[] = [];
  for (const pod of [...pods].sort((a, b) =>
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  )) {
    const name = pod.metadata?.name ?? '';
    const container = containerOf(pod, containerInput);
    const reason = notRunningReason(pod, container);
    if (reason !== undefined) {
      skipped.push(`${name} (${reason})`);
      continue;
    }
    const containerId =
      pod.status?.containerStatuses?.find((s) => s.name === container)?.containerID ?? '';
    chosen.push({
      ref: { namespace: pod.metadata?.namespace ?? '', pod: name, container },
      containerId,
    });
  }
  return { chosen, skipped };
}

const RESTART_WAIT_MS = 180_000;
/** Run only to learn whether the container takes commands; never exists in a sane image. */
const LIVENESS_PROBE_PROGRAM = 'pycov-harvest-no-such-program';
const POLL_MS = 1000;
/** How long discovery's pod listing answers whether a container runs. */
const LISTING_FRESH_MS = 5000;

export class KubernetesTarget implements Target {
  readonly kind = 'kubernetes' as const;
  readonly id: string;
  readonly label: string;
  readonly ref: ContainerRef;
  private readonly containerId: string;
  /** When discovery listed the container as running; answers the first isRunning() while fresh. */
  private listedRunningAt: number | undefined;

  constructor(
    private readonly cluster: Cluster,
    choice: PodChoice,
    private readonly warn: (message: string) => void,
  ) {
    this.ref = choice.ref;
    this.containerId = choice.containerId;
    this.listedRunningAt = Date.now();
    this.id = `${this.ref.namespace}/${this.ref.pod}/${this.ref.container}`;
    this.label = `pod ${this.ref.namespace}/${this.ref.pod} (container ${this.ref.container})`;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    try {
      const { exitCode, stdout, stderr } = await execInContainer(
        this.cluster.config,
        this.ref,
        argv,
        options,
      );
      return { exitCode, stdout, stderr };
    } catch (error) {
      if (error instanceof ExecStartError) {
        throw new KubernetesError(
          `cannot run \`${argv[0] ?? ''}\` in ${this.label}: ${error.message}`,
          { cause: error },
        );
      }
      throw await this.explainUpgrade(error, 'exec');
    }
  }

  async routeToAgent(port: number): Promise<AgentRoute> {
    let forward: LocalForward;
    try {
      forward = await this.forward(port);
    } catch (error) {
      throw new Error(`the port-forward failed: ${errorText(error)}`, { cause: error });
    }
    return {
      origin: `http://127.0.0.1:${forward.localPort}`,
      via: 'a port-forward',
      close: () => forward.close(),
    };
  }

  async forward(remotePort: number): Promise<LocalForward> {
    // One probe session up front turns a refused upgrade (RBAC, pod gone) into a clear error here
    // instead of reset connections later.
    try {
      const probe = await openChannel(
        this.cluster.config,
        portForwardPath(this.ref.namespace, this.ref.pod, remotePort),
        () => undefined,
      );
      probe.close();
    } catch (error) {
      throw await this.explainUpgrade(error, 'portforward');
    }
    return forwardPort(
      this.cluster.config,
      this.ref.namespace,
      this.ref.pod,
      remotePort,
      (message) => this.warn(`${this.label}: port-forward to port ${remotePort}: ${message}`),
    );
  }

  /**
   * True while the container instance found at discovery still runs; false once it stopped or
   * restarted. The first answer, within seconds of the listing that found it running, is that
   * listing's: a pod read and a liveness exec per pod were most of a fleet's API traffic, and a
   * container that stops in that window fails its harvest with the exec's own error instead.
   */
  async isRunning(): Promise<boolean> {
    const listedAt = this.listedRunningAt;
    this.listedRunningAt = undefined;
    if (listedAt !== undefined && Date.now() - listedAt < LISTING_FRESH_MS) return true;
    const pod = await this.readPod();
    const status = pod.status?.containerStatuses?.find((s) => s.name === this.ref.container);
    if (status?.state?.running === undefined || status.containerID !== this.containerId)
      return false;
    // The pod status lags a container that just exited by a second or so; ask the runtime.
    return this.answersExec();
  }

  /**
   * Whether the runtime can start processes in the container: exec of a program that does not
   * exist ends with 127 in a live container, and fails otherwise (or the session is refused).
   */
  private async answersExec(): Promise<boolean> {
    try {
      await execInContainer(this.cluster.config, this.ref, [LIVENESS_PROBE_PROGRAM], {
        timeoutMs: 15_000,
      });
      return true;
    } catch (error) {
      if (error instanceof ExecStartError) return false;
      // Not allowed or not reachable says nothing about the container: that is an error of its own.
      if (
        !(error instanceof UpgradeError) ||
        error.code === undefined ||
        error.code === 401 ||
        error.code === 403
      ) {
        throw await this.explainUpgrade(error, 'exec');
      }
      return false;
    }
  }

  /**
   * Waits until the container takes commands again after it stopped (Kubernetes restarts it, and
   * the pod's `emptyDir` survives). The pod status lags a container that just exited, so the
   * runtime is asked too (the old instance refuses, the restarted one answers).
   */
  async waitForRestart(): Promise<void> {
    const deadline = Date.now() + RESTART_WAIT_MS;
    for (;;) {
      const reason = notRunningReason(await this.readPod(), this.ref.container);
      if (reason === undefined && (await this.answersExec())) return;
      if (Date.now() > deadline) {
        throw new KubernetesError(
          `${this.label} did not run again within ${RESTART_WAIT_MS / 1000} s after it stopped (${reason ?? 'it does not take commands'}); check the pod's restartPolicy and \`kubectl describe pod\``,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private readPod(): Promise<V1Pod> {
    return this.cluster.call(`read pod ${this.ref.namespace}/${this.ref.pod}`, () =>
      this.cluster.core.readNamespacedPod({ namespace: this.ref.namespace, name: this.ref.pod }),
    );
  }

  /** Why the API server refused an exec or port-forward session, in one sentence. */
  private async explainUpgrade(
    error: unknown,
    subresource: PodPermission['subresource'],
  ): Promise<Error> {
    const what = subresource === 'exec' ? 'exec into' : 'port-forward to';
    if (!(error instanceof UpgradeError))
      return error instanceof Error ? error : new Error(String(error));
    const permission: PodPermission = {
      subresource,
      namespace: this.ref.namespace,
      pod: this.ref.pod,
    };
    if (error.code === undefined) {
      return new KubernetesError(
        `cannot reach the Kubernetes API server at ${this.cluster.server} to ${what} ${this.label} (${error.message}); check \`kubeconfig\` (${this.cluster.source})`,
        { cause: error },
      );
    }
    if (error.code === 401) {
      return new KubernetesError(
        `the Kubernetes API server at ${this.cluster.server} rejected the credentials of kubeconfig ${this.cluster.source} (401 Unauthorized); check \`kubeconfig\``,
        { cause: error },
      );
    }
    if (error.code === 403) {
      const missing = await missingVerbs(this.cluster.config, permission);
      if (missing !== undefined && missing.length > 0) {
        return new KubernetesError(
          rbacMessage(await whoAmI(this.cluster.config), missing, permission),
          { cause: error },
        );
      }
      return new KubernetesError(
        `the API server refused to ${what} ${this.label} (403 Forbidden); grant \`get\` and \`create\` on \`pods/${subresource}\` with the Role \`${ROLE_NAME}\` from ${RBAC_DOC}`,
        { cause: error },
      );
    }
    let state = '';
    try {
      state = notRunningReason(await this.readPod(), this.ref.container) ?? '';
    } catch (readError) {
      state = readError instanceof Error ? readError.message : String(readError);
    }
    return new KubernetesError(
      `cannot ${what} ${this.label}: the API server answered ${error.code}${state ? ` (${state})` : ''}`,
      { cause: error },
    );
  }
}

/** The `kubernetes` discoverer: Running pods matching `selector` in `namespace`. */
export async function discoverPods(
  inputs: TargetSelection,
  warn: (message: string) => void,
): Promise<Discovery> {
  const cluster = Cluster.load(inputs.kubeconfig);
  const { namespace, selector } = inputs;
  const pods = await cluster.call(
    `list pods with label ${selector} in namespace ${namespace}`,
    () => cluster.core.listNamespacedPod({ namespace, labelSelector: selector }),
  );
  if (pods.items.length === 0) await requireNamespace(cluster, namespace);
  const { chosen, skipped } = selectPods(pods.items, inputs.container);
  if (chosen.length > 0) {
    for (const pod of skipped) {
      warn(
        `pod ${namespace}/${pod} matches \`${selector}\` but is not Running; it is not harvested`,
      );
    }
  }
  const searched = `Running pods with label ${selector} in namespace ${namespace}`;
  const hint =
    skipped.length > 0
      ? `${skipped.length} matching pod(s) are not Running: ${skipped.join(', ')}; run this step while the services are up`
      : `check \`selector\` and \`namespace\` (\`kubectl get pods -n ${namespace} -l ${selector}\` lists what matches)`;
  return {
    targets: chosen.map((choice) => new KubernetesTarget(cluster, choice, warn)),
    searched,
    hint,
  };
}

/** An empty list is ambiguous: tell a missing namespace apart (when allowed to read it). */
async function requireNamespace(cluster: Cluster, namespace: string): Promise<void> {
  try {
    await cluster.core.readNamespace({ name: namespace });
  } catch (error) {
    if (apiFailure(error).code === 404) {
      throw new KubernetesError(
        `namespace \`${namespace}\` does not exist in the cluster at ${cluster.server}; check \`namespace\``,
        { cause: error },
      );
    }
    // Not allowed to read namespaces (or another failure): the empty list speaks for itself.
  }
}
