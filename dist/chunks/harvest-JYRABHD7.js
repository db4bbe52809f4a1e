import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  FALLBACK_FILE_NAME,
  Warnings,
  branchPercent,
  formatBytes,
  formatDuration,
  formatPercent,
  linePercent,
  pipeline,
  renderFailure,
  renderSummary,
  targetsJson
} from "./chunk-BRHHWOQD.js";
import {
  INPUT_OPTIONS,
  UsageError,
  splitOptions,
  withOptionNames
} from "./chunk-QB3NRV5D.js";
import {
  getInputs
} from "./chunk-YFTCJTGO.js";
import "./chunk-DAOW7AH7.js";
import "./chunk-I5RFRLKJ.js";
import "./chunk-X6TKDANH.js";
import {
  errorText,
  logLine
} from "./chunk-MBSYBGZD.js";
import "./chunk-FSLHNYYV.js";

// src/cli/harvest.ts
import { mkdir as mkdir2, writeFile as writeFile2 } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/publish/terminal.ts
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// src/summary/text.ts
var TEXT_FILES_SHOWN = 10;
var TEXT_CONTEXTS_SHOWN = 10;
var RANGES_SHOWN = 8;
function terminalSafe(text) {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}
function columns(rows) {
  const widths = [];
  for (const row of rows)
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length));
  return rows.map(
    (row) => `  ${row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd()
  );
}
function lineRanges(lines, max = RANGES_SHOWN) {
  const ranges = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && (lines[j + 1] ?? 0) === (lines[j] ?? 0) + 1) j++;
    ranges.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  const shown = ranges.slice(0, max).join(", ");
  return ranges.length > max ? `${shown}, ... (+${ranges.length - max} more)` : shown;
}
function renderText(input) {
  return [
    ...headline(input),
    ...targets(input),
    ...mostMissed(input),
    ...contexts(input),
    ...warnings(input.warnings),
    ...reports(input.reports)
  ].join("\n");
}
function renderFailureText(input) {
  const lines = ["Python coverage: the harvest failed", `  ${terminalSafe(input.error)}`];
  lines.push(...targets(input));
  const attempts = input.targets.flatMap(
    (t) => t.attempts.map(
      (a) => `  ${terminalSafe(t.label)}: ${a.method} ${a.confirmed ? "confirmed" : "not confirmed"} in ${formatDuration(a.ms)}: ${terminalSafe(a.detail)}`
    )
  );
  if (attempts.length > 0) lines.push("", "Flush attempts", ...attempts);
  lines.push(...warnings(input.warnings));
  return lines.join("\n");
}
function headline(input) {
  const { totals } = input.coverage;
  const fileCount = Object.keys(input.coverage.files).length;
  const branches = branchPercent(totals);
  const lines = [
    `Python coverage, measured by coverage.py ${terminalSafe(input.coverage.meta.version)}`,
    `  total line coverage ${formatPercent(linePercent(totals))}% (${totals.covered_lines} of ${totals.num_statements} lines in ${fileCount} ${fileCount === 1 ? "file" : "files"})`
  ];
  if (branches !== void 0)
    lines.push(
      `  branch coverage ${formatPercent(branches)}% (${totals.covered_branches} of ${totals.num_branches} branches)`
    );
  if (input.baseline !== void 0)
    lines.push(`  change against the baseline: ${input.baseline.delta.toFixed(2)} points`);
  if (input.changed !== void 0)
    lines.push(`  changed lines covered: ${formatPercent(input.changed.percent)}%`);
  return lines;
}
function targets(input) {
  if (input.targets.length === 0) return [];
  const rows = input.targets.map((t) => [
    terminalSafe(t.label),
    t.method ?? "none",
    formatDuration(t.ms),
    `${t.files} ${t.files === 1 ? "file" : "files"}`,
    formatBytes(t.bytes),
    t.error === void 0 ? "" : terminalSafe(t.error)
  ]);
  return ["", "Targets", ...columns([["target", "method", "time", "files", "bytes", ""], ...rows])];
}
function mostMissed(input) {
  const missed = Object.entries(input.coverage.files).filter(([, file]) => file.missing_lines.length > 0).sort(
    ([a, fa], [b, fb]) => fb.missing_lines.length - fa.missing_lines.length || (a < b ? -1 : 1)
  );
  if (missed.length === 0) return [];
  const rows = missed.slice(0, TEXT_FILES_SHOWN).map(([name, file]) => [
    terminalSafe(name),
    `${file.missing_lines.length} of ${file.summary.num_statements}`,
    `${formatPercent(linePercent(file.summary))}%`,
    lineRanges(file.missing_lines)
  ]);
  const more = missed.length > TEXT_FILES_SHOWN ? [
    `  ... ${missed.length - TEXT_FILES_SHOWN} more file(s) with missed lines: see the reports`
  ] : [];
  return [
    "",
    "Files with the most missed lines",
    ...columns([["file", "missed", "covered", "missed lines"], ...rows]),
    ...more
  ];
}
function contexts(input) {
  const summary = input.contexts;
  if (summary === void 0) return [];
  const rows = summary.contexts.slice(0, TEXT_CONTEXTS_SHOWN).map((c) => [
    terminalSafe(JSON.stringify(c.name)),
    String(c.lines),
    String(c.unique),
    String(c.files)
  ]);
  const more = summary.contexts.length > TEXT_CONTEXTS_SHOWN ? [`  ... ${summary.contexts.length - TEXT_CONTEXTS_SHOWN} more: see the contexts file`] : [];
  return [
    "",
    `E2E tests: ${summary.contexts.length} context(s) ran ${summary.linesInContexts} line(s); ${summary.outsideOnly} line(s) ran only outside any test`,
    ...columns([["test", "lines", "only it", "files"], ...rows]),
    ...more
  ];
}
function warnings(list) {
  if (list.length === 0) return [];
  return ["", "Warnings", ...list.map((w) => `  - ${terminalSafe(w)}`)];
}
function reports(paths) {
  const rows = Object.entries(paths).filter((entry) => entry[1] !== void 0).map(([format, path]) => [format, terminalSafe(path)]);
  return rows.length === 0 ? [] : ["", "Reports", ...columns(rows)];
}

// src/publish/terminal.ts
var OUTPUTS_FILE = "outputs.json";
function outputsObject(outputs) {
  return {
    targets: JSON.parse(targetsJson(outputs.targets)),
    "lcov-file": outputs.lcovFile ?? "",
    "xml-file": outputs.xmlFile ?? "",
    percent: outputs.percent === void 0 ? "" : outputs.percent.toFixed(2),
    "artifact-id": outputs.artifactId === void 0 ? "" : String(outputs.artifactId),
    "artifact-url": outputs.artifactUrl ?? "",
    "contexts-file": outputs.contextsFile ?? "",
    "diff-percent": outputs.diffPercent ?? "",
    "diff-lines": outputs.diffLines ?? "",
    delta: outputs.delta ?? "",
    "comment-url": outputs.commentUrl ?? ""
  };
}
function terminalDestination(outputDir, print) {
  return {
    async summary(input) {
      print(`
${renderText(input)}
`);
      await mkdir(outputDir, { recursive: true });
      const file = join(outputDir, FALLBACK_FILE_NAME);
      await writeFile(file, renderSummary(input), "utf8");
      return file;
    },
    async commentNote(url, problem) {
      if (url !== void 0) print(`pull request comment: ${terminalSafe(url)}`);
      else if (problem !== void 0)
        print(`pull request comment not written: ${terminalSafe(problem)}`);
    },
    async outputs(outputs) {
      await mkdir(outputDir, { recursive: true });
      const text = `${JSON.stringify(outputsObject(outputs), null, 2)}
`;
      await writeFile(join(outputDir, OUTPUTS_FILE), text, "utf8");
    }
  };
}

// src/cli/harvest.ts
function parseHarvestArgs(rest, env, cwd) {
  const { values, positional } = splitOptions(rest, {
    known: INPUT_OPTIONS.map((o) => o.name),
    repeatable: INPUT_OPTIONS.filter((o) => o.multi).map((o) => o.name)
  });
  if (positional.length > 0)
    throw new UsageError(
      `\`harvest\` takes only options (got ${JSON.stringify(positional[0])}); write each input as \`--name value\``
    );
  if (!values.has("target")) throw new UsageError("`--target docker|kubernetes` is required");
  if (!values.has("selector")) throw new UsageError("`--selector` is required");
  const read = (name) => {
    const given = values.get(name);
    if (given !== void 0) return given;
    if (name === "upload") return "false";
    if (name === "comment") return env.GITHUB_EVENT_NAME ? "auto" : "never";
    return "";
  };
  const inputs = withOptionNames(
    () => getInputs(read, { ...env, GITHUB_WORKSPACE: cwd }),
    (input) => input
  );
  if (inputs.upload && !env.ACTIONS_RUNTIME_TOKEN)
    throw new UsageError(
      "`--upload true` uploads a GitHub Actions artifact, which only a GitHub Actions job can (ACTIONS_RUNTIME_TOKEN is not set); keep the files of `--output-dir` with your CI instead"
    );
  return inputs;
}
async function harvestCommand(rest, io) {
  let inputs;
  try {
    inputs = parseHarvestArgs(rest, io.env, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.fail(`pycov-harvest: ${error.message}`);
    io.fail("run `pycov-harvest harvest --help` for the options");
    return 2;
  }
  const state = {
    warnings: new Warnings(
      (message) => io.fail(`pycov-harvest: warning: ${terminalSafe(message)}`)
    ),
    outcomes: []
  };
  const reporter = {
    // Every line of the text summary may hold a target's words: none may become a workflow command.
    ...terminalDestination(
      inputs.outputDir,
      (text) => io.print(text.split("\n").map(logLine).join("\n"))
    ),
    stage: async (name, run) => {
      io.print(`== ${name}`);
      return run();
    },
    info: (line) => io.print(logLine(line))
  };
  try {
    await pipeline(inputs, state, reporter);
    return 0;
  } catch (error) {
    const message = errorText(error);
    const failure = { error: message, targets: state.outcomes, warnings: state.warnings.all() };
    if (inputs.summary) {
      io.print(`
${renderFailureText(failure)}
`);
      await writeFailureFile(inputs.outputDir, renderFailure(failure)).catch(
        (fileError) => io.fail(`pycov-harvest: could not write ${FALLBACK_FILE_NAME}: ${errorText(fileError)}`)
      );
    }
    io.fail(`pycov-harvest: ${terminalSafe(message)}`);
    return 1;
  }
}
async function writeFailureFile(outputDir, text) {
  await mkdir2(outputDir, { recursive: true });
  await writeFile2(join2(outputDir, FALLBACK_FILE_NAME), text, "utf8");
}
export {
  harvestCommand,
  parseHarvestArgs
};
