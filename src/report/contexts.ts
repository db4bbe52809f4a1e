// Which end-to-end test ran which line: the contexts the agent's switches recorded, read from
// coverage.py's own JSON report (`--show-contexts`), as the `contexts-file` and as figures for the
// job summary's "E2E tests" section.
import { writeFile } from 'node:fs/promises';
import type { CoverageJson } from './coverage-json.js';

/** Context → file → the executed lines it ran, sorted ('' is coverage.py's name for no context). */
export type ContextLines = Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;

/**
 * The lines each context ran, from a report written with `show_contexts`: only executed
 * statements (what the report counts), files and contexts in sorted order. Undefined when no
 * line ran under a named context (no switches): then nothing about contexts is shown.
 *
 * With `labels` (the agent's marks: each label it wrote → the harness's context), a label is
 * counted as its harness context (`static|name` as `name`, a static context alone as none), and
 * every other context (coverage.py's own, e.g. `dynamic_context = test_function`) as none.
 */
export function contextLines(
  coverage: CoverageJson,
  labels?: Readonly<Record<string, string>>,
): ContextLines | undefined {
  const byContext = new Map<string, Map<string, number[]>>();
  const harness = (label: string): string =>
    labels === undefined ? label : Object.hasOwn(labels, label) ? (labels[label] ?? '') : '';
  let named = false;
  for (const name of Object.keys(coverage.files).sort()) {
    const file = coverage.files[name];
    if (file?.contexts === undefined) continue;
    const executed = new Set(file.executed_lines);
    for (const [lineText, contexts] of Object.entries(file.contexts)) {
      const line = Number(lineText);
      if (!executed.has(line)) continue;
      for (const context of new Set(contexts.map(harness))) {
        if (context !== '') named = true;
        let files = byContext.get(context);
        if (files === undefined) byContext.set(context, (files = new Map()));
        let lines = files.get(name);
        if (lines === undefined) files.set(name, (lines = []));
        lines.push(line);
      }
    }
  }
  if (!named) return undefined;
  const result: Record<string, Record<string, number[]>> = {};
  for (const context of [...byContext.keys()].sort()) {
    const files: Record<string, number[]> = {};
    for (const [name, lines] of byContext.get(context) ?? [])
      files[name] = lines.sort((a, b) => a - b);
    result[context] = files;
  }
  return result;
}

export interface ContextFigures {
  readonly name: string;
  /** Executed lines this context ran. */
  readonly lines: number;
  /** Of them, the lines no other named context ran. */
  readonly unique: number;
  /** Files it ran lines in. */
  readonly files: number;
}

export interface ContextsSummary {
  /** Every named context, most unique lines first (then most lines, then by name). */
  readonly contexts: readonly ContextFigures[];
  /** Executed lines that some named context ran. */
  readonly linesInContexts: number;
  /** Executed lines that ran only outside any context (startup, between tests). */
  readonly outsideOnly: number;
}

const lineKey = (file: string, line: number): string => `${line}\u0000${file}`;

/** The figures of the "E2E tests" section: per named context its lines and unique lines. */
export function summarizeContexts(lines: ContextLines): ContextsSummary {
  const runs = new Map<string, number>(); // line → how many named contexts ran it
  const outside = new Set<string>();
  for (const [context, files] of Object.entries(lines)) {
    for (const [file, numbers] of Object.entries(files)) {
      for (const line of numbers) {
        const key = lineKey(file, line);
        if (context === '') outside.add(key);
        else runs.set(key, (runs.get(key) ?? 0) + 1);
      }
    }
  }
  const contexts: ContextFigures[] = Object.entries(lines)
    .filter(([context]) => context !== '')
    .map(([name, files]) => {
      let count = 0;
      let unique = 0;
      for (const [file, numbers] of Object.entries(files)) {
        count += numbers.length;
        for (const line of numbers) if (runs.get(lineKey(file, line)) === 1) unique += 1;
      }
      return { name, lines: count, unique, files: Object.keys(files).length };
    })
    .sort(
      (a, b) =>
        b.unique - a.unique ||
        b.lines - a.lines ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  let outsideOnly = 0;
  for (const key of outside) if (!runs.has(key)) outsideOnly += 1;
  return { contexts, linesInContexts: runs.size, outsideOnly };
}

/** Writes the `contexts-file`: `{"<context>": {"<file>": [lines...]}}`, as `contextLines` gives. */
export async function writeContextsFile(path: string, lines: ContextLines): Promise<void> {
  await writeFile(path, `${JSON.stringify(lines)}\n`, 'utf8');
}
