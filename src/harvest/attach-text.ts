// What `attach` says: the attempt's one line (what was saved, how, every refusal with its cause
// and fix) and its warnings. A refusal is a sentence the attach program made inside the target
// (clipped); a path or a name it reports is quoted.
import type { AttachedEvent, RefusedEvent, StartedEvent } from '../remote/attach-events.js';
import { clipped, quoted } from '../shared/text.js';

/** A process not saved: its sentence, and why (RefusedEvent's `cause`). */
type Refusal = Pick<RefusedEvent, 'pid' | 'reason' | 'cause'>;

/** What one route said about each pid it was asked about. */
export interface RouteAnswer {
  readonly attached: readonly AttachedEvent[];
  readonly refused: readonly Refusal[];
  /** `attach-start`: coverage started now, nothing measured yet. */
  readonly started: readonly StartedEvent[];
}

/** Longest refusal sentence shown whole: the API server's own message may be inside one. */
const MAX_SENTENCE = 600;
/** Refusals shown per route; the rest are counted (workers refuse alike). */
const MAX_REFUSALS = 2;

const sentence = (text: string): string => clipped(text, MAX_SENTENCE);

/** One line: what was saved, how, and every refusal with its cause and fix. */
export function describe(
  inside: RouteAnswer,
  beside: RouteAnswer | undefined,
  besideProblem: string | undefined,
  attachImage: string,
): string {
  const parts: string[] = [];
  const saved = (answer: RouteAnswer, where: string) => {
    if (answer.attached.length === 0) return;
    const how = [...new Set(answer.attached.map(howText))].join(', ');
    parts.push(`${answer.attached.length} process(es) saved their coverage ${where} (${how})`);
  };
  saved(inside, 'from inside the target');
  const started = [...inside.started, ...(beside?.started ?? [])];
  if (started.length > 0)
    parts.push(
      `started coverage (${[...new Set(started.map((s) => clipped(s.core ?? '?', 40)))].join(', ')}) in ${started.length} process(es) that ran none (\`attach-start\`): it measures from now on, nothing of it ran yet; harvest again after the tests`,
    );
  const where = `from an injector container (${attachImage === '' ? "the target's own image" : attachImage})`;
  if (beside !== undefined) saved(beside, where);
  const refusals = (answer: RouteAnswer, prefix: string) => {
    for (const r of answer.refused.slice(0, MAX_REFUSALS))
      parts.push(`${prefix}${sentence(r.reason)}`);
    const more = answer.refused.length - MAX_REFUSALS;
    if (more > 0) parts.push(`${prefix}${more} more process(es) refused likewise`);
  };
  if (beside === undefined) refusals(inside, '');
  else {
    refusals(
      { attached: [], started: [], refused: inside.refused.filter((r) => r.cause !== 'denied') },
      '',
    );
    const denied = inside.refused.filter((r) => r.cause === 'denied');
    if (denied[0] !== undefined)
      parts.push(
        `from inside the target: ${sentence(denied[0].reason)}${denied.length > 1 ? ` (and ${denied.length - 1} more)` : ''}`,
      );
    refusals(beside, `${where}: `);
  }
  if (besideProblem !== undefined) parts.push(besideProblem);
  return parts.join('; ');
}

function howText(event: AttachedEvent): string {
  if (event.route === 'remote_exec') return 'sys.remote_exec';
  const caught =
    event.syscall === undefined ? '' : `, thread caught in ${clipped(event.syscall, 40)}`;
  return `ptrace pending call${caught}`;
}

/** Coverage `attach` started (`attach-start`) has not measured what ran before it started. */
export function measuredFrom(final: RouteAnswer, label: string): string[] {
  const since = final.attached.flatMap((a) => (a.started == null ? [] : [a.started]));
  const pids = [...final.attached.filter((a) => a.started != null), ...final.started].map(
    (e) => e.pid,
  );
  if (pids.length === 0) return [];
  const from = since.length === 0 ? Date.now() / 1000 : Math.min(...since);
  return [
    `${label}: coverage in ${pids.length} process(es) (pid ${pids.join(', ')}) measures only from ${new Date(from * 1000).toISOString()} on, when \`attach\` started it (\`attach-start\`): lines that ran before then are not measured`,
  ];
}

/** A process that saved outside `data-dir` saved data the copy-out never reads. */
export function outsideDataDir(
  attached: readonly AttachedEvent[],
  dataDir: string,
  label: string,
): string[] {
  const prefix = dataDir.endsWith('/') ? dataDir : `${dataDir}/`;
  return attached
    .filter((a) => !a.data_file.startsWith(prefix))
    .map((a) => {
      const dir = a.data_file.slice(0, Math.max(1, a.data_file.lastIndexOf('/')));
      return `${label}: pid ${a.pid} saved its coverage to ${quoted(a.data_file)}, outside \`data-dir\` (${dataDir}), so it is not copied; set \`data-dir\` to ${quoted(dir)}, or point the service's \`[run] data_file\` into ${dataDir}`;
    });
}
