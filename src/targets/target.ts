/** What the harvest needs from a place where a service runs (a container, a pod's container). */

import type { ExecOptions, ExecResult } from '../shared/process.js';
import type { ExecStream } from './exec-stream.js';

export type { ExecOptions, ExecResult };

/** Where the runner reaches the agent's listener of one target, without an exec. */
export interface AgentRoute {
  /** `http://host:port`: a runner loopback port of a port-forward, or the container's own address. */
  readonly origin: string;
  /** How, for the log and the summary: `a port-forward`, `the container network (10.88.0.5:9797)`. */
  readonly via: string;
  /** The listener's token, where the target kind knows it without asking inside the target. */
  readonly token?: string;
  close(): Promise<void>;
}

export interface Target {
  readonly kind: 'docker' | 'kubernetes';
  /** Stable identifier, e.g. the container id or `namespace/pod/container`. */
  readonly id: string;
  /** Human-readable name for logs and the summary, e.g. `pod e2e/api-7d9f (container api)`. */
  readonly label: string;
  /** Runs argv inside the target, never through a shell. Rejects only when the command could not be started. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * A command kept running inside the target, fed over its stdin: `serve`'s relay, where the
   * target kind can keep a session open.
   */
  openStream?(argv: readonly string[]): Promise<ExecStream>;
  /** Whether commands can run inside the target now; asked once per harvest. */
  isRunning(): Promise<boolean>;
  /**
   * A route from the runner to the agent's listener on `port`, where the target has one: a
   * port-forward for pods; a container's own address when its agent listens on its network.
   */
  routeToAgent?(port: number): Promise<AgentRoute>;
  /**
   * A directory of the target as a tar stream handed to `onChunk` as it arrives, read from
   * outside it (`docker cp <id>:<dir>/. -`), so it works whether or not the target still runs,
   * where the target kind can. `maxBytes` bounds the whole stream, headers included.
   */
  copyFromOutside?(path: string, maxBytes: number, onChunk: (chunk: Buffer) => void): Promise<void>;
  /**
   * Waits until a target that stopped runs again (Kubernetes restarts a container, and its
   * `emptyDir` survives), where the target kind restarts by itself.
   */
  waitForRestart?(): Promise<void>;
  /**
   * Runs argv in a short-lived injector container beside the target, where the target kind has
   * one (the `attach` method's second route): the target's own image (pinned by the id or digest
   * the engine reports) or `options.image`, sharing the target's process and network namespaces,
   * as root with CAP_SYS_PTRACE; removed when it ends. `argv[0]` is the program to run. Rejects
   * with StdinUnsupportedError when it cannot carry standard input.
   */
  runBeside?(argv: readonly string[], options: BesideOptions): Promise<ExecResult>;
}

export interface BesideOptions extends ExecOptions {
  /** The injector container's image instead of the target's own (`attach-image`). */
  readonly image?: string;
}

/** The target disappeared (a container removed once it stopped): retrying another way is futile. */
export class TargetGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetGoneError';
  }
}

/** The transport cannot carry standard input (a Kubernetes API server speaking only v4). */
export class StdinUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StdinUnsupportedError';
  }
}

/** The targets one discovery found, and what it searched (for the "nothing found" message). */
export interface Discovery {
  readonly targets: readonly Target[];
  /** What was searched, for the "nothing found" message, e.g. `containers with label app=api`. */
  readonly searched: string;
  /** How to fix an empty result, e.g. "check `selector`". */
  readonly hint: string;
}
