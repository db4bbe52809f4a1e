/** What the harvest needs from a place where a service runs (a container, a pod's container). */

import type { ExecOptions, ExecResult } from '../process.js';

export type { ExecOptions, ExecResult };

export type TargetKind = 'docker' | 'kubernetes';

/** Which targets to find: the part of the inputs that discovery reads. */
export interface TargetSelection {
  readonly target: TargetKind;
  readonly selector: string;
  readonly namespace: string;
  readonly container: string;
  readonly kubeconfig: string;
  readonly dockerCommand: string;
}

export interface PortForward {
  /** A port on the runner's loopback that reaches the target's port. */
  readonly localPort: number;
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
  /** Whether commands can run inside the target now; asked once per harvest. */
  isRunning(): Promise<boolean>;
  /** Forwards a runner loopback port to the target's port, where the target kind can (Kubernetes). */
  forward?(remotePort: number): Promise<PortForward>;
  /**
   * A directory of the target as a tar stream handed to `onChunk` as it arrives, read from
   * outside it (`docker cp <id>:<dir>/. -`), so it works whether or not the target still runs,
   * where the target kind can.
   */
  copyFromOutside?(path: string, maxBytes: number, onChunk: (chunk: Buffer) => void): Promise<void>;
  /**
   * Waits until a target that stopped runs again (Kubernetes restarts a container, and its
   * `emptyDir` survives), where the target kind restarts by itself.
   */
  waitForRestart?(): Promise<void>;
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
