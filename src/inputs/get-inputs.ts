import * as core from '@actions/core';
import { resolve } from 'node:path';
import { parseCommentKey, parseGithubToken } from './comment.js';
import { parseAttachImage, parseMethods, parseSignal } from './flush.js';
import {
  InputError,
  parseBoolean,
  parseChoice,
  parseChoiceList,
  parsePercent,
  parsePort,
  parseSeconds,
  parseVersion,
  required,
} from './parse.js';
import {
  parseBaseline,
  parseDataDir,
  parseExtraData,
  parseOutputDir,
  parsePathMap,
} from './paths.js';
import { parseProjectInputs } from './project.js';
import { parseCommand, parseContainerName, parseSelector } from './targets.js';
import type { InputReader, Inputs } from './types.js';

const defaultReader: InputReader = (name) => core.getInput(name);
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
/** Builds the one typed Inputs object from the step's inputs and the runner environment. */
export function getInputs(read: InputReader = defaultReader, env = process.env): Inputs {
  const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const target = parseChoice('target', required('target', read('target'), 'docker'), [
    'docker',
    'kubernetes',
  ] as const);
  const outputDir = parseOutputDir('output-dir', read('output-dir'), workspace);
  const artifactName = parseArtifactName(
    'artifact-name',
    read('artifact-name') || 'python-coverage',
  );
  return {
    target,
    selector: parseSelector('selector', read('selector'), target),
    namespace: read('namespace').trim() || 'default',
    container: parseContainerName('container', read('container')),
    kubeconfig: read('kubeconfig').trim(),
    dockerCommand: parseCommand('docker-command', read('docker-command') || 'docker'),
    dataDir: parseDataDir('data-dir', read('data-dir') || '/coverdata'),
    methods: parseMethods('methods', read('methods') || 'http,signal,attach,sigterm'),
    signal: parseSignal('signal', read('signal') || 'SIGUSR1'),
    agentPort: parsePort('agent-port', read('agent-port') || '9797'),
    flushTimeoutMs: parseSeconds('flush-timeout', read('flush-timeout') || '10'),
    reset: parseBoolean('reset', read('reset') || 'false'),
    gracefulTimeoutMs: parseSeconds('graceful-timeout', read('graceful-timeout') || '30'),
    attachImage: parseAttachImage('attach-image', read('attach-image')),
    attachStart: parseBoolean('attach-start', read('attach-start') || 'false'),
    pathMap: parsePathMap('path-map', read('path-map'), workspace),
    formats: parseChoiceList('formats', read('formats') || 'lcov,xml,json', [
      'lcov',
      'xml',
      'json',
      'html',
    ] as const),
    coverageImage: read('coverage-image').trim(),
    coverageVersion: parseVersion('coverage-version', read('coverage-version')),
    ...parseProjectInputs(read, workspace),
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
    failUnderDiff: parsePercent('fail-under-diff', read('fail-under-diff')),
    baseline: parseBaseline('baseline', read('baseline'), workspace, outputDir),
    extraData: parseExtraData('extra-data', read('extra-data'), workspace, outputDir),
    comment: parseChoice('comment', read('comment') || 'auto', [
      'auto',
      'always',
      'never',
    ] as const),
    githubToken: parseGithubToken(read('github-token')),
    commentKey: parseCommentKey('comment-key', read('comment-key'), env, artifactName),
  };
}
