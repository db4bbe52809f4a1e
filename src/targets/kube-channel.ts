// Kubernetes channel-protocol WebSockets (exec and port-forward) on top of client-node's
// WebSocketHandler, which negotiates `v5.channel.k8s.io` first and falls back to v4 and older.
import type { KubeConfig } from '@kubernetes/client-node';
// Not re-exported by the package index; the package has no `exports` map, so the file is public.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import { PassThrough } from 'node:stream';

/** The part of the `ws` WebSocket this code uses (client-node's own types leave it untyped). */
export interface ChannelSocket {
  readonly protocol: string;
  readonly readyState: number;
  send(data: Buffer): void;
  close(): void;
  terminate(): void;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
/** v5 only: `[255, channel]` closes one channel, e.g. stdin, while the others stay open. */
export const CLOSE = 255;
export const V5 = 'v5.channel.k8s.io';

/** The upgrade was refused; `code` is the HTTP status when the server answered one. */
export class UpgradeError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeError';
  }
}

/** `ws` reports a refused upgrade as "Unexpected server response: 403" (an Error or an ErrorEvent). */
export function upgradeStatus(error: unknown): number | undefined {
  const match = /Unexpected server response: (\d{3})/.exec(errorText(error));
  return match ? Number(match[1]) : undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String(error.message);
  return String(error);
}

/** Opens a channel WebSocket to `path`; `onFrame` gets each binary frame as (channel, payload). */
export async function openChannel(
  config: KubeConfig,
  path: string,
  onFrame: (channel: number, payload: Buffer) => void,
): Promise<ChannelSocket> {
  // client-node ends these on a server-side CLOSE frame; they must not be process.stdout/stderr.
  const streams = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
  };
  const handler = new WebSocketHandler(config, undefined, streams);
  try {
    const socket = (await handler.connect(path, null, (channel: number, payload: Buffer) => {
      onFrame(channel, payload);
      return true;
    })) as unknown as ChannelSocket;
    return socket;
  } catch (error) {
    throw new UpgradeError(upgradeStatus(error), errorText(error));
  }
}

/** One frame: the channel byte, then the payload. */
export function frame(channel: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 1);
  out.writeUInt8(channel, 0);
  payload.copy(out, 1);
  return out;
}
