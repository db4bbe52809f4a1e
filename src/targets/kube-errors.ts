// Turns Kubernetes API failures into one sentence that names the cause and the fix.
import {
  ApiException,
  AuthenticationV1Api,
  AuthorizationV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';

/** The doc that holds the minimal Role, named in every RBAC message. */
export const RBAC_DOC = 'docs/kubernetes.md';
export const ROLE_NAME = 'pycov-harvest';

export interface ApiFailure {
  /** HTTP status, when the server answered. */
  readonly code?: number;
  /** The server's own message (a Status `message`) or the network error. */
  readonly message: string;
}

/** What went wrong in a call through the generated client, as code + message. */
export function apiFailure(error: unknown): ApiFailure {
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code;
    return {
      code,
      message: statusMessage((error as ApiException<unknown>).body) ?? `HTTP ${code}`,
    };
  }
  if (error instanceof Error) {
    return { message: networkReason(error) };
  }
  return { message: String(error) };
}

function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return body.trim() === '' ? undefined : body.trim().split('\n')[0];
    }
  }
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const message = (value as { message: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return undefined;
}

/** `request to https://... failed, reason: connect ECONNREFUSED 127.0.0.1:1` → `connect ECONNREFUSED 127.0.0.1:1`. */
export function networkReason(error: Error): string {
  const reason = /reason: (.*)$/s.exec(error.message)?.[1] ?? error.message;
  return reason.split('\n')[0] ?? reason;
}

/** The one sentence for a failed API call; `doing` is e.g. `list pods with label app=api in namespace e2e`. */
export function describeApiFailure(
  failure: ApiFailure,
  doing: string,
  server: string,
  source: string,
): string {
  switch (failure.code) {
    case undefined:
      return `cannot reach the Kubernetes API server at ${server} to ${doing} (${failure.message}); check \`kubeconfig\` (${source}) and that the cluster is up`;
    case 401:
      return `the Kubernetes API server at ${server} rejected the credentials of kubeconfig ${source} (401 Unauthorized); check \`kubeconfig\` (expired token or certificate?)`;
    case 403:
      return `not allowed to ${doing}: ${failure.message}; grant it with the Role \`${ROLE_NAME}\` from ${RBAC_DOC}`;
    default:
      return `cannot ${doing}: the API server answered ${failure.code} (${failure.message})`;
  }
}

export class KubernetesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubernetesError';
  }
}

export interface PodPermission {
  readonly subresource: 'exec' | 'portforward';
  readonly namespace: string;
  readonly pod: string;
}

/** Verbs RBAC checks for a WebSocket upgrade (GET) or a SPDY request (POST) to a pod subresource. */
const SUBRESOURCE_VERBS = ['create', 'get'] as const;

/**
 * Asks the API server (SelfSubjectAccessReview) which verbs on `pods/<subresource>` the caller
 * lacks; undefined when it cannot tell.
 */
export async function missingVerbs(
  config: KubeConfig,
  permission: PodPermission,
): Promise<string[] | undefined> {
  const api = config.makeApiClient(AuthorizationV1Api);
  try {
    const missing: string[] = [];
    for (const verb of SUBRESOURCE_VERBS) {
      const review = await api.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              namespace: permission.namespace,
              verb,
              resource: 'pods',
              subresource: permission.subresource,
              name: permission.pod,
            },
          },
        },
      });
      if (review.status?.allowed !== true) missing.push(verb);
    }
    return missing;
  } catch {
    return undefined;
  }
}

/** The caller's user name as the API server sees it (SelfSubjectReview), or undefined. */
export async function whoAmI(config: KubeConfig): Promise<string | undefined> {
  try {
    const review = await config
      .makeApiClient(AuthenticationV1Api)
      .createSelfSubjectReview({ body: {} });
    return review.status?.userInfo?.username;
  } catch {
    return undefined;
  }
}

export function rbacMessage(
  user: string | undefined,
  verbs: readonly string[],
  permission: PodPermission,
): string {
  const who = user === undefined ? 'the kubeconfig user' : `\`${user}\``;
  return (
    `${who} lacks RBAC permission ${verbs.map((v) => `\`${v}\``).join(' and ')} on \`pods/${permission.subresource}\` ` +
    `in namespace ${permission.namespace}, which pycov-harvest needs to reach pod ${permission.pod}; ` +
    `bind the Role \`${ROLE_NAME}\` from ${RBAC_DOC} to it`
  );
}
