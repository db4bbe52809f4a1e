// The API server connection of one run, and how its failures read.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './kube-config.js';
import { KubernetesError, apiFailure, describeApiFailure } from './kube-errors.js';

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
