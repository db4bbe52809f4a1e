// Real podman containers for the e2e tests: started with unique names and labels, published on
// 127.0.0.1 only, removed afterwards.
import { execFile } from 'node:child_process';
import { createServer, request } from 'node:http';
import { promisify } from 'node:util';
import { images } from './images.js';

const execFileAsync = promisify(execFile);

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('podman', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Fails loudly (never skips) when podman cannot run containers here. */
export async function requirePodman(): Promise<void> {
  try {
    await podman('info', '--format', '{{.Host.OCIRuntime.Name}}');
  } catch (error) {
    throw new Error(
      `podman cannot run here (${String(error)}); run test/images/setup-podman.sh as root`,
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface ServiceContainer {
  readonly id: string;
  readonly name: string;
  readonly port: number;
}

let counter = 0;

export async function startService(options: {
  mode: 'agent' | 'save-signal' | 'sigterm' | 'none';
  labels: Record<string, string>;
  env?: Record<string, string>;
  image?: string;
  /** Replaces the image's entrypoint: [program, ...arguments], run in /app. */
  command?: string[];
  /** `--rm`: the container disappears once it stops. */
  removeOnStop?: boolean;
  /** The port the service listens on inside the container (default: the image's). */
  containerPort?: number;
  /** `--user`: run as this user instead of the image's. */
  user?: string;
}): Promise<ServiceContainer> {
  const port = await freePort();
  const name = `pycov-e2e-${process.pid}-${++counter}-${options.mode}`;
  const labelArgs = Object.entries(options.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const envArgs = Object.entries({ COVERAGE_MODE: options.mode, ...options.env }).flatMap(
    ([k, v]) => ['-e', `${k}=${v}`],
  );
  const id = await podman(
    'run',
    '-d',
    ...(options.removeOnStop ? ['--rm'] : []),
    '--name',
    name,
    ...labelArgs,
    ...envArgs,
    ...(options.user === undefined ? [] : ['--user', options.user]),
    '-p',
    `127.0.0.1:${port}:${options.containerPort ?? images.servicePort}`,
    ...(options.command ? ['-w', '/app', '--entrypoint', options.command[0] ?? 'python'] : []),
    options.image ?? images.service,
    ...(options.command?.slice(1) ?? []),
  );
  const service = { id, name, port };
  await waitHealthy(service);
  return service;
}

/** A container of any image running `command` (e.g. one without Python). */
export async function startPlain(
  image: string,
  command: string[],
  labels: Record<string, string>,
): Promise<ServiceContainer> {
  const name = `pycov-e2e-${process.pid}-${++counter}-plain`;
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const id = await podman('run', '-d', '--name', name, ...labelArgs, image, ...command);
  return { id, name, port: 0 };
}

/** Removes each container on its own: one already gone (`--rm`) must not keep the others. */
export async function removeContainers(containers: readonly ServiceContainer[]): Promise<void> {
  await Promise.all(
    containers.map((c) => podman('rm', '-f', '--ignore', '-t', '0', c.id).catch(() => undefined)),
  );
}

export function httpGet(
  port: number,
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

async function waitHealthy(service: ServiceContainer): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await httpGet(service.port, '/health');
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const logs = await podman('logs', service.id).catch(() => '');
  throw new Error(`service ${service.name} not healthy within 60 s (${last}); logs:\n${logs}`);
}

/** An open SSE stream (the first users' hanging connection); close() ends it. */
export function openStream(port: number): Promise<{ ticks: () => number; close: () => void }> {
  return new Promise((resolveStream, reject) => {
    let ticks = 0;
    const req = request({ host: '127.0.0.1', port, path: '/stream' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        ticks += chunk.split('data: tick').length - 1;
      });
      res.on('error', () => undefined);
      resolveStream({ ticks: () => ticks, close: () => req.destroy() });
    });
    req.on('error', (error) => {
      if (ticks === 0) reject(error);
    });
    req.end();
  });
}
