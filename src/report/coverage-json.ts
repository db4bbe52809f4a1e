/**
 * The report written by coverage.py's `coverage json` (format 3, coverage 7.x), as far as the
 * action reads it. Fields coverage.py adds in later versions are optional here.
 */
import { readFile } from 'node:fs/promises';

export interface CoverageNumbers {
  readonly covered_lines: number;
  readonly num_statements: number;
  /** Lines and branches together when branch coverage was measured (coverage's "Cover"). */
  readonly percent_covered: number;
  readonly percent_covered_display: string;
  readonly missing_lines: number;
  readonly excluded_lines: number;
  /** The next five only when branch coverage was measured. */
  readonly num_branches?: number;
  readonly num_partial_branches?: number;
  readonly covered_branches?: number;
  readonly missing_branches?: number;
  /** coverage >= 7.10 only. */
  readonly percent_statements_covered?: number;
  readonly percent_branches_covered?: number;
}

/** A branch as coverage.py writes it: [from line, to line]; a negative target is an exit. */
export type CoverageArc = readonly [number, number];

export interface CoverageFile {
  readonly executed_lines: readonly number[];
  readonly missing_lines: readonly number[];
  readonly excluded_lines: readonly number[];
  readonly summary: CoverageNumbers;
  /** Only when branch coverage was measured. */
  readonly executed_branches?: readonly CoverageArc[];
  readonly missing_branches?: readonly CoverageArc[];
  /** With `--show-contexts`: line number (as a string) → the contexts that ran it ('' for none). */
  readonly contexts?: Readonly<Record<string, readonly string[]>>;
}

export interface CoverageMeta {
  readonly format?: number;
  /** The coverage.py version that wrote the report. */
  readonly version: string;
  readonly timestamp: string;
  readonly branch_coverage: boolean;
  readonly show_contexts: boolean;
}

export interface CoverageJson {
  readonly meta: CoverageMeta;
  /** Keyed by file name as coverage.py reports it (relative to where it ran when inside). */
  readonly files: Readonly<Record<string, CoverageFile>>;
  readonly totals: CoverageNumbers;
}

/** Reads and checks a `coverage json` report; the error says which field is wrong and where. */
export async function readCoverageJson(path: string): Promise<CoverageJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read the coverage JSON report ${path}: ${(error as Error).message}. ` +
        'It is written by `coverage json` in the conversion step; its log above says why it is missing.',
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The coverage JSON report ${path} is not valid JSON (${(error as Error).message}); ` +
        'regenerate it with `coverage json`.',
    );
  }
  return parseCoverageJson(data, path);
}

/** Checks that `data` has the shape of a `coverage json` report and returns it typed. */
export function parseCoverageJson(
  data: unknown,
  source = 'the coverage JSON report',
): CoverageJson {
  const fail = (where: string, expected: string): never => {
    throw new Error(
      `${source} is not a coverage.py JSON report: ${where} should be ${expected}. ` +
        'Produce it with `coverage json` (coverage.py 5.0 or newer).',
    );
  };
  const root = objectAt(data, 'the top level', fail);
  const meta = objectAt(root.meta, 'meta', fail);
  stringAt(meta.version, 'meta.version', fail);
  booleanAt(meta.branch_coverage, 'meta.branch_coverage', fail);
  const branch = meta.branch_coverage === true;
  const files = objectAt(root.files, 'files', fail);
  for (const [name, entry] of Object.entries(files)) {
    const where = `files[${JSON.stringify(name)}]`;
    const file = objectAt(entry, where, fail);
    for (const key of ['executed_lines', 'missing_lines', 'excluded_lines'] as const) {
      lineListAt(file[key], `${where}.${key}`, fail);
    }
    numbersAt(file.summary, `${where}.summary`, branch, fail);
    if (branch) {
      arcListAt(file.executed_branches, `${where}.executed_branches`, fail);
      arcListAt(file.missing_branches, `${where}.missing_branches`, fail);
    }
    if (file.contexts !== undefined) contextsAt(file.contexts, `${where}.contexts`, fail);
  }
  numbersAt(root.totals, 'totals', branch, fail);
  return data as CoverageJson;
}

/** Percentage of statements executed; a file without statements counts as fully covered. */
export function linePercent(numbers: CoverageNumbers): number {
  return numbers.num_statements === 0
    ? 100
    : (100 * numbers.covered_lines) / numbers.num_statements;
}

/** Percentage of branches taken, or undefined when branch coverage was not measured. */
export function branchPercent(numbers: CoverageNumbers): number | undefined {
  if (numbers.num_branches === undefined || numbers.covered_branches === undefined) {
    return undefined;
  }
  return numbers.num_branches === 0 ? 100 : (100 * numbers.covered_branches) / numbers.num_branches;
}

type Fail = (where: string, expected: string) => never;

function objectAt(value: unknown, where: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(where, 'an object');
  }
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, where: string, fail: Fail): void {
  if (typeof value !== 'string') fail(where, 'a string');
}

function booleanAt(value: unknown, where: string, fail: Fail): void {
  if (typeof value !== 'boolean') fail(where, 'true or false');
}

function lineListAt(value: unknown, where: string, fail: Fail): void {
  if (!Array.isArray(value) || !value.every((n) => Number.isInteger(n))) {
    fail(where, 'a list of line numbers');
  }
}

function arcListAt(value: unknown, where: string, fail: Fail): void {
  const isArc = (a: unknown): boolean =>
    Array.isArray(a) && a.length === 2 && a.every((n) => Number.isInteger(n));
  if (!Array.isArray(value) || !value.every(isArc)) {
    fail(where, 'a list of [from, to] line pairs (present when branch coverage is on)');
  }
}

function contextsAt(value: unknown, where: string, fail: Fail): void {
  const byLine = objectAt(value, where, fail);
  for (const [line, names] of Object.entries(byLine)) {
    if (!/^\d+$/.test(line) || !Array.isArray(names) || !names.every((n) => typeof n === 'string'))
      fail(`${where}[${JSON.stringify(line)}]`, 'a list of context names keyed by line number');
  }
}

const LINE_FIELDS = [
  'covered_lines',
  'num_statements',
  'percent_covered',
  'missing_lines',
  'excluded_lines',
] as const;
const BRANCH_FIELDS = [
  'num_branches',
  'num_partial_branches',
  'covered_branches',
  'missing_branches',
] as const;

function numbersAt(value: unknown, where: string, branch: boolean, fail: Fail): void {
  const numbers = objectAt(value, where, fail);
  const fields = branch ? [...LINE_FIELDS, ...BRANCH_FIELDS] : LINE_FIELDS;
  for (const key of fields) {
    const n = numbers[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      fail(`${where}.${key}`, 'a non-negative number');
    }
  }
  stringAt(numbers.percent_covered_display, `${where}.percent_covered_display`, fail);
}
