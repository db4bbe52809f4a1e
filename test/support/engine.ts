// The container engines the e2e tests run against: rootful podman, and Debian's Docker engine on
// a private socket (test/images/setup-docker.sh). The same cases run on each; containers get
// unique names and labels, publish on 127.0.0.1 only, and are removed afterwards.
import { execFile, execFileSync } from 'node:child_process';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { images, imagesDir } from './images.js';

const execFileAsync = promisify(execFile);

export type EngineName = 'podman' | 'docker';

/** The private Docker engine's socket (see test/images/setup-docker.sh). */
export const dockerHost = 'unix:///run/pycov-harvest-docker.sock';

export interface ServiceContainer {
  readonly id: string;
  readonly name: string;
  readonly port: number;
}

export interface ServiceOptions {
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
  /** More `run` options before the image (e.g. `--security-opt`). */
  runArgs?: string[];
}

let counter = 0;

export class Engine {
  /** The CLI, as the action gets it in `docker-command`. */
  readonly command: string;
  /** What the CLI and the action under test need in their environment (DOCKER_HOST). */
  readonly env: Record<string, string>;

  constructor(readonly name: EngineName) {
    this.command = name;
    this.env = name === 'docker' ? { DOCKER_HOST: dockerHost } : {};
  }

  /** process.env with this engine's variables, for child processes that run the CLI. */
  get processEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.env };
  }

  /** The action's inputs that point it at this engine. */
  get inputs(): Record<string, string> {
    return { 'docker-command': this.command };
  }

  toString(): string {
    return this.name;
  }

  /** Runs the CLI; resolves to its trimmed stdout, rejects on a non-zero exit. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(this.command, args, {
      maxBuffer: 64 * 1024 * 1024,
      env: this.processEnv,
    });
    return stdout.trim();
  }

  /** A container's log, stdout and stderr both. */
  async logs(id: string): Promise<string> {
    const { stdout, stderr } = await execFileAsync(this.command, ['logs', id], {
      maxBuffer: 64 * 1024 * 1024,
      env: this.processEnv,
    });
    return stdout + stderr;
  }

  /** Fails loudly (never skips) when the engine cannot run containers here. */
  async require(): Promise<void> {
    try {
      await this.cli('version');
    } catch (error) {
      const setup = this.name === 'docker' ? 'setup-docker.sh' : 'setup-podman.sh';
      throw new Error(
        `${this.name} cannot run here (${String(error)}); run test/images/${setup} as root`,
      );
    }
  }

  async startService(options: ServiceOptions): Promise<ServiceContainer> {
    const port = await freePort();
    const name = `pycov-e2e-${process.pid}-${++counter}-${options.mode}`;
    const labelArgs = Object.entries(options.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const envArgs = Object.entries({ COVERAGE_MODE: options.mode, ...options.env }).flatMap(
      ([k, v]) => ['-e', `${k}=${v}`],
    );
    const id = await this.cli(
      'run',
      '-d',
      ...(options.removeOnStop ? ['--rm'] : []),
      '--name',
      name,
      ...labelArgs,
      ...envArgs,
      ...(options.user === undefined ? [] : ['--user', options.user]),
      ...(options.runArgs ?? []),
      '-p',
      `127.0.0.1:${port}:${options.containerPort ?? images.servicePort}`,
      ...(options.command ? ['-w', '/app', '--entrypoint', options.command[0] ?? 'python'] : []),
      options.image ?? images.service,
      ...(options.command?.slice(1) ?? []),
    );
    const service = { id, name, port };
    await this.waitHealthy(service);
    return service;
  }

  /** A container of any image running `command` (e.g. one without Python). */
  async startPlain(
    image: string,
    command: string[],
    labels: Record<string, string>,
  ): Promise<ServiceContainer> {
    const name = `pycov-e2e-${process.pid}-${++counter}-plain`;
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const id = await this.cli('run', '-d', '--name', name, ...labelArgs, image, ...command);
    return { id, name, port: 0 };
  }

  /** Removes each container on its own: one already gone (`--rm`) must not keep the others. */
  async removeContainers(containers: readonly ServiceContainer[]): Promise<void> {
    await Promise.all(
      containers.map((c) =>
        (this.name === 'podman'
          ? this.cli('rm', '-f', '--ignore', '-t', '0', c.id)
          : this.cli('rm', '-f', c.id)
        ).catch(() => undefined),
      ),
    );
  }

  private async waitHealthy(service: ServiceContainer): Promise<void> {
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
    const logs = await this.cli('logs', service.id).catch(() => '');
    throw new Error(
      `${this.name} service ${service.name} not healthy within 60 s (${last}); logs:\n${logs}`,
    );
  }
}

/**
 * The engines to test, from PYCOV_HARVEST_ENGINES (comma-separated; default both). Every
 * container e2e file runs its cases once per engine.
 */
export const engines: Engine[] = (process.env.PYCOV_HARVEST_ENGINES ?? 'podman,docker')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '')
  .map((name) => {
    if (name !== 'podman' && name !== 'docker')
      throw new Error(`PYCOV_HARVEST_ENGINES has \`${name}\`; use podman, docker or both`);
    return new Engine(name);
  });

/**
 * The local images the e2e tests run (the Docker engine gets copies of podman's): every
 * `localhost/` name in `images`, nested ones included (an image per Python, say).
 */
export function testImages(): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('localhost/')) found.add(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(images);
  return [...found];
}

/** Starts the private Docker engine and copies the test images into it (both idempotent). */
export function setupDocker(): void {
  execFileSync('bash', [join(imagesDir, 'setup-docker.sh'), '--load', ...testImages()], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 1_800_000,
  });
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
