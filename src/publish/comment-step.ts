// The comment as a step of the publish stage: files for the artifact first, then the API call
// with the artifact's link.
import * as core from '@actions/core';
import type { Inputs } from '../inputs/types.js';
import type { RunResults } from './results.js';
import {
  commentTarget,
  postComment,
  writeCommentFiles,
  type CommentSettings,
} from './pr-comment.js';

export interface CommentStep {
  /** The comment's files in `output-dir`, to upload with the reports (none without a target). */
  writeFiles(): Promise<string[]>;
  /** The comment, with a link to the artifact; `failure` is the sentence `always` fails with. */
  post(artifactUrl: string | undefined): Promise<{
    url: string | undefined;
    warnings: readonly string[];
    failure?: string;
  }>;
}

export function commentStep(
  inputs: Inputs,
  results: RunResults,
  env: NodeJS.ProcessEnv,
): CommentStep {
  const settings: CommentSettings = {
    mode: inputs.comment,
    token: inputs.githubToken,
    key: inputs.commentKey,
    outputDir: inputs.outputDir,
  };
  const target = commentTarget(settings, results.event, env);
  const figures = {
    ...results.view.summary,
    coverage: results.coverage,
    runUrl: runUrl(env),
    unconfirmed: results.outcomes.filter((o) => o.method === null && o.attempts.length > 0).length,
    warnings: results.warnings.length,
  };
  return {
    writeFiles: async () => ('skip' in target ? [] : writeCommentFiles(settings, target, figures)),
    post: async (artifactUrl) => {
      if ('skip' in target) {
        if (target.skip === '') return { url: undefined, warnings: [] };
        if (settings.mode === 'always')
          return { url: undefined, warnings: [], failure: `\`comment: always\`: ${target.skip}` };
        core.info(`no pull request comment: ${target.skip}`);
        return { url: undefined, warnings: [] };
      }
      try {
        const withLink = artifactUrl === undefined ? figures : { ...figures, artifactUrl };
        return await postComment(settings, target, withLink, env, core.info);
      } catch (error) {
        return { url: undefined, warnings: [], failure: (error as Error).message };
      }
    },
  };
}

/** The workflow run's page, where the job summary is; undefined outside a runner. */
function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY ?? '';
  const id = env.GITHUB_RUN_ID ?? '';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository) || !/^\d+$/.test(id)) return undefined;
  if (!/^https?:\/\/[^\s"<>]+$/.test(server)) return undefined;
  return `${server}/${repository}/actions/runs/${id}`;
}
