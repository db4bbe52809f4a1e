#!/usr/bin/env node
import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  INPUT_OPTIONS,
  UsageError,
  parseCliArgs,
  wantsHelp
} from "./chunks/chunk-QB3NRV5D.js";
import "./chunks/chunk-YFTCJTGO.js";
import {
  outcomeLine,
  switchAll
} from "./chunks/chunk-EE7VAVLJ.js";
import "./chunks/chunk-DAOW7AH7.js";
import {
  discoverTargets
} from "./chunks/chunk-I5RFRLKJ.js";
import "./chunks/chunk-X6TKDANH.js";
import {
  errorText,
  logLine
} from "./chunks/chunk-MBSYBGZD.js";
import "./chunks/chunk-FSLHNYYV.js";

// src/cli/usage.ts
var MAIN_USAGE = `usage: pycov-harvest COMMAND [options]    (or: node dist/cli.js COMMAND ...)

commands:
  harvest    make every Python process of the targets save, copy the data out, combine it and
             write the reports (lcov, Cobertura XML, JSON, HTML) with coverage.py; print a summary
  context    switch every agent process of the targets to a context (which test runs now)
  serve      take context switches over HTTP on a loopback port, for a test harness

Run \`pycov-harvest COMMAND --help\` for a command's options. Exit status: 0 done, 1 failed,
2 usage error.`;
var TARGET_OPTIONS = `  --target docker|kubernetes    where the services run (required)
  --selector SELECTOR           label selector (k=v,...) or, for docker, container names (required)
  --namespace NAMESPACE         kubernetes namespace (default: default)
  --container NAME              the container of each pod (default: the first)
  --kubeconfig PATH             kubeconfig (default: KUBECONFIG, then in-cluster)
  --docker-command COMMAND      docker or podman (default: docker)
  --data-dir DIR                the agent's data dir in the targets (default: /coverdata)
  --agent-port PORT             the agent's listener port (default: 9797)
  --timeout SECONDS             how long each process may take to confirm (default: 10)`;
var CONTEXT_USAGE = `usage: pycov-harvest context NAME --target docker|kubernetes --selector SELECTOR [options]

Switches every agent process of every matched target to the context NAME ('' for none): each
saves what ran since the previous switch under the previous context, then measures on under NAME.
Prints one line per target; exits 1 when a target did not confirm, 2 on a usage error.

options (as the action's inputs of the same names; --timeout is flush-timeout):
${TARGET_OPTIONS}`;
var SERVE_USAGE = `usage: pycov-harvest serve --port PORT --target docker|kubernetes --selector SELECTOR [options]

Takes switches on http://127.0.0.1:PORT/context (POST {"context": NAME}) until SIGTERM or SIGINT.
Finds the targets once, keeps one channel per target open (a port-forward, a network route or an
exec'd relay), and looks for new or gone targets in the background; every switch is still
confirmed by every agent process. Answers 200 when every target confirmed, else 502.
Prints a ready line with the URL, then one line per target per switch.

options (as the action's inputs of the same names; --timeout is flush-timeout):
  --port PORT                   the runner loopback port (0: any free port, printed)
${TARGET_OPTIONS}`;
function harvestUsage() {
  const rows = INPUT_OPTIONS.map((o) => {
    const value = o.name.toUpperCase().replace(/-/g, "_");
    const notes = [o.default === "" ? "" : `default: ${o.default}`, o.multi ? "repeatable" : ""].filter((note) => note !== "").join("; ");
    return `  --${o.name} ${value}
        ${o.help}${notes === "" ? "" : ` (${notes})`}`;
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
${rows.join("\n")}`;
}

// src/cli/cli.ts
var COMMAND_USAGE = {
  harvest: harvestUsage,
  context: () => CONTEXT_USAGE,
  serve: () => SERVE_USAGE
};
async function runCli(argv, printLine = (line) => process.stdout.write(`${line}
`), failLine = (line) => process.stderr.write(`${line}
`)) {
  const print = (line) => printLine(logLine(line));
  const fail = (line) => failLine(logLine(line));
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    const topic = rest[0] === void 0 ? void 0 : COMMAND_USAGE[rest[0]];
    printLine(topic === void 0 ? MAIN_USAGE : topic());
    return 0;
  }
  const usage = command === void 0 ? void 0 : COMMAND_USAGE[command];
  if (usage === void 0) {
    fail(
      `pycov-harvest: ${command === void 0 ? "no command given" : `unknown command \`${command}\``}`
    );
    failLine(MAIN_USAGE);
    return 2;
  }
  if (wantsHelp(rest)) {
    printLine(usage());
    return 0;
  }
  if (command === "harvest") {
    const { harvestCommand } = await import("./chunks/harvest-JYRABHD7.js");
    return harvestCommand(rest, {
      print: printLine,
      fail: failLine,
      env: process.env,
      cwd: process.cwd()
    });
  }
  return switchCommand(argv, print, fail);
}
async function switchCommand(argv, print, fail) {
  let request;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(`pycov-harvest: ${error.message}`);
    fail(`run \`pycov-harvest ${argv[0]} --help\` for the options`);
    return 2;
  }
  const { inputs, context } = request;
  if (request.command === "serve") {
    const { serve } = await import("./chunks/serve-5M73AS3X.js");
    return serve(inputs, request.port ?? 0, print, fail);
  }
  try {
    const discovery = await discoverTargets(inputs, (message) => fail(`pycov-harvest: ${message}`));
    if (discovery.targets.length === 0) {
      fail(`pycov-harvest: no ${discovery.searched} found; ${discovery.hint}`);
      return 1;
    }
    const outcomes = await switchAll(discovery.targets, context, {
      dataDir: inputs.dataDir,
      agentPort: inputs.agentPort,
      timeoutMs: inputs.flushTimeoutMs
    });
    for (const outcome of outcomes) print(outcomeLine(context, outcome));
    return outcomes.every((o) => o.ok) ? 0 : 1;
  } catch (error) {
    fail(`pycov-harvest: ${errorText(error)}`);
    return 1;
  }
}

// src/cli/main.ts
var write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk, ...rest) => typeof chunk === "string" && chunk.startsWith("::debug::") ? true : write(chunk, ...rest));
process.exitCode = await runCli(process.argv.slice(2));
