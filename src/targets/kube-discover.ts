// The `kubernetes` discoverer; loaded only when the `kubernetes` target is used.
import type { TargetSelection } from '../inputs/types.js';
import { Cluster } from './kube-cluster.js';
import { KubernetesError, apiFailure } from './kube-errors.js';
import { selectPods } from './kube-pods.js';
import { KubernetesTarget } from './kubernetes.js';
import type { Discovery } from './target.js';

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
