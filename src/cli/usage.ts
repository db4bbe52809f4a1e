// The CLI's `--help` texts: one per command, the harvest options from the inputs catalog.
import { INPUT_OPTIONS } from './catalog.js';

export const MAIN_USAGE = `usage: pycov-harvest COMMAND [options]    (or: node dist/cli.js COMMAND ...)

commands:
  harvest    make every Python process of the targets save, copy the data out, combine it and
             write the reports (lcov, Cobertura XML, JSON, HTML) with coverage.py; print a summary
  context    switch every agent process of the targets to a context (which test runs now)
  serve      take context switches over HTTP on a loopback port, for a test harness

Run \`pycov-harvest COMMAND --help\` for a command's options. Exit status: 0 done, 1 failed,
2 usage error.`;

const TARGET_OPTIONS = `  --target docker|kubernetes    where the services run (required)
  --selector SELECTOR           label selector (k=v,...) or, for docker, container names (required)
  --namespace NAMESPACE         kubernetes namespace (default: default)
  --container NAME              the container of each pod (default: the first)
  --kubeconfig PATH             kubeconfig (default: KUBECONFIG, then in-cluster)
  --docker-command COMMAND      docker or podman (default: docker)
  --data-dir DIR                the agent's data dir in the targets (default: /coverdata)
  --agent-port PORT             the agent's listener port (default: 9797)
  --timeout SECONDS             how long each process may take to confirm (default: 10)`;

export const CONTEXT_USAGE = `usage: pycov-harvest context NAME --target docker|kubernetes --selector SELECTOR [options]

Switches every agent process of every matched target to the context NAME ('' for none): each
saves what ran since the previous switch under the previous context, then measures on under NAME.
Prints one line per target; exits 1 when a target did not confirm, 2 on a usage error.

options (as the action's inputs of the same names; --timeout is flush-timeout):
${TARGET_OPTIONS}`;

export const SERVE_USAGE = `usage: pycov-harvest serve --port PORT --target docker|kubernetes --selector SELECTOR [options]

Takes switches on http://127.0.0.1:PORT/context (POST {"context": NAME}) until SIGTERM or SIGINT.
Finds the targets once, keeps one channel per target open (a port-forward, a network route or an
exec'd relay), and looks for new or gone targets in the background; every switch is still
confirmed by every agent process. Answers 200 when every target confirmed, else 502.
Prints a ready line with the URL, then one line per target per switch.

options (as the action's inputs of the same names; --timeout is flush-timeout):
  --port PORT                   the runner loopback port (0: any free port, printed)
${TARGET_OPTIONS}`;

/** `harvest --help`: every input as an option, with its default. */
export function harvestUsage(): string {
  const rows = INPUT_OPTIONS.map((o) => {
    const value = o.name.toUpperCase().replace(/-/g, '_');
    const notes = [o.default === '' ? '' : `default: ${o.default}`, o.multi ? 'repeatable' : '']
      .filter((note) => note !== '')
      .join('; ');
    return `  --${o.name} ${value}\n        ${o.help}${notes === '' ? '' : ` (${notes})`}`;
  });
  return `usage: pycov-harvest harvest --target docker|kubernetes --selector SELECTOR [options]

Makes every Python process of the matched pods or containers save (the flush chain), copies the
data out, combines it and writes the reports with coverage.py in a container of the service's
Python, then prints the summary. Every input of the GitHub Action is an option of the same name;
relative paths start at the current directory. Writes into --output-dir: the reports, summary.md,
outputs.json (the action's outputs), contexts.json when tests switched contexts.
Exit status: 0 done, 1 failed (the reason on stderr, the summary on stdout), 2 usage error.

The pull request comment and the artifact are GitHub's: --comment works only inside a GitHub
Actions pull request job (it needs GITHUB_EVENT_PATH and GITHUB_REPOSITORY, and --github-token);
elsewhere it is off. --upload true works only inside a GitHub Actions job.

options:
${rows.join('\n')}`;
}
