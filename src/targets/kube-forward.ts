// A runner-loopback TCP listener whose connections each open one port-forward WebSocket to a
// pod port. Channel 0 carries data, channel 1 errors; each starts with the port (2 bytes, LE).
import type { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Socket } from 'node:net';
import { frame, openChannel, type ChannelSocket } from './kube-channel.js';

const DATA = 0;
const ERROR = 1;

export function portForwardPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
}

/** Strips the 2-byte port prefix from the first frame of each channel. */
export class PortPrefixStripper {
  private readonly seen = new Set<number>();

  strip(channel: number, payload: Buffer): Buffer {
    if (this.seen.has(channel)) return payload;
    this.seen.add(channel);
    return payload.subarray(2);
  }
}

/** A runner loopback port that reaches a pod's port. */
export interface LocalForward {
  readonly localPort: number;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<ephemeral> to `remotePort` of the pod; `onError` gets error-channel text. */
export async function forwardPort(
  config: KubeConfig,
  namespace: string,
  pod: string,
  remotePort: number,
  onError: (message: string) => void,
): Promise<LocalForward> {
  const open: OpenConnections = { sockets: new Set(), channels: new Set() };
  const path = portForwardPath(namespace, pod, remotePort);
  const server = createServer((socket) => void pipe(config, path, socket, open, onError));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('port-forward listener has no TCP port');
  return {
    localPort: address.port,
    close: async () => {
      for (const channel of open.channels) channel.close();
      for (const socket of open.sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface OpenConnections {
  readonly sockets: Set<Socket>;
  readonly channels: Set<ChannelSocket>;
}

/** One local connection, carried over its own port-forward channel to the pod. */
async function pipe(
  config: KubeConfig,
  path: string,
  socket: Socket,
  open: OpenConnections,
  onError: (message: string) => void,
): Promise<void> {
  open.sockets.add(socket);
  socket.on('close', () => open.sockets.delete(socket));
  socket.pause();
  const prefix = new PortPrefixStripper();
  let channel: ChannelSocket;
  try {
    channel = await openChannel(config, path, (number, payload) => {
      const data = prefix.strip(number, payload);
      if (data.length === 0) return;
      if (number === DATA) socket.write(data);
      else if (number === ERROR) {
        onError(data.toString('utf8').trim());
        socket.destroy();
      }
    });
  } catch (error) {
    onError(error instanceof Error ? error.message : String(error));
    socket.destroy();
    return;
  }
  open.channels.add(channel);
  channel.on('error', () => socket.destroy());
  channel.on('close', () => {
    open.channels.delete(channel);
    socket.end();
  });
  socket.on('data', (chunk: Buffer) => channel.send(frame(DATA, chunk)));
  socket.on('end', () => channel.close());
  socket.on('error', () => channel.close());
  socket.resume();
}
