// What the hostile-target suite checks after each run of the action: the runner's files outside
// `output-dir` and RUNNER_TEMP byte for byte, the step log's workflow commands, and where the
// attacker's files and fake listener come from.
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every target-made string carries it; nothing with it may become markup or a log command. */
export const MARKER = 'PWN';
/** A credential as actions/checkout leaves it in .git/config: no target may copy it anywhere. */
export const CHECKOUT_SECRET = 'PWN-SECRET-c2VjcmV0LXRva2Vu';

export const attackerScript = join(dirname(fileURLToPath(import.meta.url)), 'attacker.py');

/** A checkout as a job has it: the sources, a workflow, and git's config with a credential. */
export function prepareCheckout(workspace: string): void {
  mkdirSync(join(workspace, '.git'), { recursive: true });
  writeFileSync(
    join(workspace, '.git/config'),
    `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${CHECKOUT_SECRET}\n`,
  );
  mkdirSync(join(workspace, '.github/workflows'), { recursive: true });
  writeFileSync(join(workspace, '.github/workflows/ci.yml'), 'on: push\n');
  writeFileSync(join(workspace, 'pyproject.toml'), '[project]\nname = "service"\n');
}

/**
 * Every entry under `root` (type, mode, size, content hash, link target), except the directories
 * in `skip` (relative to root). Two equal snapshots: nothing was written, removed or retargeted.
 */
export function snapshotTree(root: string, skip: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (skip.includes(rel)) continue;
      const st = lstatSync(path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) found.set(rel, `link ${readlinkSync(path)}`);
      else if (st.isDirectory()) {
        found.set(rel, `dir ${mode}`);
        visit(path);
      } else if (st.isFile()) {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        found.set(rel, `file ${mode} ${st.size} ${hash}`);
      } else found.set(rel, `special ${st.mode.toString(8)}`);
    }
  };
  visit(root);
  return found;
}

/** The differences between two snapshots, one line each. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [path, what] of after) {
    const was = before.get(path);
    if (was === undefined) changes.push(`added ${JSON.stringify(path)} (${what})`);
    else if (was !== what) changes.push(`changed ${JSON.stringify(path)}`);
  }
  for (const path of before.keys())
    if (!after.has(path)) changes.push(`removed ${JSON.stringify(path)}`);
  return changes;
}

/** Files under `dir` whose bytes contain `needle` (e.g. a credential copied out of the checkout). */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const visit = (at: string): void => {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(at, name);
      const st = lstatSync(path);
      if (st.isDirectory()) visit(path);
      else if (st.isFile() && readFileSync(path).includes(needle)) hits.push(relative(dir, path));
    }
  };
  visit(dir);
  return hits;
}

/**
 * The action's own workflow commands: groups with the stage names of main.ts, masks, debug lines,
 * and warnings/errors without properties (the action sets none) whose text does not begin with a
 * target's words.
 */
const OWN_GROUPS =
  /^(discover|pull request|harvest \d+ target\(s\)|combine and convert with coverage\.py|publish)$/;

/**
 * Lines of the step log that start with `::` and are not one of the action's own commands. A CR
 * alone ends a line for the runner too, so it splits here as well.
 */
export function unexpectedCommands(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/).filter((line) => {
    if (!line.startsWith('::')) return false;
    const m = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (m === null) return true;
    const [, command, properties, text = ''] = m;
    if (properties !== undefined) return true;
    if (text.startsWith(MARKER)) return true;
    if (command === 'group') return !OWN_GROUPS.test(text);
    return !['endgroup', 'add-mask', 'debug', 'warning', 'error'].includes(command ?? '');
  });
}
