// The pull request comment's inputs: `comment`, `github-token` and `comment-key`.
import { secret } from '../shared/secrets.js';
import { InputError } from './parse.js';

/** Longest `comment-key`: it is shown in the comment's hidden marker. */
const MAX_KEY_LENGTH = 200;

/**
 * `comment-key`, or the default that tells apart the jobs and matrix entries of one workflow:
 * workflow, job and artifact name (a run's artifact names are unique). Kept to characters that
 * cannot end the HTML comment the marker is.
 */
export function parseCommentKey(
  input: string,
  value: string,
  env: NodeJS.ProcessEnv,
  artifactName: string,
): string {
  const given = value.trim();
  if (given !== '' && !/^[\w .:/=+@,-]+$/.test(given)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'use letters, digits, spaces and `. : / = + @ , _ -`, e.g. `e2e-py3.12`',
    );
  }
  if (given.length > MAX_KEY_LENGTH) {
    throw new InputError(
      input,
      `is ${given.length} characters long`,
      `keep it under ${MAX_KEY_LENGTH}`,
    );
  }
  const key =
    given ||
    [env.GITHUB_WORKFLOW ?? '', env.GITHUB_JOB ?? '', artifactName]
      .map((part) => part.replace(/[^\w .:/=+@,-]+/g, '_').trim())
      .filter((part) => part !== '')
      .join('/');
  // `--` may not appear inside an HTML comment.
  return key.replace(/-{2,}/g, '-') || 'default';
}

/**
 * The token, masked in the log from here on; '' when there is none, or when the value is
 * action.yml's default expression itself (read outside a runner, which expands it).
 */
export function parseGithubToken(value: string): string {
  const token = value.trim();
  return /^\$\{\{.*\}\}$/.test(token) ? '' : secret(token);
}
