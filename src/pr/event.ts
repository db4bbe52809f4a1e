/** What the workflow run says about the pull request, from the runner's environment. */
import { readFile } from 'node:fs/promises';

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'] as const;

export interface PullRequestRefs {
  /** `pull_request.base.sha`: the base branch's commit the pull request is compared with. */
  readonly baseSha: string;
  /** `pull_request.head.sha`: the pull request's own head commit (links point there). */
  readonly headSha: string;
  /** `pull_request.number`, where the comment goes; undefined in an odd payload. */
  readonly number?: number;
  /** The head branch lives in another repository (a fork): the run's token is read-only there. */
  readonly fromFork?: boolean;
}

export interface RunEvent {
  /** Set on pull_request and pull_request_target events only. */
  readonly pullRequest: PullRequestRefs | undefined;
  /** The commit links point at: the pull request's head, else GITHUB_SHA; undefined when unknown. */
  readonly linkSha: string | undefined;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function shaAt(payload: unknown, side: 'base' | 'head'): string | undefined {
  const pr = (payload as { pull_request?: Record<string, { sha?: unknown } | undefined> })
    ?.pull_request;
  const sha = pr?.[side]?.sha;
  return typeof sha === 'string' && SHA.test(sha) ? sha : undefined;
}

/** Pure: the event from GITHUB_EVENT_NAME, GITHUB_SHA and the parsed GITHUB_EVENT_PATH payload. */
export function eventFrom(
  eventName: string | undefined,
  payload: unknown,
  githubSha: string | undefined,
): RunEvent {
  const fallbackSha = githubSha !== undefined && SHA.test(githubSha) ? githubSha : undefined;
  if (!PULL_REQUEST_EVENTS.some((name) => name === eventName)) {
    return { pullRequest: undefined, linkSha: fallbackSha };
  }
  const baseSha = shaAt(payload, 'base');
  const headSha = shaAt(payload, 'head');
  if (baseSha === undefined || headSha === undefined) {
    throw new Error(
      `the ${eventName} event payload has no pull_request.base.sha and pull_request.head.sha, so the lines the pull request changes are unknown; run this step in a job triggered by the pull request itself`,
    );
  }
  const number = (payload as { pull_request?: { number?: unknown } }).pull_request?.number;
  const fromFork = forkOf(payload);
  return {
    pullRequest: {
      baseSha,
      headSha,
      ...(typeof number === 'number' && Number.isSafeInteger(number) && number > 0
        ? { number }
        : {}),
      ...(fromFork === undefined ? {} : { fromFork }),
    },
    linkSha: headSha,
  };
}

/** Whether the pull request's head is in another repository than its base, when the payload says. */
function forkOf(payload: unknown): boolean | undefined {
  const pr = (
    payload as {
      pull_request?: {
        head?: { repo?: { full_name?: unknown } | null };
        base?: { repo?: { full_name?: unknown } | null };
      };
    }
  ).pull_request;
  const head = pr?.head?.repo?.full_name;
  const base = pr?.base?.repo?.full_name;
  return typeof head === 'string' && typeof base === 'string' ? head !== base : undefined;
}

/** Reads the event of this run from the runner's environment. */
export async function readRunEvent(env: NodeJS.ProcessEnv = process.env): Promise<RunEvent> {
  const eventName = env.GITHUB_EVENT_NAME;
  let payload: unknown = {};
  if (PULL_REQUEST_EVENTS.some((name) => name === eventName)) {
    const path = env.GITHUB_EVENT_PATH;
    if (!path) {
      throw new Error(
        `GITHUB_EVENT_PATH is not set on a ${eventName} event, so the pull request's commits are unknown; run the action as a step of a workflow job`,
      );
    }
    try {
      payload = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(
        `cannot read the event payload ${path} (${(error as Error).message}); run the action as a step of a workflow job`,
      );
    }
  }
  return eventFrom(eventName, payload, env.GITHUB_SHA);
}
