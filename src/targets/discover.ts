// Finds the targets of the configured kind. Each kind registers one discoverer here.
import type { Inputs, TargetKind } from '../inputs.js';
import {
  ContainerCli,
  describeSelector,
  findContainers,
  parseContainerSelector,
} from './docker.js';
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

async function notAvailable(inputs: Inputs): Promise<Discovery> {
  throw new Error(
    `target \`${inputs.target}\` is not available in this build; use \`target: docker\``,
  );
}

/** The discoverer of each target kind; the Kubernetes target replaces its entry. */
export const discoverers: Record<TargetKind, Discoverer> = {
  docker: discoverContainers,
  kubernetes: notAvailable,
};

export function discoverTargets(inputs: Inputs): Promise<Discovery> {
  return discoverers[inputs.target](inputs);
}
