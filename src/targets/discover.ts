// Finds the targets of the configured kind. Each kind registers one discoverer here.
import type { Inputs, TargetKind } from '../inputs.js';
import {
  ContainerCli,
  describeSelector,
  findContainers,
  parseContainerSelector,
} from './docker.js';
import { discoverPods } from './kubernetes.js';
import type { Target } from './target.js';

export interface Discovery {
  readonly targets: readonly Target[];
  /** What was searched, for the "nothing found" message, e.g. `containers with label app=api`. */
  readonly searched: string;
  /** How to fix an empty result, e.g. "check `selector`". */
  readonly hint: string;
}

export type Discoverer = (inputs: Inputs) => Promise<Discovery>;

async function discoverContainers(inputs: Inputs): Promise<Discovery> {
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
  kubernetes: discoverPods,
};

export function discoverTargets(inputs: Inputs): Promise<Discovery> {
  return discoverers[inputs.target](inputs);
}
