export declare const ENV_URL = 'PYCOV_HARVEST_SERVE_URL';
export declare const ENV_CLI = 'PYCOV_HARVEST_CLI';
export declare const ENV_ARGS = 'PYCOV_HARVEST_SERVE_ARGS';
export declare const DEFAULT_SWITCH_TIMEOUT_MS: number;
export declare const DEFAULT_START_TIMEOUT_MS: number;

/** One target's part of a switch, as serve reports it. */
export interface TargetOutcome {
  readonly label: string;
  readonly ok: boolean;
  readonly processes: number;
  readonly ms: number;
  readonly detail: string;
}

export interface ClientOptions {
  /** Bounds one switch (default 60 s). */
  readonly switchTimeoutMs?: number;
}

export interface StartOptions extends ClientOptions {
  /** pycov-harvest's dist/cli.js (default: $PYCOV_HARVEST_CLI). */
  readonly cli?: string;
  /** serve's target options, e.g. ['--target', 'docker', '--selector', 'app=api']; not --port. */
  readonly args?: readonly string[];
  /** Node.js 20 or later (default: this process's). */
  readonly node?: string;
  /** Added to the environment of serve (e.g. DOCKER_HOST). */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives serve's lines; errors quote the last ones either way. */
  readonly output?: (line: string) => void;
  /** Bounds the start (default 60 s). */
  readonly startTimeoutMs?: number;
}

/** A switch that was not confirmed by every target. */
export declare class SwitchError extends Error {
  readonly context: string;
  readonly reason: string;
  readonly status: number;
  readonly targets: readonly TargetOutcome[];
}

/** serve could not be started or did not become ready. */
export declare class StartError extends Error {}

export declare function nameProblem(name: string): string | undefined;

export declare class Client {
  constructor(url: string, options?: ClientOptions);
  readonly url: string;
  /** Switches every process of every target to `name` ('' for none), confirmed by each. */
  switch(name: string): Promise<TargetOutcome[]>;
  clear(): Promise<TargetOutcome[]>;
  /** Stops the serve this client started. */
  close(): Promise<void>;
}

export declare function start(options: StartOptions): Promise<Client>;
export declare function fromEnv(options?: StartOptions): Promise<Client | undefined>;
