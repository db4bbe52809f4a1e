// The layout as docs/architecture.md draws it, held against the code: stage folders import only
// folders before them, the agent's layers only layers below, no module imports itself in a loop,
// and modules and functions stay small enough to read at once.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** The pipeline's folders of src/, in the order the data passes them; `.` is the entry points. */
const STAGES = [
  'shared',
  'inputs',
  'targets',
  'remote',
  'harvest',
  'report',
  'pr',
  'summary',
  'publish',
  'pipeline',
  'cli',
  '.',
];

/** The agent's layers, from the bottom: a module imports only modules of its own layer or below. */
const AGENT_LAYERS: readonly (readonly string[])[] = [
  ['__init__', 'log', 'files', 'auth', 'procfs', 'signames', 'datafiles'],
  ['settings'],
  ['owned', 'measure'],
  ['wake', 'httpmsg', 'httpserve', 'tarstream', 'pack'],
  ['messages', 'registry', 'signals', 'fanout'],
  ['contexts'],
  ['flusher', 'presence'],
  ['agent', 'listener', 'cli', '__main__', '_boot'],
];

const MAX_MODULE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext))
    .map((entry) => join(entry.parentPath, entry.name));
}

const sources = filesUnder(join(root, 'src'), '.ts').filter((f) => !f.endsWith('.d.ts'));
const agentModules = filesUnder(join(root, 'agent/pycov_harvest'), '.py');

/** The src/ files a TypeScript file imports (static and dynamic), as absolute paths. */
function tsImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => resolve(dirname(file), m[1] ?? ''))
    .map((path) => (path.endsWith('.js') ? `${path.slice(0, -3)}.ts` : path))
    .filter((path) => path.startsWith(join(root, 'src')) && path.endsWith('.ts'));
}

/** The agent modules a module imports (`from pycov_harvest import a, b`, `from pycov_harvest.x ...`). */
function agentImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*from pycov_harvest(\.\w+)? import ([\w ,()\n]+?)$/gm)) {
    if (m[1] !== undefined) names.add(m[1].slice(1));
    else for (const name of (m[2] ?? '').replace(/[()]/g, '').split(',')) names.add(name.trim());
  }
  const known = new Set(agentModules.map((f) => moduleName(f)));
  return [...names].filter((name) => known.has(name));
}

const moduleName = (file: string): string => file.split('/').pop()?.replace(/\.py$/, '') ?? '';
const stageOf = (file: string): string => {
  const parts = relative(join(root, 'src'), file).split('/');
  return parts.length > 1 ? (parts[0] ?? '.') : '.';
};

/** Every import loop of a graph, each as the files it passes. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

function longFunctions(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const long: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const from = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const to = source.getLineAndCharacterOfPosition(node.end).line;
      if (to - from + 1 > MAX_FUNCTION_LINES) long.push(`${relative(root, file)}:${from + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return long;
}

describe('the layout', () => {
  it('has no import loop in src/', () => {
    const graph = new Map(sources.map((file) => [file, tsImports(file)]));
    expect(cycles(graph).map((c) => c.map((f) => relative(root, f)).join(' -> '))).toEqual([]);
  });

  it('imports from a stage folder only to the folders before it', () => {
    const upward = sources.flatMap((file) =>
      tsImports(file)
        .filter((target) => STAGES.indexOf(stageOf(target)) > STAGES.indexOf(stageOf(file)))
        .map((target) => `${relative(root, file)} -> ${relative(root, target)}`),
    );
    expect(upward).toEqual([]);
    expect(new Set(sources.map(stageOf))).toEqual(new Set(STAGES));
  });

  it('places every agent module in one layer, and imports only its own layer or below', () => {
    const layerOf = (name: string): number => AGENT_LAYERS.findIndex((l) => l.includes(name));
    expect(agentModules.map(moduleName).filter((name) => layerOf(name) < 0)).toEqual([]);
    const upward = agentModules.flatMap((file) =>
      agentImports(file)
        .filter((name) => layerOf(name) > layerOf(moduleName(file)))
        .map((name) => `${moduleName(file)} -> ${name}`),
    );
    expect(upward).toEqual([]);
    const graph = new Map(agentModules.map((file) => [moduleName(file), agentImports(file)]));
    expect(cycles(graph)).toEqual([]);
  });

  it(`keeps modules under ${MAX_MODULE_LINES} lines and functions under ${MAX_FUNCTION_LINES}`, () => {
    const python = [...agentModules, ...filesUnder(join(root, 'src/remote'), '.py')];
    const long = [...sources, ...python].flatMap((file) => {
      const lines = readFileSync(file, 'utf8').split('\n').length - 1;
      return lines > MAX_MODULE_LINES ? [`${relative(root, file)}: ${lines} lines`] : [];
    });
    expect(long).toEqual([]);
    expect(sources.flatMap(longFunctions)).toEqual([]);
  });
});
