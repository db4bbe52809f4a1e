import * as core from '@actions/core';
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { FlushMethod } from './outcome.js';
import type { TargetKind, TargetSelection } from './targets/target.js';

export type { TargetKind };

export type ReportFormat = 'lcov' | 'xml' | 'json' | 'html';
export type IfNoTargets = 'error' | 'warn' | 'ignore';

/** One `path-map` entry: a path prefix inside the targets and where it lives on the runner. */
export interface PathMapping {
  readonly remote: string;
  /** Absolute path on the runner (resolved against the workspace). */
  readonly local: string;
}

/** Every action input, parsed and validated once. */
export interface Inputs extends TargetSelection {
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
  /** On pull requests: fail when fewer of the changed lines ran (percent). */
  readonly failUnderDiff: number | undefined;
  /** Absolute path of the base branch's coverage.json or .coverage (never under output-dir). */
  readonly baseline: string | undefined;
  /** Paths or globs of other coverage data files to combine in (workspace-relative or absolute). */
  readonly extraData: readonly string[];
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

/** A plain decimal number: digits with an optional fraction (no sign, exponent, hex or spaces inside). */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/** The longest wait an input may ask for: beyond it a typo is likelier than a plan. */
export const MAX_SECONDS = 3600;

export function parseSeconds(input: string, value: string): number {
  const text = value.trim();
  const seconds = Number(text);
  if (!DECIMAL.test(text) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new InputError(
      input,
      `is \`${value}\``,
      `give a number of seconds greater than 0 and at most ${MAX_SECONDS}, e.g. \`10\``,
    );
  }
  return Math.round(seconds * 1000);
}

export function parsePort(input: string, value: string): number {
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) {
    throw new InputError(input, `is \`${value}\``, 'give a TCP port between 1 and 65535');
  }
  return port;
}

export function parsePercent(input: string, value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const text = value.trim().replace(/%$/, '');
  const percent = Number(text);
  if (!DECIMAL.test(text) || percent > 100) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give a percentage between 0 and 100, or leave it empty',
    );
  }
  return percent;
}

/** Linux signal names a save signal may have (the standard ones a process can catch). */
const SAVE_SIGNALS = [
  'SIGUSR1',
  'SIGUSR2',
  'SIGHUP',
  'SIGWINCH',
  'SIGURG',
  'SIGPWR',
  'SIGIO',
  'SIGALRM',
  'SIGVTALRM',
  'SIGPROF',
  'SIGTTIN',
  'SIGTTOU',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGPIPE',
] as const;

/** Signals that must never be the save signal, and why. */
const NOT_SAVE_SIGNALS: Record<string, string> = {
  SIGKILL: 'cannot be caught',
  SIGSTOP: 'cannot be caught',
  SIGTERM: 'is the `sigterm` method',
  SIGINT: 'makes servers quit (the `sigterm` method uses it to force a hanging shutdown)',
  SIGQUIT: 'makes servers quit',
  SIGTSTP: 'suspends the process',
  SIGCONT: 'resumes a suspended process',
  SIGCHLD: 'is how the kernel reports child processes',
  SIGABRT: 'aborts the process',
  SIGSEGV: 'reports a crash',
  SIGBUS: 'reports a crash',
  SIGFPE: 'reports a crash',
  SIGILL: 'reports a crash',
  SIGTRAP: 'is for debuggers',
  SIGSYS: 'reports a bad system call',
};

/** A save signal by name (`SIGUSR1`, also `USR1`); numbers differ between platforms, so no numbers. */
export function parseSignal(input: string, value: string): string {
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const why = NOT_SAVE_SIGNALS[name];
  if (why !== undefined) {
    throw new InputError(input, `is \`${value}\`, which ${why}`, 'use `SIGUSR1` or `SIGUSR2`');
  }
  if (!(SAVE_SIGNALS as readonly string[]).includes(name)) {
    throw new InputError(
      input,
      `is \`${value}\`, not a signal name`,
      'give a name such as `SIGUSR1` or `SIGUSR2` (numbers differ between platforms)',
    );
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

/** The flush chain; `sigterm` stops the service, so nothing can come after it. */
function parseMethods(input: string, value: string): FlushMethod[] {
  const methods = parseChoiceList(input, value, ['http', 'signal', 'sigterm'] as const);
  const at = methods.indexOf('sigterm');
  if (at >= 0 && at !== methods.length - 1) {
    throw new InputError(
      input,
      `is \`${value}\`, with \`sigterm\` before ${methods
        .slice(at + 1)
        .map((m) => `\`${m}\``)
        .join(', ')}`,
      'put `sigterm` last: it stops the service, so no method can run after it',
    );
  }
  return methods;
}

/** Characters the artifact service refuses in a name (as @actions/artifact checks them). */
const ARTIFACT_NAME_FORBIDDEN = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];

function parseArtifactName(input: string, value: string): string {
  const name = value.trim();
  const bad = ARTIFACT_NAME_FORBIDDEN.find((c) => name.includes(c));
  if (name === '' || bad !== undefined) {
    throw new InputError(
      input,
      name === ''
        ? 'is empty'
        : `is \`${value}\`, with ${JSON.stringify(bad)}, which the artifact service refuses`,
      'give a name without " : < > | * ? \\ / or line breaks, e.g. `python-coverage`',
    );
  }
  return name;
}

/** The deepest existing ancestor of `path`, with symbolic links resolved, plus the rest. */
function realpathOfNearest(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(existing.slice(parent.length).replace(/^\//, ''));
      existing = parent;
    }
  }
}

/**
 * A directory inside the workspace (never the workspace itself): the action deletes and
 * rewrites what it puts there, and must never touch anything else.
 */
function parseOutputDir(input: string, value: string, workspace: string): string {
  const text = value.trim() || 'coverage-harvest';
  const dir = isAbsolute(text) ? resolve(text) : resolve(workspace, text);
  const real = realpathOfNearest(dir);
  const realWorkspace = realpathOfNearest(workspace);
  const rel = relative(realWorkspace, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(
      input,
      `is \`${value}\`, which ${rel === '' ? 'is the workspace itself' : 'resolves outside the workspace'} (${real})`,
      'give a directory inside the workspace of its own, e.g. `coverage-harvest`',
    );
  }
  return dir;
}

/** Container names or label selectors: never something a CLI would read as an option. */
function parseSelector(input: string, value: string, target: TargetKind): string {
  const selector = required(input, value, 'app=api');
  const items = splitList(selector);
  const option = items.find((item) => item.startsWith('-'));
  if (option !== undefined) {
    throw new InputError(
      input,
      `has \`${option}\`, which begins with \`-\``,
      'give label selectors like `app=api` or container names, which never begin with `-`',
    );
  }
  if (target === 'docker' && /(^|[\s,(])(!|\w+\s+(in|notin)\s*\()/.test(selector)) {
    throw new InputError(
      input,
      `is \`${value}\`, a set-based selector that docker label filters cannot express`,
      'use `key=value` or `key` items separated by commas, e.g. `app=api,tier=web`',
    );
  }
  return selector;
}

function parseContainerName(input: string, value: string): string {
  const name = value.trim();
  if (name.startsWith('-')) {
    throw new InputError(
      input,
      `is \`${value}\`, which begins with \`-\``,
      'give the container name as the pod spec has it, e.g. `api`',
    );
  }
  return name;
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

/** `path` is `dir` or inside it, symbolic links resolved. */
function isWithin(path: string, dir: string): boolean {
  const rel = relative(realpathOfNearest(dir), realpathOfNearest(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** One file, never one the step itself rewrites (the head's own coverage.json is in output-dir). */
function parseBaseline(
  input: string,
  value: string,
  workspace: string,
  outputDir: string,
): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (text.includes('\n')) {
    throw new InputError(
      input,
      `has ${text.split('\n').length} lines`,
      "give one file, the base branch's `coverage.json` or `.coverage`",
    );
  }
  const path = resolve(workspace, text);
  if (isWithin(path, outputDir)) {
    throw new InputError(
      input,
      `is \`${value}\`, inside \`output-dir\`, which this step rewrites`,
      "download the base branch's coverage to another directory, e.g. `baseline/`",
    );
  }
  return path;
}

/** Where a glob's files can be: its leading directories without a glob character. */
function globRoot(pattern: string): string {
  const parts = pattern.split('/');
  const at = parts.findIndex((part) => /[*?[\]]/.test(part));
  return at < 0 ? pattern : parts.slice(0, at).join('/') || '/';
}

/** Paths or globs of data files; none that @actions/glob reads otherwise, none in output-dir. */
function parseExtraData(
  input: string,
  value: string,
  workspace: string,
  outputDir: string,
): string[] {
  const items = splitList(value);
  for (const item of items) {
    const why = item.startsWith('!')
      ? 'which begins with `!`, an exclusion this input does not take'
      : item.startsWith('#')
        ? 'which begins with `#`, which the glob matcher reads as a comment'
        : isWithin(resolve(workspace, globRoot(item)), outputDir)
          ? 'inside `output-dir`, where this step writes its own data'
          : undefined;
    if (why !== undefined) {
      throw new InputError(
        input,
        `has \`${item}\`, ${why}`,
        "give paths or globs of the other job's data files elsewhere, e.g. `unit-coverage/.coverage*`",
      );
    }
  }
  return items;
}

function required(input: string, value: string, example: string): string {
  if (value.trim() === '') throw new InputError(input, 'is empty', `set it, e.g. \`${example}\``);
  return value.trim();
}

/** Builds the one typed Inputs object from the step's inputs and the runner environment. */
export function getInputs(read: InputReader = defaultReader, env = process.env): Inputs {
  const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const target = parseChoice('target', required('target', read('target'), 'docker'), [
    'docker',
    'kubernetes',
  ] as const);
  const outputDir = parseOutputDir('output-dir', read('output-dir'), workspace);
  return {
    target,
    selector: parseSelector('selector', read('selector'), target),
    namespace: read('namespace').trim() || 'default',
    container: parseContainerName('container', read('container')),
    kubeconfig: read('kubeconfig').trim(),
    dockerCommand: parseCommand('docker-command', read('docker-command') || 'docker'),
    dataDir: parseDataDir('data-dir', read('data-dir') || '/coverdata'),
    methods: parseMethods('methods', read('methods') || 'http,signal,sigterm'),
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
    artifactName: parseArtifactName('artifact-name', read('artifact-name') || 'python-coverage'),
    upload: parseBoolean('upload', read('upload') || 'true'),
    summary: parseBoolean('summary', read('summary') || 'true'),
    failUnder: parsePercent('fail-under', read('fail-under')),
    ifNoTargets: parseChoice('if-no-targets', read('if-no-targets') || 'error', [
      'error',
      'warn',
      'ignore',
    ] as const),
    failUnderDiff: parsePercent('fail-under-diff', read('fail-under-diff')),
    baseline: parseBaseline('baseline', read('baseline'), workspace, outputDir),
    extraData: parseExtraData('extra-data', read('extra-data'), workspace, outputDir),
  };
}
