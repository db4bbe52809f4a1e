/** One line at the end of the job summary about the pull request comment: where it is, or why not. */
import { appendFile, stat } from 'node:fs/promises';
import { STEP_SUMMARY_LIMIT_BYTES } from './input.js';
import { escapeAttribute, escapeText } from './markdown.js';

/** Renders the line: a link to the comment, or the sentence that says why there is none. */
export function commentNote(
  url: string | undefined,
  problem: string | undefined,
): string | undefined {
  if (url !== undefined)
    return `<p>Pull request comment: <a href="${escapeAttribute(url)}">${escapeText(url)}</a></p>\n`;
  if (problem !== undefined)
    return `<p><strong>Pull request comment not written:</strong> ${escapeText(problem)}</p>\n`;
  return undefined;
}

/** Appends the line to the step summary, when there is one and the line fits GitHub's limit. */
export async function appendCommentNote(
  url: string | undefined,
  problem: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  const note = commentNote(url, problem);
  if (!file || note === undefined) return;
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size + Buffer.byteLength(note, 'utf8') <= STEP_SUMMARY_LIMIT_BYTES)
    await appendFile(file, note, 'utf8');
}
