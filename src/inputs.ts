import * as core from '@actions/core';
import { isAbsolute, resolve } from 'node:path';
import type { FlushMethod } from './outcome.js';

export type TargetKind = 'docker' | 'kubernetes';
export type ReportFormat = 'lcov' | 'xml' | 'json' | 'html';
export type IfNoTargets = 'error' | 'warn' | 'ignore';

/** One `path-map` entry: a path prefix inside the targets and where it lives on the runner. */
export interface PathMapping {
  readonly remote: string;
  /** Absolute path on the runner (resolved against the workspace). */
  readonly local: string;
}

/** Every action input, parsed and validated once. */
export interface Inputs {
  readonly target: TargetKind;
  readonly selector: string;
  readonly namespace: string;
  readonly container: string;
  readonly kubeconfig: string;
  readonly dockerCommand: string;
  readonly dataDir: string;
  readonly methods: readonly FlushMethod[];
  readonly signal: string;
  readonly agentPort: number;
  readonly flushTimeoutMs: number;
  readonly gracefulTimeoutMs: number;
  readonly pathMap: readonly PathMapping[];
  readonly formats: readonly ReportFormat[];
  readonly coverageImage: string;
  readonly coverageVersion: string;
  /** Absolute path of the output directory. */
  readonly outputDir: string;
  readonly workspace: string;
  readonly artifactName: string;
  readonly upload: boolean;
  readonly summary: boolean;
  readonly failUnder: number | undefined;
  readonly ifNoTargets: IfNoTargets;
}

/** Reads one input; tests and callers outside a runner pass their own reader. */
export type InputReader = (name: string) => string;

const defaultReader: InputReader = (name) => core.getInput(name);

export class InputError extends Error {
  constructor(input: string, problem: string, fix: string) {
    super(`input \`${input}\` ${problem}; ${fix}`);
    this.name = 'InputError';
  }
}

/** Splits on commas and newlines, trims, drops empty items. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function parseChoice<T extends string>(
  input: string,
  value: string,
  choices: readonly T[],
): T {
  const found = choices.find((choice) => choice === value.trim().toLowerCase());
  if (found === undefined) {
    throw new InputError(
      input,
      `is \`${value}\``,
      `use one of ${choices.map((c) => `\`${c}\``).join(', ')}`,
    );
  }
  return found;
}

export function parseChoiceList<T extends string>(
  input: string,
  value: string,
  choices: readonly T[],
): T[] {
  const items = splitList(value).map((item) => parseChoice(input, item, choices));
  if (items.length === 0) {
    throw new InputError(
      input,
      'is empty',
      `give at least one of ${choices.map((c) => `\`${c}\``).join(', ')}`,
    );
  }
  return [...new Set(items)];
}

export function parseBoolean(input: string, value: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true') return true;
  if (normalized === 'false') return false;
  throw new InputError(input, `is \`${value}\``, 'use `true` or `false`');
}

export function parseSeconds(input: string, value: string): number {
  const seconds = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InputError(input, `is \`${value}\``, 'give a number of seconds greater than 0');
  }
  return Math.round(seconds * 1000);
}

export function parsePort(input: string, value: string): number {
  const port = Number(value.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(input, `is \`${value}\``, 'give a TCP port between 1 and 65535');
  }
  return port;
}

export function parsePercent(input: string, value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const percent = Number(value.trim().replace(/%$/, ''));
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give a percentage between 0 and 100, or leave it empty',
    );
  }
  return percent;
}

/** Signal names as Python's `signal` module spells them: `SIGUSR1`, also accepting `USR1`. */
export function parseSignal(input: string, value: string): string {
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!/^SIG[A-Z0-9]+$/.test(name) || name === 'SIGKILL' || name === 'SIGSTOP') {
    throw new InputError(input, `is \`${value}\``, 'give a signal name such as `SIGUSR1`');
  }
  return name;
}

/** `container-prefix=workspace-path` items; workspace paths resolve against the workspace. */
export function parsePathMap(input: string, value: string, workspace: string): PathMapping[] {
  return splitList(value).map((item) => {
    const at = item.indexOf('=');
    const remote = at < 0 ? '' : item.slice(0, at).trim();
    const local = at < 0 ? '' : item.slice(at + 1).trim();
    if (remote === '' || local === '' || !remote.startsWith('/')) {
      throw new InputError(
        input,
        `has \`${item}\``,
        'write each entry as `/absolute/container/prefix=workspace/path`, e.g. `/app=.`',
      );
    }
    return { remote: trimSlash(remote), local: resolve(workspace, local) };
  });
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** A container CLI is run by argv, so only a plain program name or path makes sense here. */
function parseCommand(input: string, value: string): string {
  const command = value.trim();
  if (command === '' || /\s/.test(command)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give one program name, e.g. `docker` or `podman`',
    );
  }
  return command;
}

function parseDataDir(input: string, value: string): string {
  const dir = value.trim();
  if (!dir.startsWith('/')) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give an absolute path inside the targets, e.g. `/coverdata`',
    );
  }
  return trimSlash(dir);
}

function parseVersion(input: string, value: string): string {
  const version = value.trim();
  if (version !== '' && !/^\d+(\.\d+){1,2}([a-z]+\d*)?$/.test(version)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give a coverage.py version such as `7.6.1`, or leave it empty',
    );
  }
  return version;
}

function required(input: string, value: string, example: string): string {
  if (value.trim() === '') throw new InputError(input, 'is empty', `set it, e.g. \`${example}\``);
  return value.trim();
}

/** Builds the one typed Inputs object from the step's inputs and the runner environment. */
export function getInputs(read: InputReader = defaultReader, env = process.env): Inputs {
  const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const outputDirInput = read('output-dir').trim() || 'coverage-harvest';
  const outputDir = isAbsolute(outputDirInput)
    ? outputDirInput
    : resolve(workspace, outputDirInput);
  const artifactName = read('artifact-name').trim() || 'python-coverage';
  return {
    target: parseChoice('target', required('target', read('target'), 'docker'), [
      'docker',
      'kubernetes',
    ] as const),
    selector: required('selector', read('selector'), 'app=api'),
    namespace: read('namespace').trim() || 'default',
    container: read('container').trim(),
    kubeconfig: read('kubeconfig').trim(),
    dockerCommand: parseCommand('docker-command', read('docker-command') || 'docker'),
    dataDir: parseDataDir('data-dir', read('data-dir') || '/coverdata'),
    methods: parseChoiceList('methods', read('methods') || 'http,signal,sigterm', [
      'http',
      'signal',
      'sigterm',
    ] as const),
    signal: parseSignal('signal', read('signal') || 'SIGUSR1'),
    agentPort: parsePort('agent-port', read('agent-port') || '9797'),
    flushTimeoutMs: parseSeconds('flush-timeout', read('flush-timeout') || '10'),
    gracefulTimeoutMs: parseSeconds('graceful-timeout', read('graceful-timeout') || '30'),
    pathMap: parsePathMap('path-map', read('path-map'), workspace),
    formats: parseChoiceList('formats', read('formats') || 'lcov,xml,json', [
      'lcov',
      'xml',
      'json',
      'html',
    ] as const),
    coverageImage: read('coverage-image').trim(),
    coverageVersion: parseVersion('coverage-version', read('coverage-version')),
    outputDir,
    workspace,
    artifactName,
    upload: parseBoolean('upload', read('upload') || 'true'),
    summary: parseBoolean('summary', read('summary') || 'true'),
    failUnder: parsePercent('fail-under', read('fail-under')),
    ifNoTargets: parseChoice('if-no-targets', read('if-no-targets') || 'error', [
      'error',
      'warn',
      'ignore',
    ] as const),
  };
}
