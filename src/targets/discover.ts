// Finds the targets of the configured kind. Each kind registers one discoverer here; the
// Kubernetes client is loaded only when the `kubernetes` target is used.
import { ContainerCli } from './container-cli.js';
import { describeSelector, parseContainerSelector } from './container-selector.js';
import { findContainers } from './docker-discover.js';
import type { TargetKind, TargetSelection } from '../inputs/types.js';
import type { Discovery } from './target.js';

/** `warn` takes warnings for the log and the summary (e.g. matching pods that are not Running). */
export type Discoverer = (
  inputs: TargetSelection,
  warn: (message: string) => void,
) => Promise<Discovery>;

async function discoverContainers(inputs: TargetSelection): Promise<Discovery> {
  const cli = new ContainerCli(inputs.dockerCommand);
  const selector = parseContainerSelector(inputs.selector);
  return {
    targets: await findContainers(cli, inputs.selector),
    searched: `${selector.kind === 'labels' ? 'running containers' : 'containers'} with ${describeSelector(selector)} (\`${inputs.dockerCommand} ps\`)`,
    hint: 'check `selector` and that the services run on this runner',
  };
}

/** The discoverer of each target kind. */
export const discoverers: Record<TargetKind, Discoverer> = {
  docker: discoverContainers,
  kubernetes: async (inputs, warn) =>
    (await import('./kube-discover.js')).discoverPods(inputs, warn),
};

export function discoverTargets(
  inputs: TargetSelection,
  warn: (message: string) => void,
): Promise<Discovery> {
  return discoverers[inputs.target](inputs, warn);
}
