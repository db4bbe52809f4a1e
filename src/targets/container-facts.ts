// What `docker inspect` (or podman's) says about a container that the harvest uses: its id, name
// and state, and where its agent listens when that is on the container's network, so that the
// runner can flush and read it without an exec. Only PYCOV_HARVEST_* variables are kept from the
// container's environment.

/** The agent's listener on the container network, as the container's environment declares it. */
export interface NetworkListener {
  readonly address: string;
  readonly port: number;
  readonly token: string;
}

export interface ContainerFacts {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  /** An `attach` injector container (it carries the service image's labels: never a target). */
  readonly injector: boolean;
  /** Absent when the agent listens on loopback only (its default) or its listener is off. */
  readonly listener?: NetworkListener;
}

/** The label every `attach` injector container carries (docker.ts). */
export const INJECTOR_LABEL = 'pycov-harvest.injector';

/** The agent's port when PYCOV_HARVEST_PORT is unset (agent/pycov_harvest/settings.py). */
export const AGENT_DEFAULT_PORT = 9797;

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The containers of an inspect answer (a JSON array), in the order given; [] when unreadable. */
export function parseInspect(stdout: string): ContainerFacts[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry) => {
    const container = record(entry);
    const id = text(container.Id);
    if (id === '') return [];
    const listener = listenerOf(container);
    return [
      {
        id,
        name: text(container.Name).replace(/^\//, '') || id.slice(0, 12),
        running: record(container.State).Running === true,
        injector: INJECTOR_LABEL in record(record(container.Config).Labels),
        ...(listener === undefined ? {} : { listener }),
      },
    ];
  });
}

/** PYCOV_HARVEST_* of the container's environment; the last definition wins, as in the process. */
export function agentEnvironment(container: Json): Map<string, string> {
  const found = new Map<string, string>();
  const env = record(container.Config).Env;
  for (const item of Array.isArray(env) ? env : []) {
    const line = text(item);
    const at = line.indexOf('=');
    if (at > 0 && line.startsWith('PYCOV_HARVEST_'))
      found.set(line.slice(0, at), line.slice(at + 1));
  }
  return found;
}

/** The addresses the container has on its networks, IPv4 first. */
export function addressesOf(container: Json): string[] {
  const settings = record(container.NetworkSettings);
  const networks = Object.values(record(settings.Networks)).map(record);
  const v4 = [settings, ...networks].map((n) => text(n.IPAddress)).filter((a) => a !== '');
  const v6 = [settings, ...networks].map((n) => text(n.GlobalIPv6Address)).filter((a) => a !== '');
  return [...new Set([...v4, ...v6])];
}

/**
 * Where the runner reaches the agent, when the environment binds it to a non-loopback address with
 * a token (the agent refuses a non-loopback listener without one) and the container has an address
 * that matches: any of its addresses for a wildcard, that address for a specific one.
 */
export function listenerOf(container: Json): NetworkListener | undefined {
  const env = agentEnvironment(container);
  const host = (env.get('PYCOV_HARVEST_HOST') ?? '').trim();
  const token = env.get('PYCOV_HARVEST_TOKEN') ?? '';
  const port = portOf(env.get('PYCOV_HARVEST_PORT'));
  if (host === '' || isLoopback(host) || token === '' || port === undefined) return undefined;
  const addresses = addressesOf(container);
  const address =
    host === '0.0.0.0'
      ? addresses.find((a) => !a.includes(':'))
      : host === '::'
        ? addresses[0]
        : addresses.find((a) => a === host);
  return address === undefined ? undefined : { address, port, token };
}

function portOf(value: string | undefined): number | undefined {
  const raw = (value ?? '').trim();
  if (raw === '') return AGENT_DEFAULT_PORT;
  if (!/^\d+$/.test(raw)) return undefined; // `off`, or a value the agent refuses
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
