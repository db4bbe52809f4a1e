// Pods in a Kubernetes cluster, found by namespace + label selector and reached through the API
// server: exec over the channel protocol, port-forward, and a read-back after a restart.
import type { V1Pod } from '@kubernetes/client-node';
import { runEphemeral } from './kube-attach.js';
import { UpgradeError, openChannel } from './kube-channel.js';
import type { Cluster } from './kube-cluster.js';
import {
  KubernetesError,
  RBAC_DOC,
  ROLE_NAME,
  missingVerbs,
  rbacMessage,
  whoAmI,
  type PodPermission,
} from './kube-errors.js';
import { ExecStartError, execInContainer, type ContainerRef } from './kube-exec.js';
import { forwardPort, portForwardPath, type LocalForward } from './kube-forward.js';
import { openKubeStream } from './kube-stream.js';
import type { ExecStream } from './exec-stream.js';
import { notRunningReason, type PodChoice } from './kube-pods.js';
import type { AgentRoute, BesideOptions, ExecOptions, ExecResult, Target } from './target.js';
import { errorText } from '../shared/text.js';

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

  /** The `attach` injector: an ephemeral container in the pod (kube-attach.ts). */
  runBeside(argv: readonly string[], options: BesideOptions): Promise<ExecResult> {
    return runEphemeral(this.cluster, this.ref, argv, options);
  }

  /** A command kept running in the container over one exec session with stdin open. */
  async openStream(argv: readonly string[]): Promise<ExecStream> {
    try {
      return await openKubeStream(this.cluster.config, this.ref, argv);
    } catch (error) {
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
