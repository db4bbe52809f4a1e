/** The one typed Inputs object and the vocabulary the later stages share with it. */

export type TargetKind = 'docker' | 'kubernetes';

/** Which targets to find: the part of the inputs that discovery reads. */
export interface TargetSelection {
  readonly target: TargetKind;
  readonly selector: string;
  readonly namespace: string;
  readonly container: string;
  readonly kubeconfig: string;
  readonly dockerCommand: string;
}

/** A flush method of the chain, in the order `methods` gives. */
export type FlushMethod = 'http' | 'signal' | 'attach' | 'sigterm';

export type ReportFormat = 'lcov' | 'xml' | 'json' | 'html';
export type IfNoTargets = 'error' | 'warn' | 'ignore';
/** `comment`: the sticky pull request comment. */
export type CommentMode = 'auto' | 'always' | 'never';

/** One `path-map` entry: a path prefix inside the targets and where it lives on the runner. */
export interface PathMapping {
  readonly remote: string;
  /** Absolute path on the runner (resolved against the workspace). */
  readonly local: string;
}

/** Every action input, parsed and validated once. */
export interface Inputs extends TargetSelection {
  readonly dataDir: string;
  readonly methods: readonly FlushMethod[];
  readonly signal: string;
  readonly agentPort: number;
  readonly flushTimeoutMs: number;
  /** After the save, every agent process starts a fresh window (per-phase harvests). */
  readonly reset: boolean;
  readonly gracefulTimeoutMs: number;
  /** The `attach` method's injector container image ('' for the target's own image). */
  readonly attachImage: string;
  /** `attach` starts coverage where none runs (3.14+, measure from now). */
  readonly attachStart: boolean;
  readonly pathMap: readonly PathMapping[];
  readonly formats: readonly ReportFormat[];
  readonly coverageImage: string;
  readonly coverageVersion: string;
  /** Absolute path of the project's coverage config (`coverage-config`); else coverage.py finds it. */
  readonly coverageConfig: string | undefined;
  /** Absolute directory in the workspace where coverage.py runs for the reports. */
  readonly workingDirectory: string;
  /** Absolute path of the output directory. */
  readonly outputDir: string;
  readonly workspace: string;
  readonly artifactName: string;
  readonly upload: boolean;
  readonly summary: boolean;
  readonly failUnder: number | undefined;
  readonly ifNoTargets: IfNoTargets;
  /** On pull requests: fail when fewer of the changed lines ran (percent). */
  readonly failUnderDiff: number | undefined;
  /** Absolute path of the base branch's coverage.json or .coverage (never under output-dir). */
  readonly baseline: string | undefined;
  /** Paths or globs of other coverage data files to combine in (workspace-relative or absolute). */
  readonly extraData: readonly string[];
  /** On pull requests: post one comment and update it on later runs. */
  readonly comment: CommentMode;
  /** The token the comment is written with ('' when none was given). */
  readonly githubToken: string;
  /** What tells this comment apart from other jobs' (marker text, never empty). */
  readonly commentKey: string;
}

/** Reads one input; tests and callers outside a runner pass their own reader. */
export type InputReader = (name: string) => string;
