// A command kept running in a pod's container over one exec WebSocket with stdin open: what
// `serve` keeps per pod, so that a switch is one stdin frame and one stdout frame.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ExecStream, StreamEnd } from './exec-stream.js';
import { STREAM_CLOSE_MS } from './exec-stream.js';
import { CLOSE, STATUS, STDERR, STDIN, STDOUT, V5, frame, openChannel } from './kube-channel.js';
import { execPath, parseExecStatus, type ContainerRef } from './kube-exec.js';

const STDERR_LIMIT = 16 * 1024;

/** Opens the session; rejects like an exec does when the API server refuses it. */
export async function openKubeStream(
  config: KubeConfig,
  ref: ContainerRef,
  argv: readonly string[],
): Promise<ExecStream> {
  const listeners: ((chunk: Buffer) => void)[] = [];
  let stderr = '';
  let exitCode = -1;
  const socket = await openChannel(config, execPath(ref, argv, true), (channel, payload) => {
    if (channel === STDOUT) for (const listener of listeners) listener(Buffer.from(payload));
    else if (channel === STDERR) stderr = (stderr + payload.toString('utf8')).slice(-STDERR_LIMIT);
    else if (channel === STATUS) {
      const status = parseExecStatus(payload.toString('utf8'));
      if ('exitCode' in status) exitCode = status.exitCode;
      else stderr = `${stderr}\n${status.error}`.trim();
    }
  });
  const ended = new Promise<StreamEnd>((resolve) => {
    socket.on('error', () => {
      // The close event that follows settles it.
    });
    socket.on('close', () => resolve({ exitCode, stderr }));
  });
  return {
    write: (data) => socket.send(frame(STDIN, Buffer.from(data, 'utf8'))),
    onStdout: (listener) => void listeners.push(listener),
    ended,
    close: async () => {
      // v5 closes stdin alone (the command sees end of file and exits); older protocols cannot,
      // and closing the socket ends the session (the command then reads end of file too).
      if (socket.protocol === V5) socket.send(Buffer.from([CLOSE, STDIN]));
      else socket.close();
      const timer = setTimeout(() => socket.terminate(), STREAM_CLOSE_MS);
      await ended;
      clearTimeout(timer);
    },
  };
}
