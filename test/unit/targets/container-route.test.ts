// The route to a container agent on its network, against real sockets on loopback: an address
// that accepts, one that refuses, and one that never completes the handshake (a listener whose
// accept queue is full drops new SYNs, as an unreachable network does).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerCli } from '../../../src/targets/container-cli.js';
import { DockerTarget, REACH_TIMEOUT_MS } from '../../../src/targets/docker.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function targetAt(port: number): DockerTarget {
  return new DockerTarget(new ContainerCli('docker'), 'c1', 'container api', true, {
    address: '127.0.0.1',
    port,
    token: 'tok',
  });
}

async function listening(): Promise<number> {
  const server: Server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A port whose accept queue is full: `listen(0)` in Python, never accepting, filled up. */
async function neverAccepting(): Promise<number> {
  const child: ChildProcess = spawn('python3', [
    '-c',
    'import socket, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)',
  ]);
  cleanups.push(() => child.kill());
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('error', reject);
  });
  const fillers: Socket[] = [1, 2, 3].map(() =>
    connect(port, '127.0.0.1').on('error', () => undefined),
  );
  cleanups.push(() => fillers.forEach((s) => s.destroy()));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return port;
}

describe('DockerTarget.routeToAgent (agent on the container network)', () => {
  it('only exists for a container with a network listener', () => {
    expect(
      new DockerTarget(new ContainerCli('docker'), 'c1', 'x', true).routeToAgent,
    ).toBeUndefined();
    expect(targetAt(1).routeToAgent).toBeTypeOf('function');
  });

  it('an address that accepts: the route, with the token from the environment', async () => {
    const port = await listening();
    const route = await targetAt(port).routeToAgent?.(9797);
    expect(route).toMatchObject({
      origin: `http://127.0.0.1:${port}`,
      via: `the container network (127.0.0.1:${port})`,
      token: 'tok',
    });
  });

  it('an address that refuses: one sentence with the reason', async () => {
    const port = await listening();
    cleanups.splice(0).forEach((cleanup) => cleanup()); // closed again: nothing listens there now
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(targetAt(port).routeToAgent?.(9797)).rejects.toThrow(
      new RegExp(
        `^the agent's address on the container network, 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`,
      ),
    );
  });

  it('an address that never answers: given up after the bound, naming the fix', async () => {
    const port = await neverAccepting();
    await expect(targetAt(port).routeToAgent?.(9797)).rejects.toThrow(
      `the agent's address on the container network, 127.0.0.1:${port}, did not accept a connection within ${REACH_TIMEOUT_MS} ms: the runner cannot reach that network (rootless podman?); leave PYCOV_HARVEST_HOST unset there to skip this wait`,
    );
  });
});
