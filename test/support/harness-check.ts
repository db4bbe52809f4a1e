// What every harness e2e test checks once its suite ran against a service container: harvest with
// the action, run coverage.py's own `coverage json --show-contexts` on the action's combined data,
// and hold the `contexts-file`, the summary's "E2E tests" figures and the JSON report to it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { escapeText } from '../../src/summary/markdown.js';
import type { Engine } from './engine.js';
import { appSourceDir, images, markerLine } from './images.js';
import { makeWorkspace, relativeFilesRc, runAction, type ActionRun } from './run-action.js';

interface CoverageJsonFile {
  executed_lines: number[];
  contexts?: Record<string, string[]>;
}

/** Context → file → executed lines, straight from coverage.py's own `--show-contexts` report. */
export function linesByContext(
  files: Record<string, CoverageJsonFile>,
): Map<string, Map<string, number[]>> {
  const result = new Map<string, Map<string, number[]>>();
  for (const [file, data] of Object.entries(files)) {
    for (const line of data.executed_lines) {
      for (const context of data.contexts?.[String(line)] ?? []) {
        const byFile = result.get(context) ?? new Map<string, number[]>();
        result.set(context, byFile);
        byFile.set(file, [...(byFile.get(file) ?? []), line]);
      }
    }
  }
  return result;
}

export interface Harvest {
  readonly run: ActionRun;
  /** coverage.py's own view: context → file → lines. */
  readonly expected: Map<string, Map<string, number[]>>;
  /** The contexts of the line marked `# cov:<marker>` in an app file, sorted. */
  contextsAt(file: string, marker: string): string[];
}

/** `coverage json --show-contexts` run by coverage.py's own CLI in the conversion image. */
function coverageJson(engine: Engine, run: ActionRun): Record<string, CoverageJsonFile> {
  const out = join(run.workspace, 'coverage-harvest');
  mkdirSync(join(run.workspace, 'cli'), { recursive: true });
  execFileSync(
    engine.command,
    [
      ...['run', '--rm', '--network', 'none', '-v', `${run.workspace}:${run.workspace}`],
      ...['-w', run.workspace, '--entrypoint', 'python3', images.coverage],
      ...['-m', 'coverage', 'json', '--show-contexts', '-q', '-i'],
      `--rcfile=${relativeFilesRc(run.workspace)}`,
      `--data-file=${out}/.coverage`,
      ...['-o', 'cli/coverage.json'],
    ],
    { env: engine.processEnv, timeout: 120_000 },
  );
  return (
    JSON.parse(readFileSync(join(run.workspace, 'cli/coverage.json'), 'utf8')) as {
      files: Record<string, CoverageJsonFile>;
    }
  ).files;
}

/**
 * Harvests the containers `selector` matches with the action and checks that the contexts-file,
 * the summary's figures and the JSON report equal coverage.py's own report on the same data.
 */
export async function harvestAndCompare(engine: Engine, selector: string): Promise<Harvest> {
  const place = makeWorkspace((ws) => cpSync(appSourceDir, join(ws, 'src'), { recursive: true }));
  const run = await runAction(
    {
      target: 'docker',
      selector,
      ...engine.inputs,
      'coverage-image': images.coverage,
      'path-map': '/app=.',
      formats: 'json',
      upload: 'false',
    },
    place,
    engine.env,
  );
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
  const theirs = coverageJson(engine, run);
  const expected = linesByContext(theirs);

  expect(run.outputs['contexts-file']).toBe('coverage-harvest/contexts.json');
  const file = JSON.parse(
    readFileSync(join(run.workspace, run.outputs['contexts-file'] ?? ''), 'utf8'),
  ) as Record<string, Record<string, number[]>>;
  expect(Object.keys(file).sort()).toEqual([...expected.keys()].sort());
  for (const [context, byFile] of expected)
    expect(file[context], context).toEqual(
      Object.fromEntries([...byFile].sort(([a], [b]) => (a < b ? -1 : 1))),
    );

  const owners = new Map<string, number>();
  for (const [context, byFile] of expected) {
    if (context === '') continue;
    for (const [f, lines] of byFile)
      for (const l of lines) owners.set(`${f}:${l}`, (owners.get(`${f}:${l}`) ?? 0) + 1);
  }
  expect(run.summary).toContain('E2E tests');
  for (const [context, byFile] of expected) {
    if (context === '') continue;
    const lines = [...byFile].flatMap(([f, ls]) => ls.map((l) => `${f}:${l}`));
    const unique = lines.filter((key) => owners.get(key) === 1).length;
    const row = `<code>${escapeText(context)}</code></td><td>${lines.length}</td><td>${unique}</td><td>${byFile.size}</td>`;
    expect(run.summary, context).toContain(row);
  }

  const ours = JSON.parse(
    readFileSync(join(run.workspace, 'coverage-harvest/coverage.json'), 'utf8'),
  ) as { files: Record<string, CoverageJsonFile> };
  const sorted = (byLine: Record<string, string[]> = {}) =>
    Object.fromEntries(Object.entries(byLine).map(([line, names]) => [line, [...names].sort()]));
  for (const name of Object.keys(theirs))
    expect(sorted(ours.files[name]?.contexts), name).toEqual(sorted(theirs[name]?.contexts));

  return {
    run,
    expected,
    contextsAt: (file, marker) =>
      [...(theirs[`src/${file}`]?.contexts?.[String(markerLine(file, marker))] ?? [])].sort(),
  };
}
