// Where the Kubernetes credentials come from: the `kubeconfig` input, KUBECONFIG, the default
// file, or the pod's service account (in-cluster), in that order.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeConfig {
  readonly config: KubeConfig;
  /** Where it came from, for messages: a file path, `KUBECONFIG=...` or `in-cluster service account`. */
  readonly source: string;
}

export interface KubeConfigEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly exists: (path: string) => boolean;
}

const defaultEnvironment: KubeConfigEnvironment = {
  env: process.env,
  home: homedir(),
  exists: existsSync,
};

export type KubeConfigPlan =
  | { readonly kind: 'file'; readonly path: string; readonly source: string }
  | { readonly kind: 'in-cluster'; readonly source: string };

/** Decides which kubeconfig to load without touching the API server. */
export function planKubeConfig(
  input: string,
  environment: KubeConfigEnvironment = defaultEnvironment,
): KubeConfigPlan {
  const { env, home, exists } = environment;
  if (input !== '') {
    if (!exists(input)) {
      throw new Error(`kubeconfig file ${input} does not exist; check \`kubeconfig\``);
    }
    return { kind: 'file', path: input, source: input };
  }
  const fromEnv = (env.KUBECONFIG ?? '')
    .split(delimiter)
    .map((path) => path.trim())
    .filter((path) => path !== '');
  if (fromEnv.length > 0) {
    const found = fromEnv.find((path) => exists(path));
    if (found === undefined) {
      throw new Error(
        `no file named by KUBECONFIG (${fromEnv.join(delimiter)}) exists; set \`kubeconfig\` or fix KUBECONFIG`,
      );
    }
    return { kind: 'file', path: found, source: `${found} (from KUBECONFIG)` };
  }
  const defaultFile = join(home, '.kube', 'config');
  if (exists(defaultFile)) return { kind: 'file', path: defaultFile, source: defaultFile };
  if (env.KUBERNETES_SERVICE_HOST !== undefined && exists(SERVICE_ACCOUNT_TOKEN)) {
    return { kind: 'in-cluster', source: 'the in-cluster service account' };
  }
  throw new Error(
    `no kubeconfig found: \`kubeconfig\` is empty, KUBECONFIG is unset, ${defaultFile} does not exist and this is not a pod; set \`kubeconfig\` to the cluster's kubeconfig file`,
  );
}

export function loadKubeConfig(
  input: string,
  environment: KubeConfigEnvironment = defaultEnvironment,
): LoadedKubeConfig {
  const plan = planKubeConfig(input, environment);
  const config = new KubeConfig();
  try {
    if (plan.kind === 'file') config.loadFromFile(plan.path);
    else config.loadFromCluster();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`cannot read kubeconfig ${plan.source}: ${reason}; check \`kubeconfig\``, {
      cause: error,
    });
  }
  if (config.getCurrentCluster() === null) {
    const context = config.getCurrentContext();
    throw new Error(
      `kubeconfig ${plan.source} has no cluster for its current context${context ? ` \`${context}\`` : ''}; check \`kubeconfig\` (current-context and clusters)`,
    );
  }
  return { config, source: plan.source };
}
