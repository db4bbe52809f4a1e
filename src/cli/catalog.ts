// The action's inputs as the CLI's options: every input of action.yml, under the same name, with
// a line of help for `--help`. test/unit/cli/catalog.test.ts holds this list to action.yml.

export interface InputOption {
  /** The input's name in action.yml, and the option's (`--name`). */
  readonly name: string;
  /** The value shown in `--help`: action.yml's default, or the CLI's where it differs. */
  readonly default: string;
  readonly help: string;
  /** A list input: the option may be given more than once (values joined as lines). */
  readonly multi?: true;
  /** Only the action's default differs (the CLI runs where there is no artifact service). */
  readonly actionDefault?: string;
}

/** Every action input, in action.yml's order. */
export const INPUT_OPTIONS: readonly InputOption[] = [
  { name: 'target', default: '', help: '`docker` (containers) or `kubernetes` (pods); required' },
  {
    name: 'selector',
    default: '',
    help: 'label selector k=v,... (docker: also container names); required',
  },
  { name: 'namespace', default: 'default', help: 'kubernetes namespace of the pods' },
  { name: 'container', default: '', help: "the container of each pod (default: the pod's first)" },
  {
    name: 'kubeconfig',
    default: '',
    help: 'kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)',
  },
  { name: 'docker-command', default: 'docker', help: 'container CLI: `docker` or `podman`' },
  { name: 'data-dir', default: '/coverdata', help: "the agent's data directory in the targets" },
  {
    name: 'methods',
    default: 'http,signal,attach,sigterm',
    help: 'the flush chain, tried in order until one is confirmed',
    multi: true,
  },
  { name: 'signal', default: 'SIGUSR1', help: 'the save signal of the `signal` method' },
  { name: 'agent-port', default: '9797', help: "the agent's listener port in the targets" },
  {
    name: 'flush-timeout',
    default: '10',
    help: 'seconds for each of `http`, `signal` and `attach`',
  },
  {
    name: 'attach-image',
    default: '',
    help: "`attach`'s injector image (default: the target's own)",
  },
  {
    name: 'attach-start',
    default: 'false',
    help: '`attach` starts coverage where none runs (3.14+)',
  },
  { name: 'graceful-timeout', default: '30', help: 'seconds for data after SIGTERM (`sigterm`)' },
  {
    name: 'path-map',
    default: '',
    help: 'container-prefix=local-path, e.g. /app=.',
    multi: true,
  },
  {
    name: 'formats',
    default: 'lcov,xml,json',
    help: 'reports: lcov, xml, json, html',
    multi: true,
  },
  {
    name: 'coverage-image',
    default: '',
    help: "image that runs coverage.py (default: python:<minor>-slim of the service's Python)",
  },
  { name: 'coverage-version', default: '', help: "coverage.py version (default: the service's)" },
  {
    name: 'coverage-config',
    default: '',
    help: "the project's coverage config (default: found as coverage.py finds it)",
  },
  {
    name: 'working-directory',
    default: '',
    help: 'where coverage.py runs for the reports (default: the current directory)',
  },
  {
    name: 'output-dir',
    default: 'coverage-harvest',
    help: 'where the reports go (relative to the current directory)',
  },
  {
    name: 'artifact-name',
    default: 'python-coverage',
    help: 'the GitHub artifact name (with --upload true)',
  },
  {
    name: 'reset',
    default: 'false',
    help: 'after saving, every agent process starts a fresh window (per-phase coverage)',
  },
  {
    name: 'upload',
    default: 'false',
    actionDefault: 'true',
    help: 'upload a GitHub Actions artifact: only inside a GitHub Actions job',
  },
  {
    name: 'summary',
    default: 'true',
    help: 'print the summary and write summary.md into the output directory',
  },
  {
    name: 'fail-under',
    default: '',
    help: 'exit 1 when total line coverage is below this percent',
  },
  {
    name: 'if-no-targets',
    default: 'error',
    help: 'no target matched: `error`, `warn` or `ignore`',
  },
  {
    name: 'fail-under-diff',
    default: '',
    help: 'GitHub pull requests: exit 1 when fewer of the changed lines ran',
  },
  {
    name: 'baseline',
    default: '',
    help: "the base branch's coverage.json or .coverage, for the change in the summary",
  },
  {
    name: 'extra-data',
    default: '',
    help: 'other coverage.py data files or globs to combine in',
    multi: true,
  },
  {
    name: 'comment',
    default: 'auto',
    help: 'the GitHub pull request comment: only inside a GitHub Actions pull request job (else off)',
  },
  {
    name: 'github-token',
    default: '',
    actionDefault: '${{ github.token }}',
    help: 'the token the pull request comment is written with',
  },
  { name: 'comment-key', default: '', help: "tells this job's comment apart from other jobs'" },
];
