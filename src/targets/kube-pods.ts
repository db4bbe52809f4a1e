// Which pods of a listing are harvested, and which container of each.
import type { V1Pod } from '@kubernetes/client-node';
import { KubernetesError } from './kube-errors.js';
import type { ContainerRef } from './kube-exec.js';

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
