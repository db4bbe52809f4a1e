import { createRequire as __pycovCreateRequire } from 'node:module';
const require = __pycovCreateRequire(import.meta.url);
import {
  AgentClient,
  AnswerTooLargeError,
  ContainerCli,
  ContractError,
  ESCALATE_AFTER_SECONDS,
  EXEC_SLACK_MS,
  LOADER,
  MAX_BYTES_ALL_TARGETS,
  MAX_BYTES_PER_TARGET,
  MAX_DATA_FILES_PER_TARGET,
  MAX_DATA_FILE_BYTES,
  MAX_ENTRIES_PER_STREAM,
  MAX_FILE_NAME_CHARS,
  MAX_NAMED_FILES,
  MAX_SKIP_REASONS,
  MODULES,
  PACK_OVERHEAD_BYTES,
  TarReader,
  TargetSession,
  UnsafeArchiveError,
  arrayOf,
  attemptEvent,
  bool,
  connectionsEvent,
  convertResult,
  discoverTargets,
  epochSeconds,
  escalatedEvent,
  eventOf,
  eventsOf,
  failureOf,
  installResult,
  int,
  invocation,
  json,
  missingText,
  nullable,
  num,
  object,
  oneOf,
  optional,
  packOptions,
  probeEvent,
  runProgram,
  sentEvent,
  sigtermResult,
  splitOutput,
  str
} from "./chunk-I5RFRLKJ.js";
import {
  debug,
  group,
  info,
  setOutput,
  summary,
  warning
} from "./chunk-X6TKDANH.js";
import {
  clipped,
  errorLine,
  errorText,
  lastLine,
  logLine,
  quoted,
  withoutControls
} from "./chunk-MBSYBGZD.js";

// src/summary/input.ts
var STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;
var FALLBACK_FILE_NAME = "summary.md";
var DEFAULT_FILES_SHOWN = 10;
var MAX_FILE_ROWS = 100;
var MAX_RANGES_PER_CELL = 20;

// src/summary/summary.ts
import { appendFile, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

// src/shared/format.ts
function formatPercent(value) {
  const text = value.toFixed(2);
  if (text === "100.00" && value < 100) return "99.99";
  if (text === "0.00" && value > 0) return "0.01";
  return text;
}
function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
function formatDuration(ms) {
  return ms < 1e3 ? `${Math.round(ms)} ms` : `${(ms / 1e3).toFixed(1)} s`;
}

// src/summary/markdown.ts
var SPECIAL = /[&<>"'|*_`[\]\\~#@!]/g;
function escapeText(text) {
  return withoutControls(text.replace(/\r\n|[\r\n\u2028\u2029]/g, " ")).replace(
    SPECIAL,
    (c) => c === "@" ? MENTION_BREAK : `&#${c.codePointAt(0)};`
  );
}
var MENTION_BREAK = "&#64;&#8288;";
function missedParts(statements, missing, missingBranches = []) {
  const missed = new Set(missing);
  const sorted = [...new Set(statements)].sort((a, b) => a - b);
  const parts = [];
  let start;
  let end;
  const close = () => {
    if (start !== void 0 && end !== void 0) {
      parts.push({ from: start, to: end, text: start === end ? `${start}` : `${start}-${end}` });
    }
    start = end = void 0;
  };
  for (const line of sorted) {
    if (missed.has(line)) {
      start ??= line;
      end = line;
    } else {
      close();
    }
  }
  close();
  for (const [from, to] of missingBranches) {
    if (!missed.has(from) && !missed.has(to)) {
      parts.push({ from, to: from, text: `${from}->${to < 0 ? "exit" : to}` });
    }
  }
  return parts.sort((a, b) => a.from - b.from);
}
function linkedParts(parts, href, limit) {
  const shown2 = parts.slice(0, limit).map((part) => {
    const url = href(part.from, part.to);
    return url === void 0 ? escapeText(part.text) : `<a href="${escapeAttribute(url)}">${escapeText(part.text)}</a>`;
  });
  const more = parts.length - shown2.length;
  return more > 0 ? `${shown2.join(", ")} and ${more} more` : shown2.join(", ");
}
function escapeAttribute(value) {
  return value.replace(/[&<>"']/g, (c) => `&#${c.codePointAt(0)};`);
}

// src/report/baseline.ts
import { open } from "node:fs/promises";

// src/report/coverage-json.ts
import { readFile } from "node:fs/promises";
async function readCoverageJson(path6) {
  let text;
  try {
    text = await readFile(path6, "utf8");
  } catch (error) {
    throw new Error(
      `Cannot read the coverage JSON report ${path6}: ${error.message}. It is written by \`coverage json\` in the conversion step; its log above says why it is missing.`
    );
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The coverage JSON report ${path6} is not valid JSON (${error.message}); regenerate it with \`coverage json\`.`
    );
  }
  return parseCoverageJson(data, path6);
}
function parseCoverageJson(data, source = "the coverage JSON report") {
  const fail = (where, expected) => {
    throw new Error(
      `${source} is not a coverage.py JSON report: ${where} should be ${expected}. Produce it with \`coverage json\` (coverage.py 5.0 or newer).`
    );
  };
  const root = objectAt(data, "the top level", fail);
  const meta = objectAt(root.meta, "meta", fail);
  stringAt(meta.version, "meta.version", fail);
  booleanAt(meta.branch_coverage, "meta.branch_coverage", fail);
  const branch = meta.branch_coverage === true;
  const files = objectAt(root.files, "files", fail);
  for (const [name, entry] of Object.entries(files)) {
    const where = `files[${JSON.stringify(name)}]`;
    const file = objectAt(entry, where, fail);
    for (const key of ["executed_lines", "missing_lines", "excluded_lines"]) {
      lineListAt(file[key], `${where}.${key}`, fail);
    }
    numbersAt(file.summary, `${where}.summary`, branch, fail);
    if (branch) {
      arcListAt(file.executed_branches, `${where}.executed_branches`, fail);
      arcListAt(file.missing_branches, `${where}.missing_branches`, fail);
    }
    if (file.contexts !== void 0) contextsAt(file.contexts, `${where}.contexts`, fail);
  }
  numbersAt(root.totals, "totals", branch, fail);
  return data;
}
function linePercent(numbers) {
  return numbers.num_statements === 0 ? 100 : 100 * numbers.covered_lines / numbers.num_statements;
}
function branchPercent(numbers) {
  if (numbers.num_branches === void 0 || numbers.covered_branches === void 0) {
    return void 0;
  }
  return numbers.num_branches === 0 ? 100 : 100 * numbers.covered_branches / numbers.num_branches;
}
function objectAt(value, where, fail) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(where, "an object");
  }
  return value;
}
function stringAt(value, where, fail) {
  if (typeof value !== "string") fail(where, "a string");
}
function booleanAt(value, where, fail) {
  if (typeof value !== "boolean") fail(where, "true or false");
}
function lineListAt(value, where, fail) {
  if (!Array.isArray(value) || !value.every((n) => Number.isInteger(n))) {
    fail(where, "a list of line numbers");
  }
}
function arcListAt(value, where, fail) {
  const isArc = (a) => Array.isArray(a) && a.length === 2 && a.every((n) => Number.isInteger(n));
  if (!Array.isArray(value) || !value.every(isArc)) {
    fail(where, "a list of [from, to] line pairs (present when branch coverage is on)");
  }
}
function contextsAt(value, where, fail) {
  const byLine = objectAt(value, where, fail);
  for (const [line, names] of Object.entries(byLine)) {
    if (!/^\d+$/.test(line) || !Array.isArray(names) || !names.every((n) => typeof n === "string"))
      fail(`${where}[${JSON.stringify(line)}]`, "a list of context names keyed by line number");
  }
}
var LINE_FIELDS = [
  "covered_lines",
  "num_statements",
  "percent_covered",
  "missing_lines",
  "excluded_lines"
];
var BRANCH_FIELDS = [
  "num_branches",
  "num_partial_branches",
  "covered_branches",
  "missing_branches"
];
function numbersAt(value, where, branch, fail) {
  const numbers = objectAt(value, where, fail);
  const fields = branch ? [...LINE_FIELDS, ...BRANCH_FIELDS] : LINE_FIELDS;
  for (const key of fields) {
    const n = numbers[key];
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      fail(`${where}.${key}`, "a non-negative number");
    }
  }
  stringAt(numbers.percent_covered_display, `${where}.percent_covered_display`, fail);
}

// src/report/baseline.ts
var SQLITE_MAGIC = "SQLite format 3\0";
async function baselineKind(path6) {
  let handle;
  try {
    handle = await open(path6, "r");
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return void 0;
    }
  } catch {
    return void 0;
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString("latin1") === SQLITE_MAGIC ? "data" : "json";
  } finally {
    await handle.close();
  }
}
function compareToBaseline(head, base, repoPathOf2, renames = /* @__PURE__ */ new Map()) {
  const percentsOf = (coverage) => {
    const byPath = /* @__PURE__ */ new Map();
    for (const [name, file] of Object.entries(coverage.files)) {
      byPath.set(repoPathOf2(name) ?? name, linePercent(file.summary));
    }
    return byPath;
  };
  const headFiles = percentsOf(head);
  const baseFiles = percentsOf(base);
  const matched = /* @__PURE__ */ new Set();
  const files = [];
  for (const [path6, percent2] of headFiles) {
    const oldPath = baseFiles.has(path6) ? path6 : renames.get(path6);
    const basePercent2 = oldPath === void 0 ? void 0 : baseFiles.get(oldPath);
    if (oldPath !== void 0 && basePercent2 !== void 0) matched.add(oldPath);
    if (basePercent2 !== void 0 && formatPercent(basePercent2) === formatPercent(percent2)) {
      continue;
    }
    files.push({
      path: path6,
      renamedFrom: oldPath !== void 0 && oldPath !== path6 ? oldPath : void 0,
      percent: percent2,
      basePercent: basePercent2
    });
  }
  for (const [path6, basePercent2] of baseFiles) {
    if (!matched.has(path6) && !headFiles.has(path6)) {
      files.push({ path: path6, renamedFrom: void 0, percent: void 0, basePercent: basePercent2 });
    }
  }
  const order = (f) => f.percent !== void 0 && f.basePercent !== void 0 ? f.percent - f.basePercent : f.percent === void 0 ? 1e3 : 2e3;
  files.sort((a, b) => order(a) - order(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const percent = linePercent(head.totals);
  const basePercent = linePercent(base.totals);
  return { percent, basePercent, delta: percent - basePercent, files };
}
function formatDelta(delta) {
  const text = Math.abs(delta).toFixed(2);
  if (text === "0.00") return "0.00";
  return `${delta > 0 ? "+" : "-"}${text}`;
}

// src/summary/table.ts
var EMPTY = " ";
function headerRow(names) {
  return names.map((data) => ({ data, header: true }));
}
function tableHtml(rows2) {
  const before = summary.stringify();
  const table = summary.addTable(rows2).stringify().slice(before.length);
  summary.emptyBuffer().addRaw(before);
  return table;
}

// src/summary/contexts.ts
var TOP_CONTEXTS = 10;
var MAX_CONTEXT_ROWS = 300;
var MAX_REDUNDANT_NAMES = 100;
var code = (text) => `<code>${escapeText(text)}</code>`;
var plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
function rows(list) {
  return [
    headerRow(["Context", "Lines it ran", "Lines only it ran", "Files"]),
    ...list.map((c) => [code(c.name), String(c.lines), String(c.unique), String(c.files)])
  ];
}
function addContexts(summary2, full) {
  const { contexts } = summary2;
  summary.addHeading("E2E tests", 3);
  const redundant = contexts.filter((c) => c.unique === 0);
  summary.addRaw(
    `<p>${plural(contexts.length, "context", "contexts")} ran ${plural(summary2.linesInContexts, "line", "lines")}; ${plural(summary2.outsideOnly, "line", "lines")} ran only outside any context (startup, between tests); ${plural(redundant.length, "context ran", "contexts ran")} no line that no other context ran.</p>`,
    true
  );
  const top = contexts.filter((c) => c.unique > 0).slice(0, TOP_CONTEXTS);
  if (top.length > 0) {
    summary.addRaw(`<p>Top ${top.length} by lines only they ran:</p>`, true);
    summary.addTable(rows(top));
  }
  if (!full) return;
  if (contexts.length > top.length) {
    const byName = [...contexts].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const listed = byName.slice(0, MAX_CONTEXT_ROWS);
    const more = byName.length > listed.length ? `<p>and ${byName.length - listed.length} more in the <code>contexts-file</code></p>` : "";
    summary.addDetails(
      `All ${contexts.length} contexts, by name`,
      tableHtml(rows(listed)) + more
    );
  }
  if (redundant.length > 0) {
    const names = redundant.slice(0, MAX_REDUNDANT_NAMES).map((c) => code(c.name)).join(", ");
    const more = redundant.length > MAX_REDUNDANT_NAMES ? ` and ${redundant.length - MAX_REDUNDANT_NAMES} more` : "";
    summary.addDetails(
      `${plural(redundant.length, "context", "contexts")} that ran nothing other contexts did not`,
      `<p>${names}${more}</p>`
    );
  }
}

// src/pr/links.ts
var SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
var REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
function sourceLinks(env, sha, repoPathOf2) {
  const server = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const repository = env.GITHUB_REPOSITORY ?? "";
  if (sha === void 0 || !SHA.test(sha) || !REPOSITORY.test(repository)) return void 0;
  if (!/^https?:\/\/[^\s"<>]+$/.test(server)) return void 0;
  return { blobRoot: `${server}/${repository}/blob/${sha}/`, repoPathOf: repoPathOf2 };
}
function lineUrl(blobRoot, repoPath, from, to = from) {
  const path6 = repoPath.split("/").map(encodeURIComponent).join("/");
  return `${blobRoot}${path6}#L${from}${to === from ? "" : `-L${to}`}`;
}

// src/summary/missed-code.ts
var DEFAULT_CODE_CAPS = { perFile: 30, total: 100 };
var MAX_LINE_CHARS = 200;
function missedCode(changed, sources, links, caps) {
  const blocks = [];
  let budget = caps.total;
  let hiddenLines = 0;
  let hiddenFiles = 0;
  for (const file of changed.files.filter((f) => f.missed.length > 0)) {
    const room = Math.min(caps.perFile, budget);
    const shown2 = room > 0 ? fileBlock(file, sources?.get(file.path), links, room) : void 0;
    if (shown2 === void 0) {
      hiddenLines += file.missed.length;
      hiddenFiles += 1;
      continue;
    }
    blocks.push(shown2.markdown);
    budget -= shown2.lines;
    hiddenLines += shown2.hiddenStatements;
  }
  return { markdown: blocks.join("\n\n"), hiddenLines, hiddenFiles };
}
function fileBlock(file, text, links, room) {
  const parts = missedParts(file.fileStatements, file.missed);
  const out = [
    `<p><strong><code>${escapeText(file.path)}</code></strong>: ${file.missed.length} of ${file.statements.length} changed ${file.statements.length === 1 ? "statement" : "statements"} not executed</p>`
  ];
  let lines = 0;
  let shownMissed = 0;
  for (const part of parts) {
    if (lines >= room) break;
    const to = Math.min(part.to, part.from + (room - lines) - 1);
    const label = part.from === to ? `line ${part.from}` : `lines ${part.from}-${to}`;
    const url = links === void 0 ? void 0 : lineUrl(links.blobRoot, file.path, part.from, to);
    out.push(
      url === void 0 ? `<p>${label}</p>` : `<p><a href="${escapeAttribute(url)}">${label}</a></p>`
    );
    const code3 = text?.slice(part.from - 1, to);
    if (code3 !== void 0 && code3.length > 0) out.push(fenced(code3, part.from));
    lines += to - part.from + 1;
    shownMissed += file.missed.filter((line) => line >= part.from && line <= to).length;
  }
  return { markdown: out.join("\n\n"), lines, hiddenStatements: file.missed.length - shownMissed };
}
function fenced(code3, first) {
  const width = String(first + code3.length - 1).length;
  const body = code3.map((line, i) => `${String(first + i).padStart(width)}  ${clean(line)}`);
  const longest = Math.max(
    0,
    ...body.map((line) => Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length)))
  );
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}python
${body.join("\n")}
${fence}`;
}
function clean(line) {
  const text = line.replace(/(?!\t)[\p{Cc}\u2028\u2029]/gu, "");
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}\u2026` : text;
}

// src/summary/pull-request.ts
var MAX_CHANGED_ROWS = 50;
var MAX_BASELINE_ROWS = 25;
var MAX_RANGES = 20;
var MAX_NAMES = 20;
function moreNote(count, noun, reports) {
  const where = reports.html !== void 0 ? "the HTML report" : "coverage.json";
  return `and ${count} more ${noun} in ${where}`;
}
var code2 = (text) => `<code>${escapeText(text)}</code>`;
function headlineParagraphs(input) {
  const paragraphs = [];
  if (input.changedError !== void 0) {
    paragraphs.push(
      `<p><strong>Changed lines unknown:</strong> ${escapeText(input.changedError)}</p>`
    );
  }
  const changed = input.changed;
  if (changed !== void 0) {
    const who = input.e2eOnly === void 0 ? "The E2E run" : "The unit and E2E tests";
    if (changed.statements === 0) {
      paragraphs.push("<p>This pull request changes no statement that coverage.py measured.</p>");
    } else {
      let text = `${who} executed <strong>${formatPercent(changed.percent)}%</strong> of the lines this pull request changes (${changed.executed} of ${changed.statements} statements)`;
      const e2e = input.e2eOnly?.changed;
      if (e2e !== void 0) {
        text += `; the E2E run alone ${formatPercent(e2e.percent)}% (${e2e.executed} of ${e2e.statements})`;
      }
      paragraphs.push(`<p>${text}.</p>`);
    }
  }
  const baseline = input.baseline;
  if (baseline !== void 0) {
    paragraphs.push(
      `<p>Against the baseline: ${formatPercent(baseline.basePercent)}% \u2192 ${formatPercent(baseline.percent)}% of lines (${formatDelta(baseline.delta)} points)${input.baselineNote === void 0 ? "" : `; ${escapeText(input.baselineNote)}`}.</p>`
    );
  }
  return paragraphs;
}
function fileCell(file) {
  if (file.renamedFrom !== void 0)
    return `${code2(file.path)} (renamed from ${code2(file.renamedFrom)})`;
  return file.kind === "added" ? `${code2(file.path)} (new)` : code2(file.path);
}
function changedRow(file, links) {
  const parts = missedParts(file.fileStatements, file.missed);
  const missed = linkedParts(
    parts,
    (from, to) => links === void 0 ? void 0 : lineUrl(links.blobRoot, file.path, from, to),
    MAX_RANGES
  );
  return [fileCell(file), `${file.executed.length} of ${file.statements.length}`, missed || "none"];
}
function addChangedLines(changed, reports, links, sources) {
  if (changed.files.length === 0 && changed.unmeasured.length === 0) return;
  summary.addHeading("Changed lines", 3);
  if (changed.files.length > 0) {
    const listed = changed.files.slice(0, MAX_CHANGED_ROWS);
    summary.addTable([
      headerRow(["File", "Changed statements executed", "Not executed"]),
      ...listed.map((file) => changedRow(file, links))
    ]);
    if (changed.files.length > listed.length) {
      summary.addRaw(
        `<p>${moreNote(changed.files.length - listed.length, "changed files", reports)}.</p>`,
        true
      );
    }
    addMissedCode(changed, sources, links, reports);
  }
  if (changed.unmeasured.length > 0) {
    const names = changed.unmeasured.slice(0, MAX_NAMES).map(code2).join(", ");
    const more = changed.unmeasured.length - MAX_NAMES;
    summary.addRaw(
      `<p>Changed Python files that coverage.py did not measure at all (not imported by the services, or outside <code>source</code>): ${names}${more > 0 ? ` and ${more} more` : ""}.</p>`,
      true
    );
  }
}
function addMissedCode(changed, sources, links, reports) {
  const code3 = missedCode(changed, sources, links, DEFAULT_CODE_CAPS);
  if (code3.markdown === "") return;
  summary.addHeading("Changed lines not executed", 4);
  summary.addRaw(`
${code3.markdown}
`, true);
  if (code3.hiddenLines > 0) {
    const files = code3.hiddenFiles > 0 ? ` (${code3.hiddenFiles} more ${code3.hiddenFiles === 1 ? "file" : "files"})` : "";
    summary.addRaw(
      `<p>${moreNote(code3.hiddenLines, `changed lines not executed${files}`, reports)}.</p>`,
      true
    );
  }
}
function addBaseline(baseline) {
  summary.addHeading("Against the baseline", 3);
  if (baseline.files.length === 0) {
    summary.addRaw("<p>No file\u2019s line coverage changed.</p>", true);
    return;
  }
  const listed = baseline.files.slice(0, MAX_BASELINE_ROWS);
  const rows2 = listed.map((file) => [
    file.renamedFrom === void 0 ? code2(file.path) : `${code2(file.path)} (renamed from ${code2(file.renamedFrom)})`,
    file.basePercent === void 0 ? "new file" : `${formatPercent(file.basePercent)}%`,
    file.percent === void 0 ? "removed" : `${formatPercent(file.percent)}%`,
    file.percent === void 0 || file.basePercent === void 0 ? EMPTY : formatDelta(file.percent - file.basePercent)
  ]);
  summary.addTable([headerRow(["File", "Baseline", "Now", "Change"]), ...rows2]);
  const more = baseline.files.length - listed.length;
  if (more > 0) {
    summary.addRaw(
      `<p>and ${more} more ${more === 1 ? "file" : "files"} whose coverage changed.</p>`,
      true
    );
  }
}

// src/summary/files.ts
function addFiles(input, shown2) {
  const { coverage } = input;
  const branch = coverage.meta.branch_coverage;
  const files = Object.entries(coverage.files).filter(([, f]) => f.summary.num_statements > 0 || (f.summary.num_branches ?? 0) > 0).sort(([an, a], [bn, b]) => byLowestCoverage(an, a.summary, bn, b.summary));
  if (files.length === 0) return;
  summary.addHeading("Files, lowest coverage first", 3);
  const header = (branch ? ["File", "Lines", "Branches", "Missed"] : ["File", "Lines", "Missed"]).map((data) => ({ data, header: true }));
  const rowsOf = (list) => [
    header,
    ...list.map(([name, f]) => fileRow(name, f, branch, input.links))
  ];
  const listed = files.slice(0, MAX_FILE_ROWS);
  const open3 = listed.slice(0, Math.max(0, shown2));
  const folded = listed.slice(open3.length);
  if (open3.length > 0) summary.addTable(rowsOf(open3));
  if (folded.length > 0) {
    summary.addDetails(
      `${folded.length} more ${folded.length === 1 ? "file" : "files"}`,
      tableHtml(rowsOf(folded))
    );
  }
  const notes = [];
  if (files.length > listed.length)
    notes.push(moreNote(files.length - listed.length, "files", input.reports));
  const empty = Object.keys(coverage.files).length - files.length;
  if (empty > 0) {
    notes.push(
      `${empty} ${empty === 1 ? "file" : "files"} without statements (such as an empty <code>__init__.py</code>) not listed.`
    );
  }
  for (const note of notes) summary.addRaw(`<p>${note}</p>`, true);
}
function byLowestCoverage(aName, a, bName, b) {
  return a.percent_covered - b.percent_covered || b.missing_lines - a.missing_lines || (aName < bName ? -1 : aName > bName ? 1 : 0);
}
function fileRow(name, file, branch, links) {
  const s = file.summary;
  const statements = [...file.executed_lines, ...file.missing_lines];
  const parts = missedParts(
    statements,
    file.missing_lines,
    branch ? file.missing_branches ?? [] : []
  );
  const repoPath = links?.repoPathOf(name);
  const missed = linkedParts(
    parts,
    (from, to) => links === void 0 || repoPath === void 0 ? void 0 : lineUrl(links.blobRoot, repoPath, from, to),
    MAX_RANGES_PER_CELL
  );
  const row = [
    `<code>${escapeText(name)}</code>`,
    `${formatPercent(linePercent(s))}% (${s.covered_lines}/${s.num_statements})`
  ];
  if (branch) {
    const b = branchPercent(s);
    row.push(
      b === void 0 || s.num_branches === 0 ? EMPTY : `${formatPercent(b)}% (${s.covered_branches}/${s.num_branches})`
    );
  }
  row.push(missed || EMPTY);
  return row;
}

// src/summary/targets.ts
function addTargets(targets) {
  if (targets.length === 0) return;
  summary.addHeading("Targets", 3);
  const header = ["Target", "Method", "Time", "Files", "Bytes", "Failed attempts"].map(
    (data) => ({ data, header: true })
  );
  const rows2 = targets.map((t) => [
    escapeText(t.label),
    t.method ?? "<strong>none</strong>",
    formatDuration(t.ms),
    String(t.files),
    formatBytes(t.bytes),
    failures(t)
  ]);
  summary.addTable([header, ...rows2]);
}
function failures(target) {
  const lines = target.attempts.filter((a) => !a.confirmed).map((a) => `${a.method} (${formatDuration(a.ms)}): ${escapeText(a.detail)}`);
  if (target.error !== void 0) lines.push(`<strong>${escapeText(target.error)}</strong>`);
  return lines.join("<br>") || EMPTY;
}
function addAttempts(targets) {
  const lines = targets.flatMap(
    (t) => t.attempts.map(
      (a) => `${escapeText(t.label)}: ${a.method} ${a.confirmed ? "confirmed" : "not confirmed"} in ${formatDuration(a.ms)}: ${escapeText(a.detail)}`
    )
  );
  if (lines.length === 0) return;
  summary.addHeading("Flush attempts", 3);
  summary.addList(lines);
}
var MAX_WARNINGS_LISTED = 50;
function addWarnings(warnings) {
  if (warnings.length === 0) return;
  summary.addHeading("Warnings", 3);
  const shown2 = warnings.slice(0, MAX_WARNINGS_LISTED).map(escapeText);
  const more = warnings.length - shown2.length;
  if (more > 0) shown2.push(`and ${more} more, in the step's log`);
  summary.addList(shown2);
}

// src/summary/render.ts
function renderSummary(input, options = {}) {
  const pending = summary.stringify();
  summary.emptyBuffer();
  try {
    addHeadline(input);
    const full = options.filesNote === void 0;
    if (options.headlineOnly !== true && input.changed !== void 0) {
      addChangedLines(input.changed, input.reports, input.links, input.sources);
    }
    if (full && input.baseline !== void 0) addBaseline(input.baseline);
    if (options.headlineOnly !== true) addTargets(input.targets);
    if (options.headlineOnly !== true && input.contexts !== void 0) {
      addContexts(input.contexts, full);
    }
    if (full) {
      addFiles(input, options.filesShown ?? DEFAULT_FILES_SHOWN);
    } else {
      summary.addRaw(`<p>${escapeText(options.filesNote)}</p>`, true);
    }
    if (options.headlineOnly !== true) {
      addWarnings(input.warnings);
      addReports(input.reports);
    }
    return summary.stringify();
  } finally {
    summary.emptyBuffer().addRaw(pending);
  }
}
function addHeadline(input) {
  const { coverage, baseline, changed } = input;
  const totals = coverage.totals;
  const parts = [`${formatPercent(linePercent(totals))}% of lines`];
  if (baseline !== void 0) parts[0] += ` (${formatSignedPoints(baseline.delta)})`;
  const branches = branchPercent(totals);
  if (branches !== void 0) parts.push(`${formatPercent(branches)}% of branches`);
  if (changed !== void 0) parts.push(`${formatPercent(changed.percent)}% of changed lines`);
  const scope = input.e2eOnly === void 0 ? "" : " (unit + E2E)";
  summary.addHeading(`Python coverage${scope}: ${parts.join(", ")}`, 2);
  for (const paragraph of headlineParagraphs(input)) summary.addRaw(paragraph, true);
  if (input.e2eOnly !== void 0) addScopes(input, input.e2eOnly);
  const counts = [`${totals.covered_lines} of ${totals.num_statements} lines`];
  if (branches !== void 0) {
    counts.push(`${totals.covered_branches} of ${totals.num_branches} branches`);
  }
  const fileCount = Object.keys(coverage.files).length;
  summary.addRaw(
    `<p>${counts.join(", ")} in ${fileCount} ${fileCount === 1 ? "file" : "files"}, measured by coverage.py ${escapeText(coverage.meta.version)}. Total as <code>coverage report</code> gives it with the project's settings: ${escapeText(totals.percent_covered_display)}%.</p>`,
    true
  );
}
function formatSignedPoints(delta) {
  const text = formatDelta(delta);
  return text === "0.00" ? "\xB10.00" : text;
}
function addScopes(input, e2e) {
  const withChanged = input.changed !== void 0;
  const header = [
    "Tests",
    "Lines",
    "Branches",
    ...withChanged ? ["Changed lines"] : []
  ].map((data) => ({ data, header: true }));
  const row = (label, coverage, changed) => {
    const t = coverage.totals;
    const b = branchPercent(t);
    const cells = [
      label,
      `${formatPercent(linePercent(t))}% (${t.covered_lines}/${t.num_statements})`,
      b === void 0 ? "not measured" : `${formatPercent(b)}% (${t.covered_branches}/${t.num_branches})`
    ];
    if (withChanged) {
      cells.push(
        changed === void 0 ? EMPTY : `${formatPercent(changed.percent)}% (${changed.executed}/${changed.statements})`
      );
    }
    return cells;
  };
  summary.addTable([
    header,
    row("E2E only", e2e.coverage, e2e.changed),
    row("Unit + E2E", input.coverage, input.changed)
  ]);
}
function addReports(reports) {
  const entries = [
    ["lcov", reports.lcov],
    ["Cobertura XML", reports.xml],
    ["JSON", reports.json],
    ["HTML", reports.html]
  ];
  const written = entries.flatMap(([kind, path6]) => path6 ? [[kind, path6]] : []);
  if (written.length === 0) return;
  summary.addRaw(
    `<p>Reports: ${written.map(([kind, path6]) => `${kind} <code>${escapeText(path6)}</code>`).join(", ")}</p>`,
    true
  );
}

// src/summary/summary.ts
async function writeJobSummary(input, fallbackDir, options = {}) {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return { written: false };
  const already = await sizeOf(summaryFile);
  const full = renderSummary(input);
  if (already + Buffer.byteLength(full, "utf8") <= STEP_SUMMARY_LIMIT_BYTES) {
    await appendFile(summaryFile, full, "utf8");
    return { written: true };
  }
  await mkdir(fallbackDir, { recursive: true });
  const fallbackFile = join(fallbackDir, FALLBACK_FILE_NAME);
  await writeFile(fallbackFile, full, "utf8");
  const where = options.artifactName === void 0 ? `The full summary is in ${fallbackFile} on the runner.` : `The full summary is ${FALLBACK_FILE_NAME} in the artifact ${options.artifactName}.`;
  const fileCount = Object.keys(input.coverage.files).length;
  let short2 = renderSummary(input, {
    filesNote: `The per-file tables for ${fileCount} files do not fit in the job summary (GitHub allows 1 MiB per step; this step's summary would take ${formatBytes(already + Buffer.byteLength(full, "utf8"))}). ${where}`
  });
  if (already + Buffer.byteLength(short2, "utf8") > STEP_SUMMARY_LIMIT_BYTES) {
    short2 = renderSummary(input, {
      filesNote: `The summary is too large for the job summary. ${where}`,
      headlineOnly: true
    });
  }
  await appendFile(summaryFile, short2, "utf8");
  return { written: true, fallbackFile };
}
async function sizeOf(path6) {
  try {
    return (await stat(path6)).size;
  } catch {
    return 0;
  }
}
function renderFailure(input) {
  const pending = summary.stringify();
  summary.emptyBuffer();
  try {
    summary.addHeading("Python coverage: the harvest failed", 2);
    summary.addRaw(`<p><strong>${escapeText(input.error)}</strong></p>`, true);
    addTargets(input.targets);
    addAttempts(input.targets);
    addWarnings(input.warnings);
    return summary.stringify();
  } finally {
    summary.emptyBuffer().addRaw(pending);
  }
}
async function writeFailureSummary(input) {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (!summaryFile) return false;
  let text = renderFailure(input);
  const room = STEP_SUMMARY_LIMIT_BYTES - await sizeOf(summaryFile);
  if (Buffer.byteLength(text, "utf8") > room)
    text = renderFailure({ ...input, targets: [], warnings: [] });
  if (Buffer.byteLength(text, "utf8") > room) return false;
  await appendFile(summaryFile, text, "utf8");
  return true;
}

// src/harvest/harvest-all.ts
import { mkdir as mkdir2, rm } from "node:fs/promises";
import { join as join4 } from "node:path";

// src/shared/log.ts
function info2(line) {
  info(logLine(line));
}

// src/shared/paths.ts
import { isAbsolute, join as join2, relative } from "node:path";
function targetDirName(index, label) {
  const slug = label.replace(/^(container|pod)\s+/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 60);
  return `${String(index + 1).padStart(2, "0")}-${slug || "target"}`;
}
function dataDirOf(outputDir) {
  return join2(outputDir, "data");
}
function displayPath(path6, workspace) {
  const rel = relative(workspace, path6);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path6 : rel;
}

// src/shared/pool.ts
async function mapPool(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// src/harvest/byte-budget.ts
var ByteBudget = class {
  constructor(limit) {
    this.limit = limit;
  }
  limit;
  used = 0;
  /** Takes `bytes`, or refuses the entry that would pass the bound (naming it). */
  take(bytes, what) {
    if (this.used + bytes > this.limit)
      throw new UnsafeArchiveError(
        `${what} would take the data of all targets past ${this.limit} bytes, the bound of one run`
      );
    this.used += bytes;
  }
  give(bytes) {
    this.used = Math.max(0, this.used - bytes);
  }
};

// src/harvest/archive.ts
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, renameSync, rmSync, utimesSync, writeSync } from "node:fs";
import { join as join3 } from "node:path";

// src/harvest/skipped.ts
function someNames(names) {
  const shown2 = names.slice(0, MAX_NAMED_FILES).map((n) => quoted(n));
  const more = names.length - shown2.length;
  return more > 0 ? `${shown2.join(", ")} and ${more} more` : shown2.join(", ");
}
function groupBy(items, key) {
  const groups = /* @__PURE__ */ new Map();
  for (const item of items) {
    const k = key(item);
    const group2 = groups.get(k);
    if (group2 === void 0) groups.set(k, [item]);
    else group2.push(item);
  }
  return [...groups.entries()];
}
function skippedWarnings(label, skipped) {
  const data = skipped.filter((s) => s.name.startsWith(".coverage"));
  const groups = groupBy(data, (s) => s.reason);
  const warnings = groups.slice(0, MAX_SKIP_REASONS).map(([reason, files]) => {
    const first = files[0];
    return files.length === 1 && first !== void 0 ? `${label}: data file ${quoted(first.name)} (${first.size} bytes) was not copied: ${clipped(reason)}` : `${label}: ${files.length} data files were not copied, ${clipped(reason)}: ${someNames(files.map((f) => f.name))}`;
  });
  const rest = groups.slice(MAX_SKIP_REASONS);
  if (rest.length > 0) {
    const files = rest.reduce((sum, [, group2]) => sum + group2.length, 0);
    warnings.push(
      `${label}: ${files} more data file(s) were not copied, for ${rest.length} other reasons`
    );
  }
  return warnings;
}
function copyWarnings(label, received) {
  const warnings = skippedWarnings(label, received.skipped);
  const renamed = received.renamed ?? [];
  if (renamed.length > 0)
    warnings.push(
      `${label}: ${renamed.length} data file(s) came with names coverage.py does not write (${someNames(renamed.map((r) => r.sent))}), so they are kept as .coverage.renamed-<n>`
    );
  return warnings;
}
function malformedWarnings(label, malformed) {
  return groupBy(malformed, (m) => m.reason).slice(0, MAX_SKIP_REASONS).map(
    ([reason, bad]) => `${label}: ignored ${bad.length} malformed agent registration(s) (${clipped(reason)}): ${someNames(bad.map((b) => b.name))}`
  );
}

// src/harvest/data-files.ts
function isDataFileName(name) {
  if (name !== ".coverage" && !name.startsWith(".coverage.")) return false;
  return !/-(journal|wal|shm)$/.test(name);
}
function dataFileEntryName(entryName, dataDir) {
  const parts = entryName.split("/");
  const dirName = dataDir.split("/").filter((part) => part !== "").pop();
  const name = parts.length === 1 ? parts[0] : parts.length === 2 && parts[0] === dirName ? parts[1] : void 0;
  return name !== void 0 && isDataFileName(name) ? name : void 0;
}
var PLAIN_DATA_FILE = /^\.coverage(\.[A-Za-z0-9_.-]+)?$/;
function runnerFileName(sent, used) {
  if (sent.length <= MAX_FILE_NAME_CHARS && PLAIN_DATA_FILE.test(sent) && !used.has(sent))
    return sent;
  for (let n = 1; ; n++) {
    const name = `.coverage.renamed-${n}`;
    if (!used.has(name)) return name;
  }
}

// src/harvest/archive.ts
var MANIFEST_NAME = ".pycov-harvest-manifest.json";
var MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
var manifestCheck = object({
  version: int,
  files: arrayOf(object({ name: str, size: int, mtime: num, sha256: str })),
  skipped: arrayOf(object({ name: str, size: int, reason: str }))
});
var IncompleteArchiveError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "IncompleteArchiveError";
  }
};
var DataReceiver = class {
  constructor(destDir, bounds, source, via, dataDir = "") {
    this.destDir = destDir;
    this.bounds = bounds;
    this.source = source;
    this.via = via;
    this.dataDir = dataDir;
    mkdirSync(destDir, { recursive: true });
    this.incomingDir = join3(destDir, ".incoming");
    rmSync(this.incomingDir, { recursive: true, force: true });
    mkdirSync(this.incomingDir);
    this.reader = new TarReader(
      {
        maxBytes: bounds.maxBytes,
        maxFileBytes: MAX_DATA_FILE_BYTES,
        maxEntries: MAX_ENTRIES_PER_STREAM,
        // A packer never sends links or devices; a stopped target's data directory may hold them.
        special: via === "copy" ? "skip" : "refuse"
      },
      {
        onFile: (header) => this.sinkFor(header),
        onSpecial: (name, kind) => this.skipSpecial(name, kind)
      }
    );
  }
  destDir;
  bounds;
  source;
  via;
  dataDir;
  incomingDir;
  reader;
  incoming = [];
  special = [];
  manifest;
  manifestBytes = 0;
  failure;
  bytes = 0;
  charged = 0;
  /** Bytes of the stream seen so far. */
  get received() {
    return this.bytes;
  }
  /** Whether the stream was refused already: what follows need not be read. */
  get failed() {
    return this.failure !== void 0;
  }
  push(chunk) {
    if (this.failure !== void 0) return;
    this.bytes += chunk.length;
    try {
      this.reader.push(chunk);
    } catch (error) {
      this.failure = error;
    }
  }
  /** Keeps what checks out, names what stayed behind, removes everything else. */
  finish() {
    let kept = 0;
    try {
      if (this.failure !== void 0) throw this.failure;
      this.reader.end();
      const received = this.via === "copy" ? this.keepByName() : this.keepByManifest();
      kept = received.files.reduce((sum, f) => sum + f.bytes, 0);
      return received;
    } finally {
      this.bounds.budget?.give(this.charged - kept);
      rmSync(this.incomingDir, { recursive: true, force: true });
    }
  }
  /** Nothing came after all (the program did not pack), or the stream failed: leave no trace. */
  discard() {
    this.bounds.budget?.give(this.charged);
    this.charged = 0;
    rmSync(this.incomingDir, { recursive: true, force: true });
  }
  sinkFor(header) {
    if (this.via !== "copy" && header.name === MANIFEST_NAME) return this.manifestSink();
    const wanted = this.via === "copy" ? dataFileEntryName(header.name, this.dataDir) !== void 0 && header.size > 0 : isDataFileName(header.name);
    if (!wanted) return void 0;
    if (this.incoming.length >= MAX_DATA_FILES_PER_TARGET)
      throw new UnsafeArchiveError(
        `the archive holds more than ${MAX_DATA_FILES_PER_TARGET} data files, the bound of one target`
      );
    this.bounds.budget?.take(header.size, `entry ${quoted(header.name)}`);
    this.charged += header.size;
    const path6 = join3(this.incomingDir, String(this.incoming.length));
    const fd = openSync(path6, "wx", 420);
    const hash = createHash("sha256");
    return {
      write: (chunk) => {
        hash.update(chunk);
        let at = 0;
        while (at < chunk.length) at += writeSync(fd, chunk, at);
      },
      close: () => {
        closeSync(fd);
        this.incoming.push({ header, path: path6, sha256: hash.digest("hex") });
      }
    };
  }
  manifestSink() {
    this.manifest = [];
    return {
      write: (chunk) => {
        this.manifestBytes += chunk.length;
        if (this.manifestBytes > MAX_MANIFEST_BYTES)
          throw new UnsafeArchiveError(
            `the manifest from ${this.source} is larger than ${MAX_MANIFEST_BYTES} bytes, the bound of one`
          );
        this.manifest?.push(Buffer.from(chunk));
      },
      close: () => void 0
    };
  }
  /** A link, device or FIFO in a stopped target's data directory: left there, with the reason. */
  skipSpecial(entryName, kind) {
    const name = dataFileEntryName(entryName, this.dataDir);
    if (name !== void 0) this.special.push({ name, size: 0, reason: `a ${kind}` });
  }
  keepByManifest() {
    if (this.manifest === void 0) {
      throw new IncompleteArchiveError(
        `the data files from ${this.source} arrived without their manifest, so the stream was cut off (${this.bytes} bytes); run the step again, and check the target's logs if it stopped meanwhile`
      );
    }
    let manifest;
    try {
      manifest = manifestCheck(
        JSON.parse(Buffer.concat(this.manifest).toString("utf8")),
        "manifest",
        "pack"
      );
    } catch (error) {
      if (error instanceof ContractError) throw error;
      throw new IncompleteArchiveError(
        `the manifest of the data files from ${this.source} is not JSON`
      );
    }
    const byName = /* @__PURE__ */ new Map();
    for (const copy of this.incoming) {
      const same = byName.get(copy.header.name);
      if (same === void 0) byName.set(copy.header.name, [copy]);
      else same.push(copy);
    }
    const chosen = manifest.files.map((file) => ({
      file,
      copy: byName.get(file.name)?.find((c) => c.header.size === file.size && c.sha256 === file.sha256)
    }));
    const lost = chosen.filter((c) => c.copy === void 0).map((c) => c.file.name);
    if (lost.length > 0) {
      throw new IncompleteArchiveError(
        `${lost.length} data file(s) from ${this.source} do not match their manifest (${someNames(lost)}); the stream was damaged on the way, run the step again`
      );
    }
    return this.keep(
      chosen.flatMap((c) => c.copy === void 0 ? [] : [c.copy]),
      manifest.skipped
    );
  }
  keepByName() {
    return this.keep(this.incoming, this.special);
  }
  keep(copies, skipped) {
    const used = /* @__PURE__ */ new Set();
    const renamed = [];
    const files = copies.map((copy) => {
      const sent = this.via === "copy" ? dataFileEntryName(copy.header.name, this.dataDir) ?? "" : copy.header.name;
      const name = runnerFileName(sent, used);
      used.add(name);
      if (name !== sent) renamed.push({ sent, kept: name });
      const path6 = join3(this.destDir, name);
      renameSync(copy.path, path6);
      if (copy.header.mtime > 0) utimesSync(path6, copy.header.mtime, copy.header.mtime);
      return { path: path6, bytes: copy.header.size, mtime: copy.header.mtime };
    });
    return { files, skipped, via: this.via, ...renamed.length > 0 ? { renamed } : {} };
  }
};
function refusedData(error, what) {
  if (!(error instanceof UnsafeArchiveError)) return error;
  return new UnsafeArchiveError(
    `refused ${what} (${error.message}); its data is left out, check what was planted in its data directory`
  );
}

// src/harvest/copy-outside.ts
async function copyFromOutside(target, settings, destDir) {
  if (target.copyFromOutside === void 0)
    throw new Error(`${target.label}: its files cannot be read from outside`);
  const receiver = new DataReceiver(destDir, settings, target.label, "copy", settings.dataDir);
  try {
    await target.copyFromOutside(
      settings.dataDir,
      settings.maxBytes + PACK_OVERHEAD_BYTES,
      (chunk) => receiver.push(chunk)
    );
  } catch (error) {
    receiver.discard();
    throw error;
  }
  try {
    return receiver.finish();
  } catch (error) {
    throw refusedData(error, "the copy of the data directory");
  }
}

// src/harvest/versions.ts
var PYTHON_VERSION = /^\d{1,2}\.\d{1,3}\.\d{1,3}((a|b|rc)\d{1,3})?\+?$/;
var COVERAGE_VERSION = /^\d{1,4}\.\d{1,4}(\.\d{1,4})?((a|b|rc)\d{1,4})?(\.post\d{1,4})?(\.dev\d{1,4})?$/;
function checkedVersions(versions, label) {
  if (versions === null) return { versions, warnings: [] };
  const warnings = [];
  const check = (value, pattern, what) => {
    if (value === null || pattern.test(value)) return value;
    warnings.push(
      `${label} reports ${what} version ${quoted(value, 60)}, which is not a version; it is ignored for choosing the conversion's toolchain`
    );
    return null;
  };
  return {
    versions: {
      python: check(versions.python, PYTHON_VERSION, "Python"),
      coverage: check(versions.coverage, COVERAGE_VERSION, "coverage.py")
    },
    warnings
  };
}
function shownPython(version) {
  return PYTHON_VERSION.test(version) ? version : quoted(version, 60);
}

// src/harvest/agent-route.ts
var statusCheck = object({
  processes: arrayOf(
    object({
      pid: int,
      python: str,
      coverage: str,
      executable: optional(str),
      port: nullable(int)
    })
  )
});
var flushCheck = object({
  ok: bool,
  seq: nullable(int),
  acks: arrayOf(object({ pid: int })),
  missing: arrayOf(object({ pid: int, reason: str }))
});
async function harvestOverRoute(session, settings, destDir) {
  const { target } = session;
  if (target.routeToAgent === void 0) return { reached: false, reason: "no route to the agent" };
  let route;
  try {
    route = await target.routeToAgent(settings.agentPort);
  } catch (error) {
    return { reached: false, reason: errorText(error) };
  }
  try {
    const client = new AgentClient(session, route, settings);
    const status = await askStatus(client, route, session);
    if ("reason" in status) return { reached: false, reason: status.reason };
    const { versions } = status;
    const attempt = await flushOverRoute(client, route, settings);
    if (!attempt.confirmed) return { reached: true, versions, attempt };
    const receiver = new DataReceiver(destDir, settings, target.label, "agent");
    let dataStatus;
    try {
      dataStatus = await client.stream(
        "data",
        (chunk) => receiver.push(chunk),
        () => receiver.failed
      );
    } catch (error) {
      dataStatus = `failed (${errorText(error)})`;
    }
    if (dataStatus !== 200) {
      receiver.discard();
      const how = typeof dataStatus === "number" ? `answered HTTP ${dataStatus}` : dataStatus;
      return { reached: true, versions, attempt, dataProblem: `GET /pycov-harvest/data ${how}` };
    }
    try {
      return { reached: true, versions, attempt, received: receiver.finish() };
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return {
        reached: true,
        versions,
        attempt,
        dataProblem: `refused the data stream of GET /pycov-harvest/data (${error.message})`
      };
    }
  } finally {
    await route.close();
  }
}
function isRefusal(error) {
  return error instanceof UnsafeArchiveError || error instanceof IncompleteArchiveError || error instanceof ContractError;
}
async function askStatus(client, route, session) {
  let status;
  try {
    status = await client.request("GET", "status");
  } catch (error) {
    if (error instanceof AnswerTooLargeError) return { reason: error.message };
    return { reason: `no agent listener answered through ${route.via} (${errorText(error)})` };
  }
  if (status.status !== 200) {
    return {
      reason: `the agent listener answered HTTP ${status.status} to a status request through ${route.via}`
    };
  }
  const processes = statusCheck(json(status), "status", "agent listener").processes;
  session.registered.push(
    ...processes.flatMap((p) => p.executable?.startsWith("/") ? [p.executable] : [])
  );
  const first = processes[0];
  return { versions: { python: first?.python ?? null, coverage: first?.coverage ?? null } };
}
async function flushOverRoute(client, route, settings) {
  const began = performance.now();
  let answer;
  try {
    answer = await client.request("POST", "flush", {
      timeout: settings.flushTimeoutMs / 1e3,
      ...settings.reset === true ? { reset: true } : {}
    });
  } catch (error) {
    if (!(error instanceof AnswerTooLargeError)) throw error;
    const ms2 = Math.round(performance.now() - began);
    return { method: "http", confirmed: false, ms: ms2, detail: error.message };
  }
  const ms = Math.round(performance.now() - began);
  const flush = answer.status === 200 || answer.status === 504 ? flushCheck(json(answer), "flush", "agent listener") : void 0;
  if (answer.status !== 200 || flush?.ok !== true) {
    const missing = missingText(flush?.missing ?? []);
    return {
      method: "http",
      confirmed: false,
      ms,
      detail: `the agent answered HTTP ${answer.status} through ${route.via}${missing ? ` (${missing})` : ""}`
    };
  }
  return {
    method: "http",
    confirmed: true,
    ms,
    detail: `${flush.acks.length} agent process(es) acknowledged flush #${flush.seq ?? "?"}${settings.reset === true ? " (reset)" : ""} through ${route.via}`
  };
}

// src/harvest/attach.ts
import { randomBytes } from "node:crypto";

// src/remote/attach-events.ts
var attachFacts = {
  route: optional(oneOf("ptrace", "remote_exec")),
  trigger_ms: optional(int),
  answer_ms: optional(int),
  tid: optional(int),
  syscall: optional(str),
  tries: optional(int),
  wakes: optional(int),
  busy: optional(int),
  remote_exec_refused: optional(str)
};
var attachedEvent = object({
  pid: int,
  data_file: str,
  bytes: int,
  coverage: nullable(str),
  core: nullable(str),
  python: nullable(str),
  started: optional(nullable(epochSeconds)),
  ...attachFacts
});
var startedEvent = object({
  pid: int,
  data_file: str,
  coverage: nullable(str),
  core: nullable(str),
  ...attachFacts
});
var refusedEvent = object({
  pid: int,
  reason: str,
  cause: oneOf("denied", "disabled", "no-coverage", ""),
  ...attachFacts
});

// src/harvest/attach-text.ts
var MAX_SENTENCE = 600;
var MAX_REFUSALS = 2;
var sentence = (text) => clipped(text, MAX_SENTENCE);
function describe(inside2, beside, besideProblem, attachImage) {
  const parts = [];
  const saved = (answer, where2) => {
    if (answer.attached.length === 0) return;
    const how = [...new Set(answer.attached.map(howText))].join(", ");
    parts.push(`${answer.attached.length} process(es) saved their coverage ${where2} (${how})`);
  };
  saved(inside2, "from inside the target");
  const started = [...inside2.started, ...beside?.started ?? []];
  if (started.length > 0)
    parts.push(
      `started coverage (${[...new Set(started.map((s) => clipped(s.core ?? "?", 40)))].join(", ")}) in ${started.length} process(es) that ran none (\`attach-start\`): it measures from now on, nothing of it ran yet; harvest again after the tests`
    );
  const where = `from an injector container (${attachImage === "" ? "the target's own image" : attachImage})`;
  if (beside !== void 0) saved(beside, where);
  const refusals = (answer, prefix) => {
    for (const r of answer.refused.slice(0, MAX_REFUSALS))
      parts.push(`${prefix}${sentence(r.reason)}`);
    const more = answer.refused.length - MAX_REFUSALS;
    if (more > 0) parts.push(`${prefix}${more} more process(es) refused likewise`);
  };
  if (beside === void 0) refusals(inside2, "");
  else {
    refusals(
      { attached: [], started: [], refused: inside2.refused.filter((r) => r.cause !== "denied") },
      ""
    );
    const denied = inside2.refused.filter((r) => r.cause === "denied");
    if (denied[0] !== void 0)
      parts.push(
        `from inside the target: ${sentence(denied[0].reason)}${denied.length > 1 ? ` (and ${denied.length - 1} more)` : ""}`
      );
    refusals(beside, `${where}: `);
  }
  if (besideProblem !== void 0) parts.push(besideProblem);
  return parts.join("; ");
}
function howText(event) {
  if (event.route === "remote_exec") return "sys.remote_exec";
  const caught = event.syscall === void 0 ? "" : `, thread caught in ${clipped(event.syscall, 40)}`;
  return `ptrace pending call${caught}`;
}
function measuredFrom(final, label) {
  const since = final.attached.flatMap((a) => a.started == null ? [] : [a.started]);
  const pids = [...final.attached.filter((a) => a.started != null), ...final.started].map(
    (e) => e.pid
  );
  if (pids.length === 0) return [];
  const from = since.length === 0 ? Date.now() / 1e3 : Math.min(...since);
  return [
    `${label}: coverage in ${pids.length} process(es) (pid ${pids.join(", ")}) measures only from ${new Date(from * 1e3).toISOString()} on, when \`attach\` started it (\`attach-start\`): lines that ran before then are not measured`
  ];
}
function outsideDataDir(attached, dataDir, label) {
  const prefix = dataDir.endsWith("/") ? dataDir : `${dataDir}/`;
  return attached.filter((a) => !a.data_file.startsWith(prefix)).map((a) => {
    const dir = a.data_file.slice(0, Math.max(1, a.data_file.lastIndexOf("/")));
    return `${label}: pid ${a.pid} saved its coverage to ${quoted(a.data_file)}, outside \`data-dir\` (${dataDir}), so it is not copied; set \`data-dir\` to ${quoted(dir)}, or point the service's \`[run] data_file\` into ${dataDir}`;
  });
}

// src/harvest/attach.ts
var PROGRAM = MODULES["pycov_harvest_remote.attach_program"] ?? "";
var HELPERS = /multiprocessing\.(resource_tracker|forkserver|semaphore_tracker)/;
function attachCandidates(processes) {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const measured = (p, depth = 0) => p !== void 0 && depth < 64 && (p.coverage_run || p.coverage_startup || measured(byPid.get(p.ppid), depth + 1));
  return processes.filter((p) => !HELPERS.test(p.argv.join(" ")) && measured(p));
}
function startCandidates(processes) {
  const ours = LOADER.split("\n")[0] ?? LOADER;
  return processes.filter(
    (p) => !HELPERS.test(p.argv.join(" ")) && !p.argv.some((a) => a.startsWith(ours))
  );
}
async function attachMethod(session, settings, report) {
  const began = performance.now();
  const done = (confirmed2, detail, warnings = []) => ({
    attempt: { method: "attach", confirmed: confirmed2, detail, ms: Math.round(performance.now() - began) },
    warnings,
    started: false
  });
  let picked = attachCandidates(report.processes);
  const run = picked.length === 0 && settings.attachStart === true ? { settings, startFile: `${settings.dataDir.replace(/\/+$/, "")}/.coverage` } : { settings };
  if (run.startFile !== void 0) picked = startCandidates(report.processes);
  if (picked.length === 0)
    return done(
      false,
      report.processes.length === 0 ? "no Python process runs in the target" : "no process runs `coverage run` (or COVERAGE_PROCESS_START) to attach to; `attach-start: true` starts coverage in a Python 3.14+ service that has it installed"
    );
  const inside2 = await runRoute(session, picked, run, "inside");
  const denied = inside2.refused.filter((r) => r.cause === "denied");
  let beside;
  let besideProblem;
  if (denied.length > 0) {
    if (session.target.runBeside === void 0) {
      besideProblem = `${session.target.kind} targets have no injector container`;
    } else {
      const again = picked.filter((p) => denied.some((r) => r.pid === p.pid));
      beside = await runRoute(session, again, run, "beside");
    }
  }
  const final = merge(inside2, beside);
  const asked = final.attached.length + final.refused.filter((r) => r.cause !== "no-coverage").length;
  const confirmed = final.attached.length > 0 && final.attached.length === asked;
  const label = session.target.label;
  return {
    ...done(confirmed, describe(inside2, beside, besideProblem, settings.attachImage ?? ""), [
      ...outsideDataDir(final.attached, settings.dataDir, label),
      ...measuredFrom(final, label)
    ]),
    started: final.started.length > 0
  };
}
async function runRoute(session, processes, run, route) {
  const label = session.target.label;
  const { settings } = run;
  if (route === "inside")
    return answerOf(await runAttach(session, processes, run, route), processes, label);
  const groups = /* @__PURE__ */ new Map();
  for (const p of processes) {
    const exe = (settings.attachImage ?? "") !== "" ? "python3" : p.executable ?? "python3";
    groups.set(exe, [...groups.get(exe) ?? [], p]);
  }
  const answers = await Promise.all(
    [...groups.entries()].map(
      async ([exe, group2]) => answerOf(await runAttach(session, group2, run, route, exe), group2, label)
    )
  );
  return {
    attached: answers.flatMap((a) => a.attached),
    refused: answers.flatMap((a) => a.refused),
    started: answers.flatMap((a) => a.started)
  };
}
async function runAttach(session, processes, { settings, startFile }, route, executable) {
  const args = {
    ...startFile === void 0 ? {} : { start: startFile },
    pids: processes.map((p) => p.pid),
    timeout: settings.flushTimeoutMs / 1e3,
    route: "auto",
    program: PROGRAM,
    nonce: randomBytes(8).toString("hex"),
    starts: Object.fromEntries(
      processes.flatMap((p) => p.starttime == null ? [] : [[String(p.pid), p.starttime]])
    )
  };
  const timeoutMs = settings.flushTimeoutMs + EXEC_SLACK_MS;
  try {
    if (route === "inside") return await session.run("attach", args, { timeoutMs });
    const image = settings.attachImage ?? "";
    return await runProgram(session.target, executable ?? "python3", "attach", args, {
      timeoutMs,
      beside: image === "" ? {} : { image }
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
function answerOf(run, processes, label) {
  const failure = typeof run === "string" ? run : failureOf(run, label);
  if (typeof run !== "string" && failure === void 0) {
    const answered = /* @__PURE__ */ new Set();
    const asked = new Set(processes.map((p) => p.pid));
    const once = (events) => events.filter((e) => asked.has(e.pid) && !answered.has(e.pid) && answered.add(e.pid));
    const refused = once(eventsOf("attach", run.output, "refused", refusedEvent));
    const started = once(eventsOf("attach", run.output, "started", startedEvent));
    const attached = once(eventsOf("attach", run.output, "attached", attachedEvent));
    const silent = processes.filter((p) => !answered.has(p.pid));
    return {
      attached,
      started,
      refused: [
        ...refused,
        ...silent.map((p) => ({
          pid: p.pid,
          reason: "no answer from the attach program",
          cause: ""
        }))
      ]
    };
  }
  return {
    attached: [],
    started: [],
    refused: processes.map((p) => ({
      pid: p.pid,
      reason: failure ?? "",
      cause: "denied"
    }))
  };
}
function merge(inside2, beside) {
  if (beside === void 0) return inside2;
  const retried = new Set(
    [...beside.attached, ...beside.refused, ...beside.started].map((e) => e.pid)
  );
  return {
    attached: [...inside2.attached, ...beside.attached],
    started: [...inside2.started, ...beside.started],
    refused: [...inside2.refused.filter((r) => !retried.has(r.pid)), ...beside.refused]
  };
}

// src/harvest/in-target.ts
async function runInTarget(session, settings, methods, pack, destDir) {
  const waits = methods.length * settings.flushTimeoutMs;
  const receiver = new DataReceiver(destDir, settings, session.target.label, "pack");
  let run;
  try {
    run = await session.run(
      "harvest",
      {
        data_dir: settings.dataDir,
        methods,
        timeout: settings.flushTimeoutMs / 1e3,
        signal: settings.signal,
        pack,
        ...settings.reset === true ? { reset: true } : {},
        // The runner's bounds: the packer leaves what is over them in the target, with the reason.
        max_file_bytes: MAX_DATA_FILE_BYTES,
        max_files: MAX_DATA_FILES_PER_TARGET
      },
      {
        ...packOptions(settings),
        timeoutMs: packOptions(settings).timeoutMs + waits + EXEC_SLACK_MS,
        onTar: (chunk) => receiver.push(chunk)
      }
    );
    session.check(run);
  } catch (error) {
    receiver.discard();
    throw error;
  }
  const report = eventOf("harvest", run.output, "probe", probeEvent);
  if (report === void 0) throw new ContractError("harvest", "probe", "printed first", void 0);
  const attempts = eventsOf("harvest", run.output, "attempt", attemptEvent);
  const confirmed = attempts.some((a) => a.confirmed);
  if (!run.output.tarStarted) {
    receiver.discard();
    if (pack === "always" || pack === "if-confirmed" && confirmed)
      throw new ContractError("harvest", "tar", "a tar stream after the attempts", void 0);
    return { report, attempts, confirmed };
  }
  try {
    return { report, attempts, confirmed, received: receiver.finish() };
  } catch (error) {
    throw refusedData(error, "the data files the packer in the target sent");
  }
}
async function packNow(session, settings, destDir) {
  const { received } = await runInTarget(session, settings, [], "always", destDir);
  if (received === void 0) throw new Error(`${session.target.label}: the packer sent no data`);
  return received;
}

// src/harvest/sigterm.ts
function shown(value, format) {
  return value !== null && format.test(value) ? value : JSON.stringify(value);
}
var PEER = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]{2,45}\]):\d{1,5}$/;
var shownPeer = (peer) => shown(peer, PEER);
function connectionsLine(label, seen) {
  const graceful = seen.graceful === null ? "none" : `${seen.graceful} s`;
  const server = `uvicorn ${shown(seen.uvicorn, /^[0-9A-Za-z.+!_-]{1,40}$/)} on Python ${shown(seen.python, /^\d+\.\d+(?:\.\d+)?$/)} (pid ${seen.pid}, event loop ${shown(seen.loop, /^\w{1,20}$/)}, graceful timeout ${graceful})`;
  if (seen.error !== void 0) return `${label}: ${server}: ${JSON.stringify(seen.error)}`;
  const open3 = seen.connections.map(
    (c) => `${shownPeer(c.peer)} ${shown(c.state, /^[A-Z_0-9]{1,12}$/)}`
  );
  const verdict = seen.cannot_force_quit ? "; no signal ends its shutdown while one is open (the force-quit table)" : "";
  return `${label}: ${server}: ${open3.length} open connection(s) that may hold its shutdown${open3.length > 0 ? ` (${open3.join(", ")})` : ""}${verdict}`;
}
function gracefulWarnings(processes, label, stuck = []) {
  const flags = {
    uvicorn: "--timeout-graceful-shutdown 5",
    gunicorn: "--graceful-timeout 5",
    hypercorn: "--graceful-timeout 5"
  };
  return processes.filter(
    (p) => p.top && p.server !== null && p.graceful_timeout === null && !p.agent_env && !stuck.includes(p.pid)
  ).map(
    (p) => `${label}: ${p.server} (pid ${p.pid}) has no graceful-shutdown timeout, so on SIGTERM it waits for open connections forever and pycov-harvest had to force it to quit; add \`${flags[p.server ?? "uvicorn"]}\` to the server command, or use the agent (PYCOV_HARVEST=1), which saves before the shutdown begins`
  );
}
async function sigtermMethod(session, settings, destDir) {
  const began = performance.now();
  const run = await session.run(
    "sigterm",
    {
      data_dir: settings.dataDir,
      timeout: settings.gracefulTimeoutMs / 1e3,
      escalate_after: Math.min(ESCALATE_AFTER_SECONDS, settings.gracefulTimeoutMs / 2e3)
    },
    { timeoutMs: settings.gracefulTimeoutMs + EXEC_SLACK_MS }
  );
  const result = eventOf("sigterm", run.output, "result", sigtermResult);
  const held = result?.held?.map((c) => shownPeer(c.peer)) ?? [];
  const attempt = (confirmed, detail) => ({
    method: "sigterm",
    confirmed,
    detail,
    ms: Math.round(performance.now() - began),
    ...result?.stuck === true ? { stuck: true } : {},
    ...held.length > 0 ? { held } : {}
  });
  const servers = eventsOf("sigterm", run.output, "connections", connectionsEvent);
  const sent = eventOf("sigterm", run.output, "sent", sentEvent);
  const escalated = eventOf("sigterm", run.output, "escalated", escalatedEvent);
  if (result !== void 0) {
    if (!result.sent) return { attempt: attempt(false, result.reason), servers };
    return {
      attempt: attempt(result.confirmed, result.reason),
      received: await readAfter(session, settings, destDir),
      servers
    };
  }
  if (sent === void 0) {
    return {
      attempt: attempt(
        false,
        failureOf(run, session.target.label) ?? "the SIGTERM program printed nothing"
      ),
      servers
    };
  }
  const received = await readAfter(session, settings, destDir);
  const fresh = received.files.filter((f) => f.bytes > 0 && f.mtime >= Math.floor(sent.t0));
  const how = escalated === void 0 ? "SIGTERM" : "SIGTERM and SIGINT (force quit)";
  return {
    attempt: attempt(
      fresh.length > 0,
      fresh.length > 0 ? `the target stopped after ${how}, leaving ${fresh.length} fresh data file(s)` : `the target stopped after ${how} without writing a data file; set \`[run] sigterm = true\` in the service's coverage configuration, or use the agent (PYCOV_HARVEST=1)`
    ),
    received,
    servers
  };
}
async function readAfter(session, settings, destDir) {
  const { target } = session;
  if (target.copyFromOutside !== void 0) return copyFromOutside(target, settings, destDir);
  if (target.waitForRestart !== void 0 && !await target.isRunning())
    await target.waitForRestart();
  return packNow(session, settings, destDir);
}

// src/harvest/harvest-target.ts
var MAX_DETAIL_CHARS = 1e3;
var Record = class {
  constructor(target, log) {
    this.target = target;
    this.log = log;
  }
  target;
  log;
  attempts = [];
  warnings = [];
  versions = null;
  method = null;
  /** The versions the target reported, each one checked (versions.ts). */
  reported(versions) {
    const checked = checkedVersions(versions, this.target.label);
    this.versions = checked.versions;
    this.warnings.push(...checked.warnings);
  }
  attempt(reported) {
    const attempt = { ...reported, detail: clipped(reported.detail, MAX_DETAIL_CHARS) };
    this.attempts.push(attempt);
    if (attempt.confirmed && this.method === null) this.method = attempt.method;
    this.log(
      `${this.target.label}: ${attempt.method} ${attempt.confirmed ? "confirmed" : "not confirmed"} in ${attempt.ms} ms: ${attempt.detail}`
    );
  }
  probed(report) {
    this.reported(report.versions);
    this.log(
      `${this.target.label}: Python ${shownPython(report.python)}, ${report.agents.length} agent process(es), ${report.processes.length} Python process(es), ${report.data_files.length} data file(s) before the flush`
    );
    if (!report.data_dir_exists)
      this.warnings.push(
        `${this.target.label}: the data directory does not exist in the target; check \`data-dir\``
      );
    this.warnings.push(...malformedWarnings(this.target.label, report.malformed));
  }
  finish(received, error) {
    const files = received?.files ?? [];
    if (received !== void 0) this.warnings.push(...copyWarnings(this.target.label, received));
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    if (received !== void 0)
      this.log(
        `${this.target.label}: copied ${files.length} data file(s), ${bytes} bytes (via ${received.via})`
      );
    const confirmedAt = this.attempts.findIndex((a) => a.confirmed);
    const counted = confirmedAt < 0 ? this.attempts : this.attempts.slice(0, confirmedAt + 1);
    const outcome = {
      label: this.target.label,
      method: this.method,
      ms: counted.reduce((sum, a) => sum + a.ms, 0),
      files: files.length,
      bytes,
      attempts: this.attempts,
      ...error === void 0 ? {} : { error }
    };
    return { outcome, files, versions: this.versions, warnings: this.warnings };
  }
};
async function harvestTarget(target, options) {
  const record = new Record(target, options.log);
  try {
    const received = await chain(target, options, record);
    const method = record.method;
    if (options.settings.reset === true && method !== null && method !== "http")
      record.warnings.push(
        `${target.label}: \`reset\` needs the \`http\` method, but ${method} saved the data, so no fresh window started there and its next harvest holds this one's data too; keep the agent's listener on (PYCOV_HARVEST_PORT)`
      );
    return record.finish(received);
  } catch (error) {
    return record.finish(void 0, errorText(error));
  }
}
var inTargetMethod = (m) => m === "http" || m === "signal";
async function chain(target, options, record) {
  const { settings, destDir } = options;
  const session = new TargetSession(target, settings.dataDir);
  if (!await target.isRunning()) return readStopped(target, options, record);
  let inTarget = settings.methods.filter(inTargetMethod);
  const wantsSigterm = settings.methods.includes("sigterm");
  const wantsAttach = settings.methods.includes("attach");
  if (inTarget[0] === "http" && target.routeToAgent !== void 0) {
    const forwarded = await harvestOverRoute(session, settings, destDir);
    if (!forwarded.reached) {
      options.log(`${target.label}: ${forwarded.reason}; asking the agent from inside the target`);
    } else {
      record.reported(forwarded.versions);
      record.attempt(forwarded.attempt);
      if (forwarded.received !== void 0) return forwarded.received;
      if (forwarded.attempt.confirmed) {
        options.log(
          `${target.label}: ${forwarded.dataProblem ?? "no data"}; packing inside the target`
        );
        inTarget = [];
      } else {
        inTarget = inTarget.slice(1);
      }
    }
  }
  const confirmedAlready = record.method !== null;
  const run = await runInTarget(
    session,
    settings,
    inTarget,
    (wantsSigterm || wantsAttach) && !confirmedAlready ? "if-confirmed" : "always",
    destDir
  );
  record.probed(run.report);
  for (const attempt of run.attempts) record.attempt(attempt);
  if (run.received !== void 0) {
    if (!run.confirmed && !confirmedAlready) record.warnings.push(noConfirmation(target, record));
    return run.received;
  }
  if (wantsAttach) {
    const received = await attachStep(session, options, record, run.report, wantsSigterm);
    if (received !== void 0) return received;
  }
  return sigtermStep(session, options, record, run.report);
}
async function sigtermStep(session, options, record, report) {
  const { target } = session;
  const { settings, destDir } = options;
  const sigterm = await sigtermMethod(session, settings, destDir);
  for (const seen of sigterm.servers) options.log(connectionsLine(target.label, seen));
  const stuck = sigterm.attempt.stuck === true ? sigterm.servers.filter((s) => s.cannot_force_quit).map((s) => s.pid) : [];
  record.warnings.push(...gracefulWarnings(report.processes, target.label, stuck));
  record.attempt(sigterm.attempt);
  if (!sigterm.attempt.confirmed && sigterm.attempt.stuck !== true)
    record.warnings.push(noConfirmation(target, record));
  if (sigterm.received !== void 0) return sigterm.received;
  return packNow(session, settings, destDir);
}
async function attachStep(session, options, record, report, wantsSigterm) {
  const { attempt, warnings, started } = await attachMethod(session, options.settings, report);
  record.attempt(attempt);
  record.warnings.push(...warnings);
  if (!attempt.confirmed && wantsSigterm && !started) return void 0;
  if (!attempt.confirmed) record.warnings.push(noConfirmation(session.target, record));
  return packNow(session, options.settings, options.destDir);
}
function noConfirmation(target, record) {
  return `${target.label}: no flush method confirmed a save (${record.attempts.map((a) => `${a.method}: ${a.detail}`).join("; ")}); copying the data files already there`;
}
async function readStopped(target, options, record) {
  record.warnings.push(
    `${target.label} is not running, so nothing was flushed; copying the data files it left behind`
  );
  if (target.copyFromOutside === void 0)
    throw new Error(
      `${target.label} is not running and its files cannot be read from outside; run this step while the services are up`
    );
  return copyFromOutside(target, options.settings, options.destDir);
}

// src/harvest/harvest-all.ts
var HARVEST_CONCURRENCY = 8;
async function harvestAll(inputs, targets) {
  const dataRoot = dataDirOf(inputs.outputDir);
  await rm(dataRoot, { recursive: true, force: true });
  await mkdir2(dataRoot, { recursive: true });
  const settings = {
    dataDir: inputs.dataDir,
    agentPort: inputs.agentPort,
    flushTimeoutMs: inputs.flushTimeoutMs,
    reset: inputs.reset,
    gracefulTimeoutMs: inputs.gracefulTimeoutMs,
    signal: inputs.signal,
    methods: inputs.methods,
    attachImage: inputs.attachImage,
    attachStart: inputs.attachStart,
    maxBytes: MAX_BYTES_PER_TARGET,
    budget: new ByteBudget(MAX_BYTES_ALL_TARGETS)
  };
  return mapPool(
    targets,
    HARVEST_CONCURRENCY,
    (target, index) => harvestTarget(target, {
      settings,
      destDir: join4(dataRoot, targetDirName(index, target.label)),
      log: info2
    })
  );
}
function stuckMessage(outcomes) {
  const stuck = outcomes.flatMap(
    (o) => o.attempts.filter((a) => a.stuck === true).map((a) => `${o.label}: ${a.detail}`)
  );
  return stuck.length > 0 ? stuck.join("; ") : void 0;
}
function noDataMessage(harvests, dataDir) {
  const stuck = stuckMessage(harvests.map((h) => h.outcome));
  if (stuck !== void 0) return stuck;
  const failed = harvests.filter((h) => h.outcome.error !== void 0);
  const first = failed[0]?.outcome.error;
  if (first !== void 0 && failed.length === harvests.length) return first;
  const reasons = harvests.flatMap((h) => {
    const last = h.outcome.attempts[h.outcome.attempts.length - 1];
    return last !== void 0 && !last.confirmed ? [`${last.method}: ${last.detail}`] : [];
  });
  const why = reasons.length > 0 ? ` (last flush attempt: ${[...new Set(reasons)].join("; ")})` : "";
  return `no coverage data found in ${dataDir} of ${harvests.length} target(s)${why}; check \`data-dir\` and that the services run with the agent (PYCOV_HARVEST=1) or under \`coverage run\``;
}

// src/pr/plan.ts
import { mkdir as mkdir3, rm as rm3 } from "node:fs/promises";
import { join as join8, relative as relative3 } from "node:path";

// node_modules/@actions/glob/lib/internal-globber.js
import * as fs from "fs";

// node_modules/@actions/glob/lib/internal-glob-options-helper.js
function getOptions(copy) {
  const result = {
    followSymbolicLinks: true,
    implicitDescendants: true,
    matchDirectories: true,
    omitBrokenSymbolicLinks: true,
    excludeHiddenFiles: false
  };
  if (copy) {
    if (typeof copy.followSymbolicLinks === "boolean") {
      result.followSymbolicLinks = copy.followSymbolicLinks;
      debug(`followSymbolicLinks '${result.followSymbolicLinks}'`);
    }
    if (typeof copy.implicitDescendants === "boolean") {
      result.implicitDescendants = copy.implicitDescendants;
      debug(`implicitDescendants '${result.implicitDescendants}'`);
    }
    if (typeof copy.matchDirectories === "boolean") {
      result.matchDirectories = copy.matchDirectories;
      debug(`matchDirectories '${result.matchDirectories}'`);
    }
    if (typeof copy.omitBrokenSymbolicLinks === "boolean") {
      result.omitBrokenSymbolicLinks = copy.omitBrokenSymbolicLinks;
      debug(`omitBrokenSymbolicLinks '${result.omitBrokenSymbolicLinks}'`);
    }
    if (typeof copy.excludeHiddenFiles === "boolean") {
      result.excludeHiddenFiles = copy.excludeHiddenFiles;
      debug(`excludeHiddenFiles '${result.excludeHiddenFiles}'`);
    }
  }
  return result;
}

// node_modules/@actions/glob/lib/internal-globber.js
import * as path5 from "path";

// node_modules/@actions/glob/lib/internal-path-helper.js
import * as path from "path";
import assert from "assert";
var IS_WINDOWS = process.platform === "win32";
function dirname2(p) {
  p = safeTrimTrailingSeparator(p);
  if (IS_WINDOWS && /^\\\\[^\\]+(\\[^\\]+)?$/.test(p)) {
    return p;
  }
  let result = path.dirname(p);
  if (IS_WINDOWS && /^\\\\[^\\]+\\[^\\]+\\$/.test(result)) {
    result = safeTrimTrailingSeparator(result);
  }
  return result;
}
function ensureAbsoluteRoot(root, itemPath) {
  assert(root, `ensureAbsoluteRoot parameter 'root' must not be empty`);
  assert(itemPath, `ensureAbsoluteRoot parameter 'itemPath' must not be empty`);
  if (hasAbsoluteRoot(itemPath)) {
    return itemPath;
  }
  if (IS_WINDOWS) {
    if (itemPath.match(/^[A-Z]:[^\\/]|^[A-Z]:$/i)) {
      let cwd = process.cwd();
      assert(cwd.match(/^[A-Z]:\\/i), `Expected current directory to start with an absolute drive root. Actual '${cwd}'`);
      if (itemPath[0].toUpperCase() === cwd[0].toUpperCase()) {
        if (itemPath.length === 2) {
          return `${itemPath[0]}:\\${cwd.substr(3)}`;
        } else {
          if (!cwd.endsWith("\\")) {
            cwd += "\\";
          }
          return `${itemPath[0]}:\\${cwd.substr(3)}${itemPath.substr(2)}`;
        }
      } else {
        return `${itemPath[0]}:\\${itemPath.substr(2)}`;
      }
    } else if (normalizeSeparators(itemPath).match(/^\\$|^\\[^\\]/)) {
      const cwd = process.cwd();
      assert(cwd.match(/^[A-Z]:\\/i), `Expected current directory to start with an absolute drive root. Actual '${cwd}'`);
      return `${cwd[0]}:\\${itemPath.substr(1)}`;
    }
  }
  assert(hasAbsoluteRoot(root), `ensureAbsoluteRoot parameter 'root' must have an absolute root`);
  if (root.endsWith("/") || IS_WINDOWS && root.endsWith("\\")) {
  } else {
    root += path.sep;
  }
  return root + itemPath;
}
function hasAbsoluteRoot(itemPath) {
  assert(itemPath, `hasAbsoluteRoot parameter 'itemPath' must not be empty`);
  itemPath = normalizeSeparators(itemPath);
  if (IS_WINDOWS) {
    return itemPath.startsWith("\\\\") || /^[A-Z]:\\/i.test(itemPath);
  }
  return itemPath.startsWith("/");
}
function hasRoot(itemPath) {
  assert(itemPath, `isRooted parameter 'itemPath' must not be empty`);
  itemPath = normalizeSeparators(itemPath);
  if (IS_WINDOWS) {
    return itemPath.startsWith("\\") || /^[A-Z]:/i.test(itemPath);
  }
  return itemPath.startsWith("/");
}
function normalizeSeparators(p) {
  p = p || "";
  if (IS_WINDOWS) {
    p = p.replace(/\//g, "\\");
    const isUnc = /^\\\\+[^\\]/.test(p);
    return (isUnc ? "\\" : "") + p.replace(/\\\\+/g, "\\");
  }
  return p.replace(/\/\/+/g, "/");
}
function safeTrimTrailingSeparator(p) {
  if (!p) {
    return "";
  }
  p = normalizeSeparators(p);
  if (!p.endsWith(path.sep)) {
    return p;
  }
  if (p === path.sep) {
    return p;
  }
  if (IS_WINDOWS && /^[A-Z]:\\$/i.test(p)) {
    return p;
  }
  return p.substr(0, p.length - 1);
}

// node_modules/@actions/glob/lib/internal-match-kind.js
var MatchKind;
(function(MatchKind2) {
  MatchKind2[MatchKind2["None"] = 0] = "None";
  MatchKind2[MatchKind2["Directory"] = 1] = "Directory";
  MatchKind2[MatchKind2["File"] = 2] = "File";
  MatchKind2[MatchKind2["All"] = 3] = "All";
})(MatchKind || (MatchKind = {}));

// node_modules/@actions/glob/lib/internal-pattern-helper.js
var IS_WINDOWS2 = process.platform === "win32";
function getSearchPaths(patterns) {
  patterns = patterns.filter((x) => !x.negate);
  const searchPathMap = {};
  for (const pattern of patterns) {
    const key = IS_WINDOWS2 ? pattern.searchPath.toUpperCase() : pattern.searchPath;
    searchPathMap[key] = "candidate";
  }
  const result = [];
  for (const pattern of patterns) {
    const key = IS_WINDOWS2 ? pattern.searchPath.toUpperCase() : pattern.searchPath;
    if (searchPathMap[key] === "included") {
      continue;
    }
    let foundAncestor = false;
    let tempKey = key;
    let parent = dirname2(tempKey);
    while (parent !== tempKey) {
      if (searchPathMap[parent]) {
        foundAncestor = true;
        break;
      }
      tempKey = parent;
      parent = dirname2(tempKey);
    }
    if (!foundAncestor) {
      result.push(pattern.searchPath);
      searchPathMap[key] = "included";
    }
  }
  return result;
}
function match(patterns, itemPath) {
  let result = MatchKind.None;
  for (const pattern of patterns) {
    if (pattern.negate) {
      result &= ~pattern.match(itemPath);
    } else {
      result |= pattern.match(itemPath);
    }
  }
  return result;
}
function partialMatch(patterns, itemPath) {
  return patterns.some((x) => !x.negate && x.partialMatch(itemPath));
}

// node_modules/@actions/glob/lib/internal-pattern.js
import * as os from "os";
import * as path4 from "path";
import assert3 from "assert";

// node_modules/@actions/glob/node_modules/balanced-match/dist/esm/index.js
var range = (a, b, str2) => {
  let begs, beg, left, right = void 0, result;
  let ai = str2.indexOf(a);
  let bi = str2.indexOf(b, ai + 1);
  let i = ai;
  if (ai >= 0 && bi > 0) {
    if (a === b) {
      return [ai, bi];
    }
    begs = [];
    left = str2.length;
    while (i >= 0 && !result) {
      if (i === ai) {
        begs.push(i);
        ai = str2.indexOf(a, i + 1);
      } else if (begs.length === 1) {
        const r = begs.pop();
        if (r !== void 0)
          result = [r, bi];
      } else {
        beg = begs.pop();
        if (beg !== void 0 && beg < left) {
          left = beg;
          right = bi;
        }
        bi = str2.indexOf(b, i + 1);
      }
      i = ai < bi && ai >= 0 ? ai : bi;
    }
    if (begs.length && right !== void 0) {
      result = [left, right];
    }
  }
  return result;
};

// node_modules/@actions/glob/node_modules/brace-expansion/dist/esm/index.js
var escSlash = "\0SLASH" + Math.random().toFixed(16) + "\0";
var escOpen = "\0OPEN" + Math.random().toFixed(16) + "\0";
var escClose = "\0CLOSE" + Math.random().toFixed(16) + "\0";
var escComma = "\0COMMA" + Math.random().toFixed(16) + "\0";
var escPeriod = "\0PERIOD" + Math.random().toFixed(16) + "\0";
var escSlashPattern = new RegExp(escSlash, "g");
var escOpenPattern = new RegExp(escOpen, "g");
var escClosePattern = new RegExp(escClose, "g");
var escCommaPattern = new RegExp(escComma, "g");
var escPeriodPattern = new RegExp(escPeriod, "g");
var slashPattern = /\\\\/g;
var openPattern = /\\{/g;
var closePattern = /\\}/g;
var commaPattern = /\\,/g;
var periodPattern = /\\\./g;
var EXPANSION_MAX = 1e5;
var EXPANSION_MAX_LENGTH = 4e6;
var EXPANSION_MAX_DEPTH = 1e3;
var EXPANSION_MAX_REWRITES = 1e3;
var EXPANSION_MAX_STEPS = 2e7;
var CALL_STEPS = 16;
function numeric(str2) {
  return !isNaN(str2) ? parseInt(str2, 10) : str2.charCodeAt(0);
}
function escapeBraces(str2) {
  return str2.replace(slashPattern, escSlash).replace(openPattern, escOpen).replace(closePattern, escClose).replace(commaPattern, escComma).replace(periodPattern, escPeriod);
}
function unescapeBraces(str2) {
  return str2.replace(escSlashPattern, "\\").replace(escOpenPattern, "{").replace(escClosePattern, "}").replace(escCommaPattern, ",").replace(escPeriodPattern, ".");
}
function pushAll(target, items) {
  for (let i = 0; i < items.length; i++) {
    target.push(items[i]);
  }
}
function balancedWithBudget(str2, masked, budget) {
  if (budget.remaining < 0) {
    return void 0;
  }
  const r = range("{", "}", masked);
  const unmatched = r !== void 0 && masked.indexOf("{") < r[0];
  budget.remaining -= r && !unmatched ? r[1] + 1 : str2.length;
  if (!r || budget.remaining < 0) {
    return void 0;
  }
  return {
    end: r[1],
    pre: str2.slice(0, r[0]),
    body: str2.slice(r[0] + 1, r[1]),
    post: str2.slice(r[1] + 1),
    unmatched
  };
}
function maskUnmatchedOpens(masked, budget) {
  budget.remaining -= masked.length;
  const open3 = [];
  for (let i = 0; i < masked.length; i++) {
    const c = masked.charCodeAt(i);
    if (c === 123) {
      open3.push(i);
    } else if (c === 125 && open3.length) {
      open3.pop();
    }
  }
  let out = "";
  let last = 0;
  for (let i = 0; i < open3.length; i++) {
    const at = open3[i];
    out += masked.slice(last, at) + "\0";
    last = at + 1;
  }
  return out + masked.slice(last);
}
function commaSetFollows(str2, budget) {
  budget.remaining -= str2.length;
  if (budget.remaining < 0) {
    return false;
  }
  let close = false;
  for (let i = str2.length - 1; i >= 0; i--) {
    const c = str2.charCodeAt(i);
    if (c === 125) {
      close = true;
    } else if (c === 10 || c === 13 || c === 8232 || c === 8233) {
      close = false;
    } else if (c === 44 && close && str2.charCodeAt(i + 1) !== 44) {
      return true;
    }
  }
  return false;
}
function parseCommaParts(str2, budget) {
  const parts = [];
  let carry = "";
  for (; ; ) {
    const m = balancedWithBudget(str2, str2, budget);
    if (budget.remaining < 0) {
      return void 0;
    }
    if (!m) {
      const tail = str2.split(",");
      tail[0] = carry + tail[0];
      pushAll(parts, tail);
      return parts;
    }
    const { pre, body, post } = m;
    const p = pre.split(",");
    p[0] = carry + p[0];
    p[p.length - 1] += "{" + body + "}";
    if (!post.length) {
      pushAll(parts, p);
      return parts;
    }
    carry = p.pop();
    pushAll(parts, p);
    str2 = post;
  }
}
function bound(value, fallback) {
  return value === void 0 || isNaN(value) ? fallback : value;
}
function expand(str2, options = {}) {
  if (!str2) {
    return [];
  }
  const max = bound(options.max, EXPANSION_MAX);
  const maxLength = bound(options.maxLength, EXPANSION_MAX_LENGTH);
  const maxDepth = bound(options.maxDepth, EXPANSION_MAX_DEPTH);
  const maxRewrites = bound(options.maxRewrites, EXPANSION_MAX_REWRITES);
  const maxSteps = bound(options.maxSteps, EXPANSION_MAX_STEPS);
  if (str2.slice(0, 2) === "{}") {
    str2 = "\\{\\}" + str2.slice(2);
  }
  return expand_(escapeBraces(str2), max, maxLength, maxDepth, 0, maxRewrites, { remaining: maxSteps }, true).map(unescapeBraces);
}
function embrace(str2) {
  return "{" + str2 + "}";
}
function isPadded(el) {
  return /^-?0\d/.test(el);
}
function lte(i, y) {
  return i <= y;
}
function gte(i, y) {
  return i >= y;
}
function combine(acc, pre, values, max, maxLength, dropEmpties, budget) {
  const out = [];
  let length = 0;
  let nonEmpty;
  outer: for (let a = 0; a < acc.length; a++) {
    const prefix = acc[a] + pre;
    let vs = values;
    if (dropEmpties && !prefix) {
      if (!nonEmpty)
        nonEmpty = values.filter((v) => v);
      vs = nonEmpty;
    }
    for (let v = 0; v < vs.length; v++) {
      if (out.length >= max)
        break outer;
      const expansion = prefix + vs[v];
      if (length + expansion.length > maxLength)
        break outer;
      out.push(expansion);
      length += expansion.length;
    }
  }
  budget.remaining -= out.length;
  return out;
}
function expandSequence(body, isAlphaSequence, max, maxLength, budget) {
  const n = body.split(/\.\./);
  const N = [];
  if (n[0] === void 0 || n[1] === void 0) {
    return N;
  }
  const x = numeric(n[0]);
  const y = numeric(n[1]);
  const width = Math.max(n[0].length, n[1].length);
  let incr = n.length === 3 && n[2] !== void 0 ? Math.max(Math.abs(numeric(n[2])), 1) : 1;
  let test = lte;
  const reverse = y < x;
  if (reverse) {
    incr *= -1;
    test = gte;
  }
  const pad = n.some(isPadded);
  const cost = pad ? width : 1;
  let length = 0;
  for (let i = x; test(i, y) && N.length < max; i += incr) {
    budget.remaining -= cost;
    if (budget.remaining < 0) {
      return void 0;
    }
    let c;
    if (isAlphaSequence) {
      c = String.fromCharCode(i);
      if (c === "\\") {
        c = "";
      }
    } else {
      c = String(i);
      if (pad) {
        const need = width - c.length;
        if (need > 0) {
          const z = new Array(need + 1).join("0");
          if (i < 0) {
            c = "-" + z + c.slice(1);
          } else {
            c = z + c;
          }
        }
      }
    }
    if (length + c.length > maxLength)
      break;
    N.push(c);
    length += c.length;
  }
  return N;
}
function expand_(str2, max, maxLength, maxDepth, depth, maxRewrites, budget, isTop) {
  budget.remaining -= CALL_STEPS;
  if (depth > maxDepth) {
    return [str2];
  }
  let acc = [""];
  let rewrites = 0;
  let dropEmpties = false;
  let firstGroup = true;
  let masked = str2;
  for (; ; ) {
    const m = balancedWithBudget(str2, masked, budget);
    if (!m) {
      return combine(acc, str2, [""], max, maxLength, dropEmpties, budget);
    }
    if (m.unmatched) {
      masked = maskUnmatchedOpens(masked, budget);
    }
    const pre = m.pre;
    const literal = () => combine(acc, pre + "{" + m.body + "}" + m.post, [""], max, maxLength, dropEmpties, budget);
    if (/\$$/.test(pre)) {
      acc = combine(acc, pre + "{" + m.body + "}", [""], max, maxLength, dropEmpties && !m.post.length, budget);
      firstGroup = false;
      if (!m.post.length)
        break;
      str2 = m.post;
      masked = masked.slice(m.end + 1);
      continue;
    }
    const isNumericSequence = /^-?\d+\.\.-?\d+(?:\.\.-?\d+)?$/.test(m.body);
    const isAlphaSequence = /^[a-zA-Z]\.\.[a-zA-Z](?:\.\.-?\d+)?$/.test(m.body);
    const isSequence = isNumericSequence || isAlphaSequence;
    const isOptions = m.body.indexOf(",") >= 0;
    if (!isSequence && !isOptions) {
      if (rewrites < maxRewrites && commaSetFollows(m.post, budget)) {
        rewrites++;
        str2 = m.pre + "{" + m.body + escClose + m.post;
        masked = masked.slice(0, m.end) + escClose + masked.slice(m.end + 1);
        isTop = true;
        continue;
      }
      return literal();
    }
    if (firstGroup) {
      dropEmpties = isTop && !isSequence;
      firstGroup = false;
    }
    let values;
    if (isSequence) {
      values = expandSequence(m.body, isAlphaSequence, max, maxLength, budget);
      if (!values) {
        return literal();
      }
    } else {
      let n = parseCommaParts(m.body, budget);
      if (!n) {
        return literal();
      }
      if (n.length === 1 && n[0] !== void 0) {
        n = expand_(n[0], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false).map(embrace);
        if (budget.remaining < 0) {
          return literal();
        }
        if (n.length === 1) {
          const next2 = combine(acc, pre + n[0], [""], max, maxLength, dropEmpties && !m.post.length, budget);
          if (budget.remaining < 0) {
            return literal();
          }
          acc = next2;
          if (!m.post.length)
            break;
          str2 = m.post;
          masked = masked.slice(m.end + 1);
          continue;
        }
      }
      let dropsEmpties = dropEmpties && !m.post.length && !pre;
      for (let d = 0; dropsEmpties && d < acc.length; d++) {
        if (acc[d]) {
          dropsEmpties = false;
        }
      }
      values = [];
      let valuesLength = 0;
      outer: for (let j = 0; j < n.length; j++) {
        const expanded = expand_(n[j], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false);
        if (budget.remaining < 0) {
          return literal();
        }
        for (let k = 0; k < expanded.length; k++) {
          const v = expanded[k];
          if (dropsEmpties && !v)
            continue;
          if (values.length >= max || valuesLength + v.length > maxLength) {
            break outer;
          }
          values.push(v);
          valuesLength += v.length;
        }
      }
    }
    const next = combine(acc, pre, values, max, maxLength, dropEmpties && !m.post.length, budget);
    if (budget.remaining < 0) {
      return literal();
    }
    acc = next;
    if (!m.post.length)
      break;
    str2 = m.post;
    masked = masked.slice(m.end + 1);
  }
  return acc;
}

// node_modules/@actions/glob/node_modules/minimatch/dist/esm/assert-valid-pattern.js
var MAX_PATTERN_LENGTH = 1024 * 64;
var assertValidPattern = (pattern) => {
  if (typeof pattern !== "string") {
    throw new TypeError("invalid pattern");
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new TypeError("pattern is too long");
  }
};

// node_modules/@actions/glob/node_modules/minimatch/dist/esm/brace-expressions.js
var posixClasses = {
  "[:alnum:]": ["\\p{L}\\p{Nl}\\p{Nd}", true],
  "[:alpha:]": ["\\p{L}\\p{Nl}", true],
  "[:ascii:]": ["\\x00-\\x7f", false],
  "[:blank:]": ["\\p{Zs}\\t", true],
  "[:cntrl:]": ["\\p{Cc}", true],
  "[:digit:]": ["\\p{Nd}", true],
  "[:graph:]": ["\\p{Z}\\p{C}", true, true],
  "[:lower:]": ["\\p{Ll}", true],
  "[:print:]": ["\\p{C}", true],
  "[:punct:]": ["\\p{P}", true],
  "[:space:]": ["\\p{Z}\\t\\r\\n\\v\\f", true],
  "[:upper:]": ["\\p{Lu}", true],
  "[:word:]": ["\\p{L}\\p{Nl}\\p{Nd}\\p{Pc}", true],
  "[:xdigit:]": ["A-Fa-f0-9", false]
};
var braceEscape = (s) => s.replace(/[[\]\\-]/g, "\\$&");
var regexpEscape = (s) => s.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, "\\$&");
var rangesToString = (ranges) => ranges.join("");
var parseClass = (glob, position) => {
  const pos = position;
  if (glob.charAt(pos) !== "[") {
    throw new Error("not in a brace expression");
  }
  const ranges = [];
  const negs = [];
  let i = pos + 1;
  let sawStart = false;
  let uflag = false;
  let escaping = false;
  let negate = false;
  let endPos = pos;
  let rangeStart = "";
  WHILE: while (i < glob.length) {
    const c = glob.charAt(i);
    if ((c === "!" || c === "^") && i === pos + 1) {
      negate = true;
      i++;
      continue;
    }
    if (c === "]" && sawStart && !escaping) {
      endPos = i + 1;
      break;
    }
    sawStart = true;
    if (c === "\\") {
      if (!escaping) {
        escaping = true;
        i++;
        continue;
      }
    }
    if (c === "[" && !escaping) {
      for (const [cls, [unip, u, neg]] of Object.entries(posixClasses)) {
        if (glob.startsWith(cls, i)) {
          if (rangeStart) {
            return ["$.", false, glob.length - pos, true];
          }
          i += cls.length;
          if (neg)
            negs.push(unip);
          else
            ranges.push(unip);
          uflag = uflag || u;
          continue WHILE;
        }
      }
    }
    escaping = false;
    if (rangeStart) {
      if (c > rangeStart) {
        ranges.push(braceEscape(rangeStart) + "-" + braceEscape(c));
      } else if (c === rangeStart) {
        ranges.push(braceEscape(c));
      }
      rangeStart = "";
      i++;
      continue;
    }
    if (glob.startsWith("-]", i + 1)) {
      ranges.push(braceEscape(c + "-"));
      i += 2;
      continue;
    }
    if (glob.startsWith("-", i + 1)) {
      rangeStart = c;
      i += 2;
      continue;
    }
    ranges.push(braceEscape(c));
    i++;
  }
  if (endPos < i) {
    return ["", false, 0, false];
  }
  if (!ranges.length && !negs.length) {
    return ["$.", false, glob.length - pos, true];
  }
  if (negs.length === 0 && ranges.length === 1 && /^\\?.$/.test(ranges[0]) && !negate) {
    const r = ranges[0].length === 2 ? ranges[0].slice(-1) : ranges[0];
    return [regexpEscape(r), false, endPos - pos, false];
  }
  const sranges = "[" + (negate ? "^" : "") + rangesToString(ranges) + "]";
  const snegs = "[" + (negate ? "" : "^") + rangesToString(negs) + "]";
  const comb = ranges.length && negs.length ? "(" + sranges + "|" + snegs + ")" : ranges.length ? sranges : snegs;
  return [comb, uflag, endPos - pos, true];
};

// node_modules/@actions/glob/node_modules/minimatch/dist/esm/unescape.js
var unescape = (s, { windowsPathsNoEscape = false, magicalBraces = true } = {}) => {
  if (magicalBraces) {
    return windowsPathsNoEscape ? s.replace(/\[([^/\\])\]/g, "$1") : s.replace(/((?!\\).|^)\[([^/\\])\]/g, "$1$2").replace(/\\([^/])/g, "$1");
  }
  return windowsPathsNoEscape ? s.replace(/\[([^/\\{}])\]/g, "$1") : s.replace(/((?!\\).|^)\[([^/\\{}])\]/g, "$1$2").replace(/\\([^/{}])/g, "$1");
};

// node_modules/@actions/glob/node_modules/minimatch/dist/esm/ast.js
var _a;
var types = /* @__PURE__ */ new Set(["!", "?", "+", "*", "@"]);
var isExtglobType = (c) => types.has(c);
var isExtglobAST = (c) => isExtglobType(c.type);
var adoptionMap = /* @__PURE__ */ new Map([
  ["!", ["@"]],
  ["?", ["?", "@"]],
  ["@", ["@"]],
  ["*", ["*", "+", "?", "@"]],
  ["+", ["+", "@"]]
]);
var adoptionWithSpaceMap = /* @__PURE__ */ new Map([
  ["!", ["?"]],
  ["@", ["?"]],
  ["+", ["?", "*"]]
]);
var adoptionAnyMap = /* @__PURE__ */ new Map([
  ["!", ["?", "@"]],
  ["?", ["?", "@"]],
  ["@", ["?", "@"]],
  ["*", ["*", "+", "?", "@"]],
  ["+", ["+", "@", "?", "*"]]
]);
var usurpMap = /* @__PURE__ */ new Map([
  ["!", /* @__PURE__ */ new Map([["!", "@"]])],
  [
    "?",
    /* @__PURE__ */ new Map([
      ["*", "*"],
      ["+", "*"]
    ])
  ],
  [
    "@",
    /* @__PURE__ */ new Map([
      ["!", "!"],
      ["?", "?"],
      ["@", "@"],
      ["*", "*"],
      ["+", "+"]
    ])
  ],
  [
    "+",
    /* @__PURE__ */ new Map([
      ["?", "*"],
      ["*", "*"]
    ])
  ]
]);
var startNoTraversal = "(?!(?:^|/)\\.\\.?(?:$|/))";
var startNoDot = "(?!\\.)";
var addPatternStart = /* @__PURE__ */ new Set(["[", "."]);
var justDots = /* @__PURE__ */ new Set(["..", "."]);
var reSpecials = new Set("().*{}+?[]^$\\!");
var regExpEscape = (s) => s.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, "\\$&");
var qmark = "[^/]";
var star = qmark + "*?";
var starNoEmpty = qmark + "+?";
var ID = 0;
var AST = class {
  type;
  #root;
  #hasMagic;
  #uflag = false;
  #parts = [];
  #parent;
  #parentIndex;
  #negs;
  #filledNegs = false;
  #options;
  #toString;
  // set to true if it's an extglob with no children
  // (which really means one child of '')
  #emptyExt = false;
  id = ++ID;
  get depth() {
    return (this.#parent?.depth ?? -1) + 1;
  }
  [/* @__PURE__ */ Symbol.for("nodejs.util.inspect.custom")]() {
    return {
      "@@type": "AST",
      id: this.id,
      type: this.type,
      root: this.#root.id,
      parent: this.#parent?.id,
      depth: this.depth,
      partsLength: this.#parts.length,
      parts: this.#parts
    };
  }
  constructor(type, parent, options = {}) {
    this.type = type;
    if (type)
      this.#hasMagic = true;
    this.#parent = parent;
    this.#root = this.#parent ? this.#parent.#root : this;
    this.#options = this.#root === this ? options : this.#root.#options;
    this.#negs = this.#root === this ? [] : this.#root.#negs;
    if (type === "!" && !this.#root.#filledNegs)
      this.#negs.push(this);
    this.#parentIndex = this.#parent ? this.#parent.#parts.length : 0;
  }
  get hasMagic() {
    if (this.#hasMagic !== void 0)
      return this.#hasMagic;
    for (const p of this.#parts) {
      if (typeof p === "string")
        continue;
      if (p.type || p.hasMagic)
        return this.#hasMagic = true;
    }
    return this.#hasMagic;
  }
  // reconstructs the pattern
  toString() {
    return this.#toString !== void 0 ? this.#toString : !this.type ? this.#toString = this.#parts.map((p) => String(p)).join("") : this.#toString = this.type + "(" + this.#parts.map((p) => String(p)).join("|") + ")";
  }
  #fillNegs() {
    if (this !== this.#root)
      throw new Error("should only call on root");
    if (this.#filledNegs)
      return this;
    this.toString();
    this.#filledNegs = true;
    let n;
    while (n = this.#negs.pop()) {
      if (n.type !== "!")
        continue;
      let p = n;
      let pp = p.#parent;
      while (pp) {
        for (let i = p.#parentIndex + 1; !pp.type && i < pp.#parts.length; i++) {
          for (const part of n.#parts) {
            if (typeof part === "string") {
              throw new Error("string part in extglob AST??");
            }
            part.copyIn(pp.#parts[i]);
          }
        }
        p = pp;
        pp = p.#parent;
      }
    }
    return this;
  }
  push(...parts) {
    for (const p of parts) {
      if (p === "")
        continue;
      if (typeof p !== "string" && !(p instanceof _a && p.#parent === this)) {
        throw new Error("invalid part: " + p);
      }
      this.#parts.push(p);
    }
  }
  toJSON() {
    const ret = this.type === null ? this.#parts.slice().map((p) => typeof p === "string" ? p : p.toJSON()) : [this.type, ...this.#parts.map((p) => p.toJSON())];
    if (this.isStart() && !this.type)
      ret.unshift([]);
    if (this.isEnd() && (this === this.#root || this.#root.#filledNegs && this.#parent?.type === "!")) {
      ret.push({});
    }
    return ret;
  }
  isStart() {
    if (this.#root === this)
      return true;
    if (!this.#parent?.isStart())
      return false;
    if (this.#parentIndex === 0)
      return true;
    const p = this.#parent;
    for (let i = 0; i < this.#parentIndex; i++) {
      const pp = p.#parts[i];
      if (!(pp instanceof _a && pp.type === "!")) {
        return false;
      }
    }
    return true;
  }
  isEnd() {
    if (this.#root === this)
      return true;
    if (this.#parent?.type === "!")
      return true;
    if (!this.#parent?.isEnd())
      return false;
    if (!this.type)
      return this.#parent?.isEnd();
    const pl = this.#parent ? this.#parent.#parts.length : 0;
    return this.#parentIndex === pl - 1;
  }
  copyIn(part) {
    if (typeof part === "string")
      this.push(part);
    else
      this.push(part.clone(this));
  }
  clone(parent) {
    const c = new _a(this.type, parent);
    for (const p of this.#parts) {
      c.copyIn(p);
    }
    return c;
  }
  static #parseAST(str2, ast, pos, opt, extDepth) {
    const maxDepth = opt.maxExtglobRecursion ?? 2;
    let escaping = false;
    let inBrace = false;
    let braceStart = -1;
    let braceNeg = false;
    if (ast.type === null) {
      let i2 = pos;
      let acc2 = "";
      while (i2 < str2.length) {
        const c = str2.charAt(i2++);
        if (escaping || c === "\\") {
          escaping = !escaping;
          acc2 += c;
          continue;
        }
        if (inBrace) {
          if (i2 === braceStart + 1) {
            if (c === "^" || c === "!") {
              braceNeg = true;
            }
          } else if (c === "]" && !(i2 === braceStart + 2 && braceNeg)) {
            inBrace = false;
          }
          acc2 += c;
          continue;
        } else if (c === "[") {
          inBrace = true;
          braceStart = i2;
          braceNeg = false;
          acc2 += c;
          continue;
        }
        const doRecurse = !opt.noext && isExtglobType(c) && str2.charAt(i2) === "(" && extDepth <= maxDepth;
        if (doRecurse) {
          ast.push(acc2);
          acc2 = "";
          const ext2 = new _a(c, ast);
          i2 = _a.#parseAST(str2, ext2, i2, opt, extDepth + 1);
          ast.push(ext2);
          continue;
        }
        acc2 += c;
      }
      ast.push(acc2);
      return i2;
    }
    let i = pos + 1;
    let part = new _a(null, ast);
    const parts = [];
    let acc = "";
    while (i < str2.length) {
      const c = str2.charAt(i++);
      if (escaping || c === "\\") {
        escaping = !escaping;
        acc += c;
        continue;
      }
      if (inBrace) {
        if (i === braceStart + 1) {
          if (c === "^" || c === "!") {
            braceNeg = true;
          }
        } else if (c === "]" && !(i === braceStart + 2 && braceNeg)) {
          inBrace = false;
        }
        acc += c;
        continue;
      } else if (c === "[") {
        inBrace = true;
        braceStart = i;
        braceNeg = false;
        acc += c;
        continue;
      }
      const doRecurse = !opt.noext && isExtglobType(c) && str2.charAt(i) === "(" && /* c8 ignore start - the maxDepth is sufficient here */
      (extDepth <= maxDepth || ast && ast.#canAdoptType(c));
      if (doRecurse) {
        const depthAdd = ast && ast.#canAdoptType(c) ? 0 : 1;
        part.push(acc);
        acc = "";
        const ext2 = new _a(c, part);
        part.push(ext2);
        i = _a.#parseAST(str2, ext2, i, opt, extDepth + depthAdd);
        continue;
      }
      if (c === "|") {
        part.push(acc);
        acc = "";
        parts.push(part);
        part = new _a(null, ast);
        continue;
      }
      if (c === ")") {
        if (acc === "" && ast.#parts.length === 0) {
          ast.#emptyExt = true;
        }
        part.push(acc);
        acc = "";
        ast.push(...parts, part);
        return i;
      }
      acc += c;
    }
    ast.type = null;
    ast.#hasMagic = void 0;
    ast.#parts = [str2.substring(pos - 1)];
    return i;
  }
  #canAdoptWithSpace(child) {
    return this.#canAdopt(child, adoptionWithSpaceMap);
  }
  #canAdopt(child, map = adoptionMap) {
    if (!child || typeof child !== "object" || child.type !== null || child.#parts.length !== 1 || this.type === null) {
      return false;
    }
    const gc = child.#parts[0];
    if (!gc || typeof gc !== "object" || gc.type === null) {
      return false;
    }
    return this.#canAdoptType(gc.type, map);
  }
  #canAdoptType(c, map = adoptionAnyMap) {
    return !!map.get(this.type)?.includes(c);
  }
  #adoptWithSpace(child, index) {
    const gc = child.#parts[0];
    const blank = new _a(null, gc, this.options);
    blank.#parts.push("");
    gc.push(blank);
    this.#adopt(child, index);
  }
  #adopt(child, index) {
    const gc = child.#parts[0];
    this.#parts.splice(index, 1, ...gc.#parts);
    for (const p of gc.#parts) {
      if (typeof p === "object")
        p.#parent = this;
    }
    this.#toString = void 0;
  }
  #canUsurpType(c) {
    const m = usurpMap.get(this.type);
    return !!m?.has(c);
  }
  #canUsurp(child) {
    if (!child || typeof child !== "object" || child.type !== null || child.#parts.length !== 1 || this.type === null || this.#parts.length !== 1) {
      return false;
    }
    const gc = child.#parts[0];
    if (!gc || typeof gc !== "object" || gc.type === null) {
      return false;
    }
    return this.#canUsurpType(gc.type);
  }
  #usurp(child) {
    const m = usurpMap.get(this.type);
    const gc = child.#parts[0];
    const nt = m?.get(gc.type);
    if (!nt)
      return false;
    this.#parts = gc.#parts;
    for (const p of this.#parts) {
      if (typeof p === "object") {
        p.#parent = this;
      }
    }
    this.type = nt;
    this.#toString = void 0;
    this.#emptyExt = false;
  }
  static fromGlob(pattern, options = {}) {
    const ast = new _a(null, void 0, options);
    _a.#parseAST(pattern, ast, 0, options, 0);
    return ast;
  }
  // returns the regular expression if there's magic, or the unescaped
  // string if not.
  toMMPattern() {
    if (this !== this.#root)
      return this.#root.toMMPattern();
    const glob = this.toString();
    const [re, body, hasMagic, uflag] = this.toRegExpSource();
    const anyMagic = hasMagic || this.#hasMagic || this.#options.nocase && !this.#options.nocaseMagicOnly && glob.toUpperCase() !== glob.toLowerCase();
    if (!anyMagic) {
      return body;
    }
    const flags = (this.#options.nocase ? "i" : "") + (uflag ? "u" : "");
    return Object.assign(new RegExp(`^${re}$`, flags), {
      _src: re,
      _glob: glob
    });
  }
  get options() {
    return this.#options;
  }
  // returns the string match, the regexp source, whether there's magic
  // in the regexp (so a regular expression is required) and whether or
  // not the uflag is needed for the regular expression (for posix classes)
  // TODO: instead of injecting the start/end at this point, just return
  // the BODY of the regexp, along with the start/end portions suitable
  // for binding the start/end in either a joined full-path makeRe context
  // (where we bind to (^|/), or a standalone matchPart context (where
  // we bind to ^, and not /).  Otherwise slashes get duped!
  //
  // In part-matching mode, the start is:
  // - if not isStart: nothing
  // - if traversal possible, but not allowed: ^(?!\.\.?$)
  // - if dots allowed or not possible: ^
  // - if dots possible and not allowed: ^(?!\.)
  // end is:
  // - if not isEnd(): nothing
  // - else: $
  //
  // In full-path matching mode, we put the slash at the START of the
  // pattern, so start is:
  // - if first pattern: same as part-matching mode
  // - if not isStart(): nothing
  // - if traversal possible, but not allowed: /(?!\.\.?(?:$|/))
  // - if dots allowed or not possible: /
  // - if dots possible and not allowed: /(?!\.)
  // end is:
  // - if last pattern, same as part-matching mode
  // - else nothing
  //
  // Always put the (?:$|/) on negated tails, though, because that has to be
  // there to bind the end of the negated pattern portion, and it's easier to
  // just stick it in now rather than try to inject it later in the middle of
  // the pattern.
  //
  // We can just always return the same end, and leave it up to the caller
  // to know whether it's going to be used joined or in parts.
  // And, if the start is adjusted slightly, can do the same there:
  // - if not isStart: nothing
  // - if traversal possible, but not allowed: (?:/|^)(?!\.\.?$)
  // - if dots allowed or not possible: (?:/|^)
  // - if dots possible and not allowed: (?:/|^)(?!\.)
  //
  // But it's better to have a simpler binding without a conditional, for
  // performance, so probably better to return both start options.
  //
  // Then the caller just ignores the end if it's not the first pattern,
  // and the start always gets applied.
  //
  // But that's always going to be $ if it's the ending pattern, or nothing,
  // so the caller can just attach $ at the end of the pattern when building.
  //
  // So the todo is:
  // - better detect what kind of start is needed
  // - return both flavors of starting pattern
  // - attach $ at the end of the pattern when creating the actual RegExp
  //
  // Ah, but wait, no, that all only applies to the root when the first pattern
  // is not an extglob. If the first pattern IS an extglob, then we need all
  // that dot prevention biz to live in the extglob portions, because eg
  // +(*|.x*) can match .xy but not .yx.
  //
  // So, return the two flavors if it's #root and the first child is not an
  // AST, otherwise leave it to the child AST to handle it, and there,
  // use the (?:^|/) style of start binding.
  //
  // Even simplified further:
  // - Since the start for a join is eg /(?!\.) and the start for a part
  // is ^(?!\.), we can just prepend (?!\.) to the pattern (either root
  // or start or whatever) and prepend ^ or / at the Regexp construction.
  toRegExpSource(allowDot) {
    const dot = allowDot ?? !!this.#options.dot;
    if (this.#root === this) {
      this.#flatten();
      this.#fillNegs();
    }
    if (!isExtglobAST(this)) {
      const noEmpty = this.isStart() && this.isEnd() && !this.#parts.some((s) => typeof s !== "string");
      const src = this.#parts.map((p) => {
        const [re, _, hasMagic, uflag] = typeof p === "string" ? _a.#parseGlob(p, this.#hasMagic, noEmpty) : p.toRegExpSource(allowDot);
        this.#hasMagic = this.#hasMagic || hasMagic;
        this.#uflag = this.#uflag || uflag;
        return re;
      }).join("");
      let start2 = "";
      if (this.isStart()) {
        if (typeof this.#parts[0] === "string") {
          const dotTravAllowed = this.#parts.length === 1 && justDots.has(this.#parts[0]);
          if (!dotTravAllowed) {
            const aps = addPatternStart;
            const needNoTrav = (
              // dots are allowed, and the pattern starts with [ or .
              dot && aps.has(src.charAt(0)) || // the pattern starts with \., and then [ or .
              src.startsWith("\\.") && aps.has(src.charAt(2)) || // the pattern starts with \.\., and then [ or .
              src.startsWith("\\.\\.") && aps.has(src.charAt(4))
            );
            const needNoDot = !dot && !allowDot && aps.has(src.charAt(0));
            start2 = needNoTrav ? startNoTraversal : needNoDot ? startNoDot : "";
          }
        }
      }
      let end = "";
      if (this.isEnd() && this.#root.#filledNegs && this.#parent?.type === "!") {
        end = "(?:$|\\/)";
      }
      const final2 = start2 + src + end;
      return [
        final2,
        unescape(src),
        this.#hasMagic = !!this.#hasMagic,
        this.#uflag
      ];
    }
    const repeated = this.type === "*" || this.type === "+";
    const start = this.type === "!" ? "(?:(?!(?:" : "(?:";
    let body = this.#partsToRegExp(dot);
    if (this.isStart() && this.isEnd() && !body && this.type !== "!") {
      const s = this.toString();
      const me = this;
      me.#parts = [s];
      me.type = null;
      me.#hasMagic = void 0;
      return [s, unescape(this.toString()), false, false];
    }
    let bodyDotAllowed = !repeated || allowDot || dot || !startNoDot ? "" : this.#partsToRegExp(true);
    if (bodyDotAllowed === body) {
      bodyDotAllowed = "";
    }
    if (bodyDotAllowed) {
      body = `(?:${body})(?:${bodyDotAllowed})*?`;
    }
    let final = "";
    if (this.type === "!" && this.#emptyExt) {
      final = (this.isStart() && !dot ? startNoDot : "") + starNoEmpty;
    } else {
      const close = this.type === "!" ? (
        // !() must match something,but !(x) can match ''
        "))" + (this.isStart() && !dot && !allowDot ? startNoDot : "") + star + ")"
      ) : this.type === "@" ? ")" : this.type === "?" ? ")?" : this.type === "+" && bodyDotAllowed ? ")" : this.type === "*" && bodyDotAllowed ? `)?` : `)${this.type}`;
      final = start + body + close;
    }
    return [
      final,
      unescape(body),
      this.#hasMagic = !!this.#hasMagic,
      this.#uflag
    ];
  }
  #flatten() {
    if (!isExtglobAST(this)) {
      for (const p of this.#parts) {
        if (typeof p === "object") {
          p.#flatten();
        }
      }
    } else {
      let iterations = 0;
      let done = false;
      do {
        done = true;
        for (let i = 0; i < this.#parts.length; i++) {
          const c = this.#parts[i];
          if (typeof c === "object") {
            c.#flatten();
            if (this.#canAdopt(c)) {
              done = false;
              this.#adopt(c, i);
            } else if (this.#canAdoptWithSpace(c)) {
              done = false;
              this.#adoptWithSpace(c, i);
            } else if (this.#canUsurp(c)) {
              done = false;
              this.#usurp(c);
            }
          }
        }
      } while (!done && ++iterations < 10);
    }
    this.#toString = void 0;
  }
  #partsToRegExp(dot) {
    return this.#parts.map((p) => {
      if (typeof p === "string") {
        throw new Error("string type in extglob ast??");
      }
      const [re, _, _hasMagic, uflag] = p.toRegExpSource(dot);
      this.#uflag = this.#uflag || uflag;
      return re;
    }).filter((p) => !(this.isStart() && this.isEnd()) || !!p).join("|");
  }
  static #parseGlob(glob, hasMagic, noEmpty = false) {
    let escaping = false;
    let re = "";
    let uflag = false;
    let inStar = false;
    for (let i = 0; i < glob.length; i++) {
      const c = glob.charAt(i);
      if (escaping) {
        escaping = false;
        re += (reSpecials.has(c) ? "\\" : "") + c;
        continue;
      }
      if (c === "*") {
        if (inStar)
          continue;
        inStar = true;
        re += noEmpty && /^[*]+$/.test(glob) ? starNoEmpty : star;
        hasMagic = true;
        continue;
      } else {
        inStar = false;
      }
      if (c === "\\") {
        if (i === glob.length - 1) {
          re += "\\\\";
        } else {
          escaping = true;
        }
        continue;
      }
      if (c === "[") {
        const [src, needUflag, consumed, magic] = parseClass(glob, i);
        if (consumed) {
          re += src;
          uflag = uflag || needUflag;
          i += consumed - 1;
          hasMagic = hasMagic || magic;
          continue;
        }
      }
      if (c === "?") {
        re += qmark;
        hasMagic = true;
        continue;
      }
      re += regExpEscape(c);
    }
    return [re, unescape(glob), !!hasMagic, uflag];
  }
};
_a = AST;

// node_modules/@actions/glob/node_modules/minimatch/dist/esm/escape.js
var escape = (s, { windowsPathsNoEscape = false, magicalBraces = false } = {}) => {
  if (magicalBraces) {
    return windowsPathsNoEscape ? s.replace(/[?*()[\]{}]/g, "[$&]") : s.replace(/[?*()[\]\\{}]/g, "\\$&");
  }
  return windowsPathsNoEscape ? s.replace(/[?*()[\]]/g, "[$&]") : s.replace(/[?*()[\]\\]/g, "\\$&");
};

// node_modules/@actions/glob/node_modules/minimatch/dist/esm/index.js
var minimatch = (p, pattern, options = {}) => {
  assertValidPattern(pattern);
  if (!options.nocomment && pattern.charAt(0) === "#") {
    return false;
  }
  return new Minimatch(pattern, options).match(p);
};
var starDotExtRE = /^\*+([^+@!?*[(]*)$/;
var starDotExtTest = (ext2) => (f) => !f.startsWith(".") && f.endsWith(ext2);
var starDotExtTestDot = (ext2) => (f) => f.endsWith(ext2);
var starDotExtTestNocase = (ext2) => {
  ext2 = ext2.toLowerCase();
  return (f) => !f.startsWith(".") && f.toLowerCase().endsWith(ext2);
};
var starDotExtTestNocaseDot = (ext2) => {
  ext2 = ext2.toLowerCase();
  return (f) => f.toLowerCase().endsWith(ext2);
};
var starDotStarRE = /^\*+\.\*+$/;
var starDotStarTest = (f) => !f.startsWith(".") && f.includes(".");
var starDotStarTestDot = (f) => f !== "." && f !== ".." && f.includes(".");
var dotStarRE = /^\.\*+$/;
var dotStarTest = (f) => f !== "." && f !== ".." && f.startsWith(".");
var starRE = /^\*+$/;
var starTest = (f) => f.length !== 0 && !f.startsWith(".");
var starTestDot = (f) => f.length !== 0 && f !== "." && f !== "..";
var qmarksRE = /^\?+([^+@!?*[(]*)?$/;
var qmarksTestNocase = ([$0, ext2 = ""]) => {
  const noext = qmarksTestNoExt([$0]);
  if (!ext2)
    return noext;
  ext2 = ext2.toLowerCase();
  return (f) => noext(f) && f.toLowerCase().endsWith(ext2);
};
var qmarksTestNocaseDot = ([$0, ext2 = ""]) => {
  const noext = qmarksTestNoExtDot([$0]);
  if (!ext2)
    return noext;
  ext2 = ext2.toLowerCase();
  return (f) => noext(f) && f.toLowerCase().endsWith(ext2);
};
var qmarksTestDot = ([$0, ext2 = ""]) => {
  const noext = qmarksTestNoExtDot([$0]);
  return !ext2 ? noext : (f) => noext(f) && f.endsWith(ext2);
};
var qmarksTest = ([$0, ext2 = ""]) => {
  const noext = qmarksTestNoExt([$0]);
  return !ext2 ? noext : (f) => noext(f) && f.endsWith(ext2);
};
var qmarksTestNoExt = ([$0]) => {
  const len = $0.length;
  return (f) => f.length === len && !f.startsWith(".");
};
var qmarksTestNoExtDot = ([$0]) => {
  const len = $0.length;
  return (f) => f.length === len && f !== "." && f !== "..";
};
var defaultPlatform = typeof process === "object" && process ? typeof process.env === "object" && process.env && process.env.__MINIMATCH_TESTING_PLATFORM__ || process.platform : "posix";
var path2 = {
  win32: { sep: "\\" },
  posix: { sep: "/" }
};
var sep2 = defaultPlatform === "win32" ? path2.win32.sep : path2.posix.sep;
minimatch.sep = sep2;
var GLOBSTAR = /* @__PURE__ */ Symbol("globstar **");
minimatch.GLOBSTAR = GLOBSTAR;
var qmark2 = "[^/]";
var star2 = qmark2 + "*?";
var twoStarDot = "(?:(?!(?:\\/|^)(?:\\.{1,2})($|\\/)).)*?";
var twoStarNoDot = "(?:(?!(?:\\/|^)\\.).)*?";
var filter = (pattern, options = {}) => (p) => minimatch(p, pattern, options);
minimatch.filter = filter;
var ext = (a, b = {}) => Object.assign({}, a, b);
var defaults = (def) => {
  if (!def || typeof def !== "object" || !Object.keys(def).length) {
    return minimatch;
  }
  const orig = minimatch;
  const m = (p, pattern, options = {}) => orig(p, pattern, ext(def, options));
  return Object.assign(m, {
    Minimatch: class Minimatch extends orig.Minimatch {
      constructor(pattern, options = {}) {
        super(pattern, ext(def, options));
      }
      static defaults(options) {
        return orig.defaults(ext(def, options)).Minimatch;
      }
    },
    AST: class AST extends orig.AST {
      /* c8 ignore start */
      constructor(type, parent, options = {}) {
        super(type, parent, ext(def, options));
      }
      /* c8 ignore stop */
      static fromGlob(pattern, options = {}) {
        return orig.AST.fromGlob(pattern, ext(def, options));
      }
    },
    unescape: (s, options = {}) => orig.unescape(s, ext(def, options)),
    escape: (s, options = {}) => orig.escape(s, ext(def, options)),
    filter: (pattern, options = {}) => orig.filter(pattern, ext(def, options)),
    defaults: (options) => orig.defaults(ext(def, options)),
    makeRe: (pattern, options = {}) => orig.makeRe(pattern, ext(def, options)),
    braceExpand: (pattern, options = {}) => orig.braceExpand(pattern, ext(def, options)),
    match: (list, pattern, options = {}) => orig.match(list, pattern, ext(def, options)),
    sep: orig.sep,
    GLOBSTAR
  });
};
minimatch.defaults = defaults;
var braceExpand = (pattern, options = {}) => {
  assertValidPattern(pattern);
  if (options.nobrace || !/\{(?:(?!\{).)*\}/.test(pattern)) {
    return [pattern];
  }
  return expand(pattern, { max: options.braceExpandMax });
};
minimatch.braceExpand = braceExpand;
var makeRe = (pattern, options = {}) => new Minimatch(pattern, options).makeRe();
minimatch.makeRe = makeRe;
var match2 = (list, pattern, options = {}) => {
  const mm = new Minimatch(pattern, options);
  list = list.filter((f) => mm.match(f));
  if (mm.options.nonull && !list.length) {
    list.push(pattern);
  }
  return list;
};
minimatch.match = match2;
var globMagic = /[?*]|[+@!]\(.*?\)|\[|\]/;
var regExpEscape2 = (s) => s.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, "\\$&");
var Minimatch = class {
  options;
  set;
  pattern;
  windowsPathsNoEscape;
  nonegate;
  negate;
  comment;
  empty;
  preserveMultipleSlashes;
  partial;
  globSet;
  globParts;
  nocase;
  isWindows;
  platform;
  windowsNoMagicRoot;
  maxGlobstarRecursion;
  regexp;
  constructor(pattern, options = {}) {
    assertValidPattern(pattern);
    options = options || {};
    this.options = options;
    this.maxGlobstarRecursion = options.maxGlobstarRecursion ?? 200;
    this.pattern = pattern;
    this.platform = options.platform || defaultPlatform;
    this.isWindows = this.platform === "win32";
    const awe = "allowWindowsEscape";
    this.windowsPathsNoEscape = !!options.windowsPathsNoEscape || options[awe] === false;
    if (this.windowsPathsNoEscape) {
      this.pattern = this.pattern.replace(/\\/g, "/");
    }
    this.preserveMultipleSlashes = !!options.preserveMultipleSlashes;
    this.regexp = null;
    this.negate = false;
    this.nonegate = !!options.nonegate;
    this.comment = false;
    this.empty = false;
    this.partial = !!options.partial;
    this.nocase = !!this.options.nocase;
    this.windowsNoMagicRoot = options.windowsNoMagicRoot !== void 0 ? options.windowsNoMagicRoot : !!(this.isWindows && this.nocase);
    this.globSet = [];
    this.globParts = [];
    this.set = [];
    this.make();
  }
  hasMagic() {
    if (this.options.magicalBraces && this.set.length > 1) {
      return true;
    }
    for (const pattern of this.set) {
      for (const part of pattern) {
        if (typeof part !== "string")
          return true;
      }
    }
    return false;
  }
  debug(..._) {
  }
  make() {
    const pattern = this.pattern;
    const options = this.options;
    if (!options.nocomment && pattern.charAt(0) === "#") {
      this.comment = true;
      return;
    }
    if (!pattern) {
      this.empty = true;
      return;
    }
    this.parseNegate();
    this.globSet = [...new Set(this.braceExpand())];
    if (options.debug) {
      this.debug = (...args) => console.error(...args);
    }
    this.debug(this.pattern, this.globSet);
    const rawGlobParts = this.globSet.map((s) => this.slashSplit(s));
    this.globParts = this.preprocess(rawGlobParts);
    this.debug(this.pattern, this.globParts);
    let set = this.globParts.map((s, _, __) => {
      if (this.isWindows && this.windowsNoMagicRoot) {
        const isUNC = s[0] === "" && s[1] === "" && (s[2] === "?" || !globMagic.test(s[2])) && !globMagic.test(s[3]);
        const isDrive = /^[a-z]:/i.test(s[0]);
        if (isUNC) {
          return [
            ...s.slice(0, 4),
            ...s.slice(4).map((ss) => this.parse(ss))
          ];
        } else if (isDrive) {
          return [s[0], ...s.slice(1).map((ss) => this.parse(ss))];
        }
      }
      return s.map((ss) => this.parse(ss));
    });
    this.debug(this.pattern, set);
    this.set = set.filter((s) => s.indexOf(false) === -1);
    if (this.isWindows) {
      for (let i = 0; i < this.set.length; i++) {
        const p = this.set[i];
        if (p[0] === "" && p[1] === "" && this.globParts[i][2] === "?" && typeof p[3] === "string" && /^[a-z]:$/i.test(p[3])) {
          p[2] = "?";
        }
      }
    }
    this.debug(this.pattern, this.set);
  }
  // various transforms to equivalent pattern sets that are
  // faster to process in a filesystem walk.  The goal is to
  // eliminate what we can, and push all ** patterns as far
  // to the right as possible, even if it increases the number
  // of patterns that we have to process.
  preprocess(globParts) {
    if (this.options.noglobstar) {
      for (const partset of globParts) {
        for (let j = 0; j < partset.length; j++) {
          if (partset[j] === "**") {
            partset[j] = "*";
          }
        }
      }
    }
    const { optimizationLevel = 1 } = this.options;
    if (optimizationLevel >= 2) {
      globParts = this.firstPhasePreProcess(globParts);
      globParts = this.secondPhasePreProcess(globParts);
    } else if (optimizationLevel >= 1) {
      globParts = this.levelOneOptimize(globParts);
    } else {
      globParts = this.adjascentGlobstarOptimize(globParts);
    }
    return globParts;
  }
  // just get rid of adjascent ** portions
  adjascentGlobstarOptimize(globParts) {
    return globParts.map((parts) => {
      let gs = -1;
      while (-1 !== (gs = parts.indexOf("**", gs + 1))) {
        let i = gs;
        while (parts[i + 1] === "**") {
          i++;
        }
        if (i !== gs) {
          parts.splice(gs, i - gs);
        }
      }
      return parts;
    });
  }
  // get rid of adjascent ** and resolve .. portions
  levelOneOptimize(globParts) {
    return globParts.map((parts) => {
      parts = parts.reduce((set, part) => {
        const prev = set[set.length - 1];
        if (part === "**" && prev === "**") {
          return set;
        }
        if (part === "..") {
          if (prev && prev !== ".." && prev !== "." && prev !== "**") {
            set.pop();
            return set;
          }
        }
        set.push(part);
        return set;
      }, []);
      return parts.length === 0 ? [""] : parts;
    });
  }
  levelTwoFileOptimize(parts) {
    if (!Array.isArray(parts)) {
      parts = this.slashSplit(parts);
    }
    let didSomething = false;
    do {
      didSomething = false;
      if (!this.preserveMultipleSlashes) {
        for (let i = 1; i < parts.length - 1; i++) {
          const p = parts[i];
          if (i === 1 && p === "" && parts[0] === "")
            continue;
          if (p === "." || p === "") {
            didSomething = true;
            parts.splice(i, 1);
            i--;
          }
        }
        if (parts[0] === "." && parts.length === 2 && (parts[1] === "." || parts[1] === "")) {
          didSomething = true;
          parts.pop();
        }
      }
      let dd = 0;
      while (-1 !== (dd = parts.indexOf("..", dd + 1))) {
        const p = parts[dd - 1];
        if (p && p !== "." && p !== ".." && p !== "**" && !(this.isWindows && /^[a-z]:$/i.test(p))) {
          didSomething = true;
          parts.splice(dd - 1, 2);
          dd -= 2;
        }
      }
    } while (didSomething);
    return parts.length === 0 ? [""] : parts;
  }
  // First phase: single-pattern processing
  // <pre> is 1 or more portions
  // <rest> is 1 or more portions
  // <p> is any portion other than ., .., '', or **
  // <e> is . or ''
  //
  // **/.. is *brutal* for filesystem walking performance, because
  // it effectively resets the recursive walk each time it occurs,
  // and ** cannot be reduced out by a .. pattern part like a regexp
  // or most strings (other than .., ., and '') can be.
  //
  // <pre>/**/../<p>/<p>/<rest> -> {<pre>/../<p>/<p>/<rest>,<pre>/**/<p>/<p>/<rest>}
  // <pre>/<e>/<rest> -> <pre>/<rest>
  // <pre>/<p>/../<rest> -> <pre>/<rest>
  // **/**/<rest> -> **/<rest>
  //
  // **/*/<rest> -> */**/<rest> <== not valid because ** doesn't follow
  // this WOULD be allowed if ** did follow symlinks, or * didn't
  firstPhasePreProcess(globParts) {
    let didSomething = false;
    do {
      didSomething = false;
      for (let parts of globParts) {
        let gs = -1;
        while (-1 !== (gs = parts.indexOf("**", gs + 1))) {
          let gss = gs;
          while (parts[gss + 1] === "**") {
            gss++;
          }
          if (gss > gs) {
            parts.splice(gs + 1, gss - gs);
          }
          let next = parts[gs + 1];
          const p = parts[gs + 2];
          const p2 = parts[gs + 3];
          if (next !== "..")
            continue;
          if (!p || p === "." || p === ".." || !p2 || p2 === "." || p2 === "..") {
            continue;
          }
          didSomething = true;
          parts.splice(gs, 1);
          const other = parts.slice(0);
          other[gs] = "**";
          globParts.push(other);
          gs--;
        }
        if (!this.preserveMultipleSlashes) {
          for (let i = 1; i < parts.length - 1; i++) {
            const p = parts[i];
            if (i === 1 && p === "" && parts[0] === "")
              continue;
            if (p === "." || p === "") {
              didSomething = true;
              parts.splice(i, 1);
              i--;
            }
          }
          if (parts[0] === "." && parts.length === 2 && (parts[1] === "." || parts[1] === "")) {
            didSomething = true;
            parts.pop();
          }
        }
        let dd = 0;
        while (-1 !== (dd = parts.indexOf("..", dd + 1))) {
          const p = parts[dd - 1];
          if (p && p !== "." && p !== ".." && p !== "**") {
            didSomething = true;
            const needDot = dd === 1 && parts[dd + 1] === "**";
            const splin = needDot ? ["."] : [];
            parts.splice(dd - 1, 2, ...splin);
            if (parts.length === 0)
              parts.push("");
            dd -= 2;
          }
        }
      }
    } while (didSomething);
    return globParts;
  }
  // second phase: multi-pattern dedupes
  // {<pre>/*/<rest>,<pre>/<p>/<rest>} -> <pre>/*/<rest>
  // {<pre>/<rest>,<pre>/<rest>} -> <pre>/<rest>
  // {<pre>/**/<rest>,<pre>/<rest>} -> <pre>/**/<rest>
  //
  // {<pre>/**/<rest>,<pre>/**/<p>/<rest>} -> <pre>/**/<rest>
  // ^-- not valid because ** doens't follow symlinks
  secondPhasePreProcess(globParts) {
    for (let i = 0; i < globParts.length - 1; i++) {
      for (let j = i + 1; j < globParts.length; j++) {
        const matched = this.partsMatch(globParts[i], globParts[j], !this.preserveMultipleSlashes);
        if (matched) {
          globParts[i] = [];
          globParts[j] = matched;
          break;
        }
      }
    }
    return globParts.filter((gs) => gs.length);
  }
  partsMatch(a, b, emptyGSMatch = false) {
    let ai = 0;
    let bi = 0;
    let result = [];
    let which = "";
    while (ai < a.length && bi < b.length) {
      if (a[ai] === b[bi]) {
        result.push(which === "b" ? b[bi] : a[ai]);
        ai++;
        bi++;
      } else if (emptyGSMatch && a[ai] === "**" && b[bi] === a[ai + 1]) {
        result.push(a[ai]);
        ai++;
      } else if (emptyGSMatch && b[bi] === "**" && a[ai] === b[bi + 1]) {
        result.push(b[bi]);
        bi++;
      } else if (a[ai] === "*" && b[bi] && (this.options.dot || !b[bi].startsWith(".")) && b[bi] !== "**") {
        if (which === "b")
          return false;
        which = "a";
        result.push(a[ai]);
        ai++;
        bi++;
      } else if (b[bi] === "*" && a[ai] && (this.options.dot || !a[ai].startsWith(".")) && a[ai] !== "**") {
        if (which === "a")
          return false;
        which = "b";
        result.push(b[bi]);
        ai++;
        bi++;
      } else {
        return false;
      }
    }
    return a.length === b.length && result;
  }
  parseNegate() {
    if (this.nonegate)
      return;
    const pattern = this.pattern;
    let negate = false;
    let negateOffset = 0;
    for (let i = 0; i < pattern.length && pattern.charAt(i) === "!"; i++) {
      negate = !negate;
      negateOffset++;
    }
    if (negateOffset)
      this.pattern = pattern.slice(negateOffset);
    this.negate = negate;
  }
  // set partial to true to test if, for example,
  // "/a/b" matches the start of "/*/b/*/d"
  // Partial means, if you run out of file before you run
  // out of pattern, then that's fine, as long as all
  // the parts match.
  matchOne(file, pattern, partial = false) {
    let fileStartIndex = 0;
    let patternStartIndex = 0;
    if (this.isWindows) {
      const fileDrive = typeof file[0] === "string" && /^[a-z]:$/i.test(file[0]);
      const fileUNC = !fileDrive && file[0] === "" && file[1] === "" && file[2] === "?" && /^[a-z]:$/i.test(file[3]);
      const patternDrive = typeof pattern[0] === "string" && /^[a-z]:$/i.test(pattern[0]);
      const patternUNC = !patternDrive && pattern[0] === "" && pattern[1] === "" && pattern[2] === "?" && typeof pattern[3] === "string" && /^[a-z]:$/i.test(pattern[3]);
      const fdi = fileUNC ? 3 : fileDrive ? 0 : void 0;
      const pdi = patternUNC ? 3 : patternDrive ? 0 : void 0;
      if (typeof fdi === "number" && typeof pdi === "number") {
        const [fd, pd] = [
          file[fdi],
          pattern[pdi]
        ];
        if (fd.toLowerCase() === pd.toLowerCase()) {
          pattern[pdi] = fd;
          patternStartIndex = pdi;
          fileStartIndex = fdi;
        }
      }
    }
    const { optimizationLevel = 1 } = this.options;
    if (optimizationLevel >= 2) {
      file = this.levelTwoFileOptimize(file);
    }
    if (pattern.includes(GLOBSTAR)) {
      return this.#matchGlobstar(file, pattern, partial, fileStartIndex, patternStartIndex);
    }
    return this.#matchOne(file, pattern, partial, fileStartIndex, patternStartIndex);
  }
  #matchGlobstar(file, pattern, partial, fileIndex, patternIndex) {
    const firstgs = pattern.indexOf(GLOBSTAR, patternIndex);
    const lastgs = pattern.lastIndexOf(GLOBSTAR);
    const [head, body, tail] = partial ? [
      pattern.slice(patternIndex, firstgs),
      pattern.slice(firstgs + 1),
      []
    ] : [
      pattern.slice(patternIndex, firstgs),
      pattern.slice(firstgs + 1, lastgs),
      pattern.slice(lastgs + 1)
    ];
    if (head.length) {
      const fileHead = file.slice(fileIndex, fileIndex + head.length);
      if (!this.#matchOne(fileHead, head, partial, 0, 0)) {
        return false;
      }
      fileIndex += head.length;
      patternIndex += head.length;
    }
    let fileTailMatch = 0;
    if (tail.length) {
      if (tail.length + fileIndex > file.length)
        return false;
      let tailStart = file.length - tail.length;
      if (this.#matchOne(file, tail, partial, tailStart, 0)) {
        fileTailMatch = tail.length;
      } else {
        if (file[file.length - 1] !== "" || fileIndex + tail.length === file.length) {
          return false;
        }
        tailStart--;
        if (!this.#matchOne(file, tail, partial, tailStart, 0)) {
          return false;
        }
        fileTailMatch = tail.length + 1;
      }
    }
    if (!body.length) {
      let sawSome = !!fileTailMatch;
      for (let i2 = fileIndex; i2 < file.length - fileTailMatch; i2++) {
        const f = String(file[i2]);
        sawSome = true;
        if (f === "." || f === ".." || !this.options.dot && f.startsWith(".")) {
          return false;
        }
      }
      return partial || sawSome;
    }
    const bodySegments = [[[], 0]];
    let currentBody = bodySegments[0];
    let nonGsParts = 0;
    const nonGsPartsSums = [0];
    for (const b of body) {
      if (b === GLOBSTAR) {
        nonGsPartsSums.push(nonGsParts);
        currentBody = [[], 0];
        bodySegments.push(currentBody);
      } else {
        currentBody[0].push(b);
        nonGsParts++;
      }
    }
    let i = bodySegments.length - 1;
    const fileLength = file.length - fileTailMatch;
    for (const b of bodySegments) {
      b[1] = fileLength - (nonGsPartsSums[i--] + b[0].length);
    }
    return !!this.#matchGlobStarBodySections(file, bodySegments, fileIndex, 0, partial, 0, !!fileTailMatch);
  }
  // return false for "nope, not matching"
  // return null for "not matching, cannot keep trying"
  #matchGlobStarBodySections(file, bodySegments, fileIndex, bodyIndex, partial, globStarDepth, sawTail) {
    const bs = bodySegments[bodyIndex];
    if (!bs) {
      for (let i = fileIndex; i < file.length; i++) {
        sawTail = true;
        const f = file[i];
        if (f === "." || f === ".." || !this.options.dot && f.startsWith(".")) {
          return false;
        }
      }
      return sawTail;
    }
    const [body, after] = bs;
    while (fileIndex <= after) {
      const m = this.#matchOne(file.slice(0, fileIndex + body.length), body, partial, fileIndex, 0);
      if (m && globStarDepth < this.maxGlobstarRecursion) {
        const sub = this.#matchGlobStarBodySections(file, bodySegments, fileIndex + body.length, bodyIndex + 1, partial, globStarDepth + 1, sawTail);
        if (sub !== false) {
          return sub;
        }
      }
      const f = file[fileIndex];
      if (f === "." || f === ".." || !this.options.dot && f.startsWith(".")) {
        return false;
      }
      fileIndex++;
    }
    return partial || null;
  }
  #matchOne(file, pattern, partial, fileIndex, patternIndex) {
    let fi;
    let pi;
    let pl;
    let fl;
    for (fi = fileIndex, pi = patternIndex, fl = file.length, pl = pattern.length; fi < fl && pi < pl; fi++, pi++) {
      this.debug("matchOne loop");
      let p = pattern[pi];
      let f = file[fi];
      this.debug(pattern, p, f);
      if (p === false || p === GLOBSTAR) {
        return false;
      }
      let hit;
      if (typeof p === "string") {
        hit = f === p;
        this.debug("string match", p, f, hit);
      } else {
        hit = p.test(f);
        this.debug("pattern match", p, f, hit);
      }
      if (!hit)
        return false;
    }
    if (fi === fl && pi === pl) {
      return true;
    } else if (fi === fl) {
      return partial;
    } else if (pi === pl) {
      return fi === fl - 1 && file[fi] === "";
    } else {
      throw new Error("wtf?");
    }
  }
  braceExpand() {
    return braceExpand(this.pattern, this.options);
  }
  parse(pattern) {
    assertValidPattern(pattern);
    const options = this.options;
    if (pattern === "**")
      return GLOBSTAR;
    if (pattern === "")
      return "";
    let m;
    let fastTest = null;
    if (m = pattern.match(starRE)) {
      fastTest = options.dot ? starTestDot : starTest;
    } else if (m = pattern.match(starDotExtRE)) {
      fastTest = (options.nocase ? options.dot ? starDotExtTestNocaseDot : starDotExtTestNocase : options.dot ? starDotExtTestDot : starDotExtTest)(m[1]);
    } else if (m = pattern.match(qmarksRE)) {
      fastTest = (options.nocase ? options.dot ? qmarksTestNocaseDot : qmarksTestNocase : options.dot ? qmarksTestDot : qmarksTest)(m);
    } else if (m = pattern.match(starDotStarRE)) {
      fastTest = options.dot ? starDotStarTestDot : starDotStarTest;
    } else if (m = pattern.match(dotStarRE)) {
      fastTest = dotStarTest;
    }
    const re = AST.fromGlob(pattern, this.options).toMMPattern();
    if (fastTest && typeof re === "object") {
      Reflect.defineProperty(re, "test", { value: fastTest });
    }
    return re;
  }
  makeRe() {
    if (this.regexp || this.regexp === false)
      return this.regexp;
    const set = this.set;
    if (!set.length) {
      this.regexp = false;
      return this.regexp;
    }
    const options = this.options;
    const twoStar = options.noglobstar ? star2 : options.dot ? twoStarDot : twoStarNoDot;
    const flags = new Set(options.nocase ? ["i"] : []);
    let re = set.map((pattern) => {
      const pp = pattern.map((p) => {
        if (p instanceof RegExp) {
          for (const f of p.flags.split(""))
            flags.add(f);
        }
        return typeof p === "string" ? regExpEscape2(p) : p === GLOBSTAR ? GLOBSTAR : p._src;
      });
      pp.forEach((p, i) => {
        const next = pp[i + 1];
        const prev = pp[i - 1];
        if (p !== GLOBSTAR || prev === GLOBSTAR) {
          return;
        }
        if (prev === void 0) {
          if (next !== void 0 && next !== GLOBSTAR) {
            pp[i + 1] = "(?:\\/|" + twoStar + "\\/)?" + next;
          } else {
            pp[i] = twoStar;
          }
        } else if (next === void 0) {
          pp[i - 1] = prev + "(?:\\/|\\/" + twoStar + ")?";
        } else if (next !== GLOBSTAR) {
          pp[i - 1] = prev + "(?:\\/|\\/" + twoStar + "\\/)" + next;
          pp[i + 1] = GLOBSTAR;
        }
      });
      const filtered = pp.filter((p) => p !== GLOBSTAR);
      if (this.partial && filtered.length >= 1) {
        const prefixes = [];
        for (let i = 1; i <= filtered.length; i++) {
          prefixes.push(filtered.slice(0, i).join("/"));
        }
        return "(?:" + prefixes.join("|") + ")";
      }
      return filtered.join("/");
    }).join("|");
    const [open3, close] = set.length > 1 ? ["(?:", ")"] : ["", ""];
    re = "^" + open3 + re + close + "$";
    if (this.partial) {
      re = "^(?:\\/|" + open3 + re.slice(1, -1) + close + ")$";
    }
    if (this.negate)
      re = "^(?!" + re + ").+$";
    try {
      this.regexp = new RegExp(re, [...flags].join(""));
    } catch {
      this.regexp = false;
    }
    return this.regexp;
  }
  slashSplit(p) {
    if (this.preserveMultipleSlashes) {
      return p.split("/");
    } else if (this.isWindows && /^\/\/[^/]+/.test(p)) {
      return ["", ...p.split(/\/+/)];
    } else {
      return p.split(/\/+/);
    }
  }
  match(f, partial = this.partial) {
    this.debug("match", f, this.pattern);
    if (this.comment) {
      return false;
    }
    if (this.empty) {
      return f === "";
    }
    if (f === "/" && partial) {
      return true;
    }
    const options = this.options;
    if (this.isWindows) {
      f = f.split("\\").join("/");
    }
    const ff = this.slashSplit(f);
    this.debug(this.pattern, "split", ff);
    const set = this.set;
    this.debug(this.pattern, "set", set);
    let filename = ff[ff.length - 1];
    if (!filename) {
      for (let i = ff.length - 2; !filename && i >= 0; i--) {
        filename = ff[i];
      }
    }
    for (const pattern of set) {
      let file = ff;
      if (options.matchBase && pattern.length === 1) {
        file = [filename];
      }
      const hit = this.matchOne(file, pattern, partial);
      if (hit) {
        if (options.flipNegate) {
          return true;
        }
        return !this.negate;
      }
    }
    if (options.flipNegate) {
      return false;
    }
    return this.negate;
  }
  static defaults(def) {
    return minimatch.defaults(def).Minimatch;
  }
};
minimatch.AST = AST;
minimatch.Minimatch = Minimatch;
minimatch.escape = escape;
minimatch.unescape = unescape;

// node_modules/@actions/glob/lib/internal-path.js
import * as path3 from "path";
import assert2 from "assert";
var IS_WINDOWS3 = process.platform === "win32";
var Path = class {
  /**
   * Constructs a Path
   * @param itemPath Path or array of segments
   */
  constructor(itemPath) {
    this.segments = [];
    if (typeof itemPath === "string") {
      assert2(itemPath, `Parameter 'itemPath' must not be empty`);
      itemPath = safeTrimTrailingSeparator(itemPath);
      if (!hasRoot(itemPath)) {
        this.segments = itemPath.split(path3.sep);
      } else {
        let remaining = itemPath;
        let dir = dirname2(remaining);
        while (dir !== remaining) {
          const basename5 = path3.basename(remaining);
          this.segments.unshift(basename5);
          remaining = dir;
          dir = dirname2(remaining);
        }
        this.segments.unshift(remaining);
      }
    } else {
      assert2(itemPath.length > 0, `Parameter 'itemPath' must not be an empty array`);
      for (let i = 0; i < itemPath.length; i++) {
        let segment = itemPath[i];
        assert2(segment, `Parameter 'itemPath' must not contain any empty segments`);
        segment = normalizeSeparators(itemPath[i]);
        if (i === 0 && hasRoot(segment)) {
          segment = safeTrimTrailingSeparator(segment);
          assert2(segment === dirname2(segment), `Parameter 'itemPath' root segment contains information for multiple segments`);
          this.segments.push(segment);
        } else {
          assert2(!segment.includes(path3.sep), `Parameter 'itemPath' contains unexpected path separators`);
          this.segments.push(segment);
        }
      }
    }
  }
  /**
   * Converts the path to it's string representation
   */
  toString() {
    let result = this.segments[0];
    let skipSlash = result.endsWith(path3.sep) || IS_WINDOWS3 && /^[A-Z]:$/i.test(result);
    for (let i = 1; i < this.segments.length; i++) {
      if (skipSlash) {
        skipSlash = false;
      } else {
        result += path3.sep;
      }
      result += this.segments[i];
    }
    return result;
  }
};

// node_modules/@actions/glob/lib/internal-pattern.js
var IS_WINDOWS4 = process.platform === "win32";
var Pattern = class _Pattern {
  constructor(patternOrNegate, isImplicitPattern = false, segments, homedir2) {
    this.negate = false;
    let pattern;
    if (typeof patternOrNegate === "string") {
      pattern = patternOrNegate.trim();
    } else {
      segments = segments || [];
      assert3(segments.length, `Parameter 'segments' must not empty`);
      const root = _Pattern.getLiteral(segments[0]);
      assert3(root && hasAbsoluteRoot(root), `Parameter 'segments' first element must be a root path`);
      pattern = new Path(segments).toString().trim();
      if (patternOrNegate) {
        pattern = `!${pattern}`;
      }
    }
    while (pattern.startsWith("!")) {
      this.negate = !this.negate;
      pattern = pattern.substr(1).trim();
    }
    pattern = _Pattern.fixupPattern(pattern, homedir2);
    this.segments = new Path(pattern).segments;
    this.trailingSeparator = normalizeSeparators(pattern).endsWith(path4.sep);
    pattern = safeTrimTrailingSeparator(pattern);
    let foundGlob = false;
    const searchSegments = this.segments.map((x) => _Pattern.getLiteral(x)).filter((x) => !foundGlob && !(foundGlob = x === ""));
    this.searchPath = new Path(searchSegments).toString();
    this.rootRegExp = new RegExp(_Pattern.regExpEscape(searchSegments[0]), IS_WINDOWS4 ? "i" : "");
    this.isImplicitPattern = isImplicitPattern;
    const minimatchOptions = {
      dot: true,
      nobrace: true,
      nocase: IS_WINDOWS4,
      nocomment: true,
      noext: true,
      nonegate: true
    };
    pattern = IS_WINDOWS4 ? pattern.replace(/\\/g, "/") : pattern;
    this.minimatch = new Minimatch(pattern, minimatchOptions);
  }
  /**
   * Matches the pattern against the specified path
   */
  match(itemPath) {
    if (this.segments[this.segments.length - 1] === "**") {
      itemPath = normalizeSeparators(itemPath);
      if (!itemPath.endsWith(path4.sep) && this.isImplicitPattern === false) {
        itemPath = `${itemPath}${path4.sep}`;
      }
    } else {
      itemPath = safeTrimTrailingSeparator(itemPath);
    }
    if (this.minimatch.match(itemPath)) {
      return this.trailingSeparator ? MatchKind.Directory : MatchKind.All;
    }
    return MatchKind.None;
  }
  /**
   * Indicates whether the pattern may match descendants of the specified path
   */
  partialMatch(itemPath) {
    itemPath = safeTrimTrailingSeparator(itemPath);
    if (dirname2(itemPath) === itemPath) {
      return this.rootRegExp.test(itemPath);
    }
    return this.minimatch.matchOne(itemPath.split(IS_WINDOWS4 ? /\\+/ : /\/+/), this.minimatch.set[0], true);
  }
  /**
   * Escapes glob patterns within a path
   */
  static globEscape(s) {
    return (IS_WINDOWS4 ? s : s.replace(/\\/g, "\\\\")).replace(/(\[)(?=[^/]+\])/g, "[[]").replace(/\?/g, "[?]").replace(/\*/g, "[*]");
  }
  /**
   * Normalizes slashes and ensures absolute root
   */
  static fixupPattern(pattern, homedir2) {
    assert3(pattern, "pattern cannot be empty");
    const literalSegments = new Path(pattern).segments.map((x) => _Pattern.getLiteral(x));
    assert3(literalSegments.every((x, i) => (x !== "." || i === 0) && x !== ".."), `Invalid pattern '${pattern}'. Relative pathing '.' and '..' is not allowed.`);
    assert3(!hasRoot(pattern) || literalSegments[0], `Invalid pattern '${pattern}'. Root segment must not contain globs.`);
    pattern = normalizeSeparators(pattern);
    if (pattern === "." || pattern.startsWith(`.${path4.sep}`)) {
      pattern = _Pattern.globEscape(process.cwd()) + pattern.substr(1);
    } else if (pattern === "~" || pattern.startsWith(`~${path4.sep}`)) {
      homedir2 = homedir2 || os.homedir();
      assert3(homedir2, "Unable to determine HOME directory");
      assert3(hasAbsoluteRoot(homedir2), `Expected HOME directory to be a rooted path. Actual '${homedir2}'`);
      pattern = _Pattern.globEscape(homedir2) + pattern.substr(1);
    } else if (IS_WINDOWS4 && (pattern.match(/^[A-Z]:$/i) || pattern.match(/^[A-Z]:[^\\]/i))) {
      let root = ensureAbsoluteRoot("C:\\dummy-root", pattern.substr(0, 2));
      if (pattern.length > 2 && !root.endsWith("\\")) {
        root += "\\";
      }
      pattern = _Pattern.globEscape(root) + pattern.substr(2);
    } else if (IS_WINDOWS4 && (pattern === "\\" || pattern.match(/^\\[^\\]/))) {
      let root = ensureAbsoluteRoot("C:\\dummy-root", "\\");
      if (!root.endsWith("\\")) {
        root += "\\";
      }
      pattern = _Pattern.globEscape(root) + pattern.substr(1);
    } else {
      pattern = ensureAbsoluteRoot(_Pattern.globEscape(process.cwd()), pattern);
    }
    return normalizeSeparators(pattern);
  }
  /**
   * Attempts to unescape a pattern segment to create a literal path segment.
   * Otherwise returns empty string.
   */
  static getLiteral(segment) {
    let literal = "";
    for (let i = 0; i < segment.length; i++) {
      const c = segment[i];
      if (c === "\\" && !IS_WINDOWS4 && i + 1 < segment.length) {
        literal += segment[++i];
        continue;
      } else if (c === "*" || c === "?") {
        return "";
      } else if (c === "[" && i + 1 < segment.length) {
        let set = "";
        let closed = -1;
        for (let i2 = i + 1; i2 < segment.length; i2++) {
          const c2 = segment[i2];
          if (c2 === "\\" && !IS_WINDOWS4 && i2 + 1 < segment.length) {
            set += segment[++i2];
            continue;
          } else if (c2 === "]") {
            closed = i2;
            break;
          } else {
            set += c2;
          }
        }
        if (closed >= 0) {
          if (set.length > 1) {
            return "";
          }
          if (set) {
            literal += set;
            i = closed;
            continue;
          }
        }
      }
      literal += c;
    }
    return literal;
  }
  /**
   * Escapes regexp special characters
   * https://javascript.info/regexp-escaping
   */
  static regExpEscape(s) {
    return s.replace(/[[\\^$.|?*+()]/g, "\\$&");
  }
};

// node_modules/@actions/glob/lib/internal-search-state.js
var SearchState = class {
  constructor(path6, level) {
    this.path = path6;
    this.level = level;
  }
};

// node_modules/@actions/glob/lib/internal-globber.js
var __awaiter = function(thisArg, _arguments, P, generator) {
  function adopt(value) {
    return value instanceof P ? value : new P(function(resolve3) {
      resolve3(value);
    });
  }
  return new (P || (P = Promise))(function(resolve3, reject) {
    function fulfilled(value) {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    }
    function rejected(value) {
      try {
        step(generator["throw"](value));
      } catch (e) {
        reject(e);
      }
    }
    function step(result) {
      result.done ? resolve3(result.value) : adopt(result.value).then(fulfilled, rejected);
    }
    step((generator = generator.apply(thisArg, _arguments || [])).next());
  });
};
var __asyncValues = function(o) {
  if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
  var m = o[Symbol.asyncIterator], i;
  return m ? m.call(o) : (o = typeof __values === "function" ? __values(o) : o[Symbol.iterator](), i = {}, verb("next"), verb("throw"), verb("return"), i[Symbol.asyncIterator] = function() {
    return this;
  }, i);
  function verb(n) {
    i[n] = o[n] && function(v) {
      return new Promise(function(resolve3, reject) {
        v = o[n](v), settle(resolve3, reject, v.done, v.value);
      });
    };
  }
  function settle(resolve3, reject, d, v) {
    Promise.resolve(v).then(function(v2) {
      resolve3({ value: v2, done: d });
    }, reject);
  }
};
var __await = function(v) {
  return this instanceof __await ? (this.v = v, this) : new __await(v);
};
var __asyncGenerator = function(thisArg, _arguments, generator) {
  if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
  var g = generator.apply(thisArg, _arguments || []), i, q = [];
  return i = Object.create((typeof AsyncIterator === "function" ? AsyncIterator : Object).prototype), verb("next"), verb("throw"), verb("return", awaitReturn), i[Symbol.asyncIterator] = function() {
    return this;
  }, i;
  function awaitReturn(f) {
    return function(v) {
      return Promise.resolve(v).then(f, reject);
    };
  }
  function verb(n, f) {
    if (g[n]) {
      i[n] = function(v) {
        return new Promise(function(a, b) {
          q.push([n, v, a, b]) > 1 || resume(n, v);
        });
      };
      if (f) i[n] = f(i[n]);
    }
  }
  function resume(n, v) {
    try {
      step(g[n](v));
    } catch (e) {
      settle(q[0][3], e);
    }
  }
  function step(r) {
    r.value instanceof __await ? Promise.resolve(r.value.v).then(fulfill, reject) : settle(q[0][2], r);
  }
  function fulfill(value) {
    resume("next", value);
  }
  function reject(value) {
    resume("throw", value);
  }
  function settle(f, v) {
    if (f(v), q.shift(), q.length) resume(q[0][0], q[0][1]);
  }
};
var IS_WINDOWS5 = process.platform === "win32";
var DefaultGlobber = class _DefaultGlobber {
  constructor(options) {
    this.patterns = [];
    this.searchPaths = [];
    this.options = getOptions(options);
  }
  getSearchPaths() {
    return this.searchPaths.slice();
  }
  glob() {
    return __awaiter(this, void 0, void 0, function* () {
      var _a2, e_1, _b, _c;
      const result = [];
      try {
        for (var _d = true, _e = __asyncValues(this.globGenerator()), _f; _f = yield _e.next(), _a2 = _f.done, !_a2; _d = true) {
          _c = _f.value;
          _d = false;
          const itemPath = _c;
          result.push(itemPath);
        }
      } catch (e_1_1) {
        e_1 = { error: e_1_1 };
      } finally {
        try {
          if (!_d && !_a2 && (_b = _e.return)) yield _b.call(_e);
        } finally {
          if (e_1) throw e_1.error;
        }
      }
      return result;
    });
  }
  globGenerator() {
    return __asyncGenerator(this, arguments, function* globGenerator_1() {
      const options = getOptions(this.options);
      const patterns = [];
      for (const pattern of this.patterns) {
        patterns.push(pattern);
        if (options.implicitDescendants && (pattern.trailingSeparator || pattern.segments[pattern.segments.length - 1] !== "**")) {
          patterns.push(new Pattern(pattern.negate, true, pattern.segments.concat("**")));
        }
      }
      const stack = [];
      for (const searchPath of getSearchPaths(patterns)) {
        debug(`Search path '${searchPath}'`);
        try {
          yield __await(fs.promises.lstat(searchPath));
        } catch (err) {
          if (err.code === "ENOENT") {
            continue;
          }
          throw err;
        }
        stack.unshift(new SearchState(searchPath, 1));
      }
      const traversalChain = [];
      while (stack.length) {
        const item = stack.pop();
        const match3 = match(patterns, item.path);
        const partialMatch2 = !!match3 || partialMatch(patterns, item.path);
        if (!match3 && !partialMatch2) {
          continue;
        }
        const stats = yield __await(
          _DefaultGlobber.stat(item, options, traversalChain)
          // Broken symlink, or symlink cycle detected, or no longer exists
        );
        if (!stats) {
          continue;
        }
        if (options.excludeHiddenFiles && path5.basename(item.path).match(/^\./)) {
          continue;
        }
        if (stats.isDirectory()) {
          if (match3 & MatchKind.Directory && options.matchDirectories) {
            yield yield __await(item.path);
          } else if (!partialMatch2) {
            continue;
          }
          const childLevel = item.level + 1;
          const childItems = (yield __await(fs.promises.readdir(item.path))).map((x) => new SearchState(path5.join(item.path, x), childLevel));
          stack.push(...childItems.reverse());
        } else if (match3 & MatchKind.File) {
          yield yield __await(item.path);
        }
      }
    });
  }
  /**
   * Constructs a DefaultGlobber
   */
  static create(patterns, options) {
    return __awaiter(this, void 0, void 0, function* () {
      const result = new _DefaultGlobber(options);
      if (IS_WINDOWS5) {
        patterns = patterns.replace(/\r\n/g, "\n");
        patterns = patterns.replace(/\r/g, "\n");
      }
      const lines = patterns.split("\n").map((x) => x.trim());
      for (const line of lines) {
        if (!line || line.startsWith("#")) {
          continue;
        } else {
          result.patterns.push(new Pattern(line));
        }
      }
      result.searchPaths.push(...getSearchPaths(result.patterns));
      return result;
    });
  }
  static stat(item, options, traversalChain) {
    return __awaiter(this, void 0, void 0, function* () {
      let stats;
      if (options.followSymbolicLinks) {
        try {
          stats = yield fs.promises.stat(item.path);
        } catch (err) {
          if (err.code === "ENOENT") {
            if (options.omitBrokenSymbolicLinks) {
              debug(`Broken symlink '${item.path}'`);
              return void 0;
            }
            throw new Error(`No information found for the path '${item.path}'. This may indicate a broken symbolic link.`);
          }
          throw err;
        }
      } else {
        stats = yield fs.promises.lstat(item.path);
      }
      if (stats.isDirectory() && options.followSymbolicLinks) {
        const realPath = yield fs.promises.realpath(item.path);
        while (traversalChain.length >= item.level) {
          traversalChain.pop();
        }
        if (traversalChain.some((x) => x === realPath)) {
          debug(`Symlink cycle detected for path '${item.path}' and realpath '${realPath}'`);
          return void 0;
        }
        traversalChain.push(realPath);
      }
      return stats;
    });
  }
};

// node_modules/@actions/glob/lib/glob.js
var __awaiter2 = function(thisArg, _arguments, P, generator) {
  function adopt(value) {
    return value instanceof P ? value : new P(function(resolve3) {
      resolve3(value);
    });
  }
  return new (P || (P = Promise))(function(resolve3, reject) {
    function fulfilled(value) {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    }
    function rejected(value) {
      try {
        step(generator["throw"](value));
      } catch (e) {
        reject(e);
      }
    }
    function step(result) {
      result.done ? resolve3(result.value) : adopt(result.value).then(fulfilled, rejected);
    }
    step((generator = generator.apply(thisArg, _arguments || [])).next());
  });
};
function create(patterns, options) {
  return __awaiter2(this, void 0, void 0, function* () {
    return yield DefaultGlobber.create(patterns, options);
  });
}

// src/report/extra-data.ts
import { stat as stat2 } from "node:fs/promises";
import { basename as basename3, isAbsolute as isAbsolute2, join as join6, relative as relative2 } from "node:path";
var GLOB_CHARS = /[*?[\]{}!]/;
var SQLITE_SIDE_FILES = /-(journal|wal|shm)$/;
function isCoverageDataName(name) {
  return (name === ".coverage" || name.startsWith(".coverage.")) && !SQLITE_SIDE_FILES.test(name);
}
function inside(path6, dir) {
  const rel = relative2(dir, path6);
  return rel === "" || !rel.startsWith("..") && !isAbsolute2(rel);
}
async function resolveExtraData(patterns, workspace, outputDir) {
  const found = [];
  for (const pattern of patterns) {
    const absolute = isAbsolute2(pattern) ? pattern : join6(workspace, pattern);
    const matched = [];
    if (!GLOB_CHARS.test(pattern) && await isFile(absolute)) {
      matched.push(absolute);
    } else {
      const globber = await create(absolute, {
        matchDirectories: false,
        implicitDescendants: true
      });
      for (const file of await globber.glob()) {
        if (isCoverageDataName(basename3(file)) && await isFile(file)) matched.push(file);
      }
    }
    const taken = matched.filter((file) => !inside(file, outputDir));
    if (taken.length === 0) {
      throw new Error(
        `input \`extra-data\` has \`${pattern}\`, which matches no coverage data file (\`.coverage\` or \`.coverage.*\`) outside \`output-dir\`; download the other job's coverage data before this step (e.g. actions/download-artifact) or fix the path`
      );
    }
    for (const file of taken.sort()) if (!found.includes(file)) found.push(file);
  }
  return found;
}
async function isFile(path6) {
  try {
    return (await stat2(path6)).isFile();
  } catch {
    return false;
  }
}

// src/pr/event.ts
import { readFile as readFile2 } from "node:fs/promises";
var PULL_REQUEST_EVENTS = ["pull_request", "pull_request_target"];
var SHA2 = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
function shaAt(payload, side) {
  const pr = payload?.pull_request;
  const sha = pr?.[side]?.sha;
  return typeof sha === "string" && SHA2.test(sha) ? sha : void 0;
}
function eventFrom(eventName, payload, githubSha) {
  const fallbackSha = githubSha !== void 0 && SHA2.test(githubSha) ? githubSha : void 0;
  if (!PULL_REQUEST_EVENTS.some((name) => name === eventName)) {
    return { pullRequest: void 0, linkSha: fallbackSha };
  }
  const baseSha = shaAt(payload, "base");
  const headSha = shaAt(payload, "head");
  if (baseSha === void 0 || headSha === void 0) {
    throw new Error(
      `the ${eventName} event payload has no pull_request.base.sha and pull_request.head.sha, so the lines the pull request changes are unknown; run this step in a job triggered by the pull request itself`
    );
  }
  const number = payload.pull_request?.number;
  const fromFork = forkOf(payload);
  return {
    pullRequest: {
      baseSha,
      headSha,
      ...typeof number === "number" && Number.isSafeInteger(number) && number > 0 ? { number } : {},
      ...fromFork === void 0 ? {} : { fromFork }
    },
    linkSha: headSha
  };
}
function forkOf(payload) {
  const pr = payload.pull_request;
  const head = pr?.head?.repo?.full_name;
  const base = pr?.base?.repo?.full_name;
  return typeof head === "string" && typeof base === "string" ? head !== base : void 0;
}
async function readRunEvent(env = process.env) {
  const eventName = env.GITHUB_EVENT_NAME;
  let payload = {};
  if (PULL_REQUEST_EVENTS.some((name) => name === eventName)) {
    const path6 = env.GITHUB_EVENT_PATH;
    if (!path6) {
      throw new Error(
        `GITHUB_EVENT_PATH is not set on a ${eventName} event, so the pull request's commits are unknown; run the action as a step of a workflow job`
      );
    }
    try {
      payload = JSON.parse(await readFile2(path6, "utf8"));
    } catch (error) {
      throw new Error(
        `cannot read the event payload ${path6} (${error.message}); run the action as a step of a workflow job`
      );
    }
  }
  return eventFrom(eventName, payload, env.GITHUB_SHA);
}

// src/pr/git.ts
import { spawn } from "node:child_process";
import { mkdtemp, rm as rm2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join7 } from "node:path";

// node_modules/diff/libesm/patch/parse.js
function parsePatch(uniDiff) {
  const diffstr = uniDiff.split(/\n/), list = [];
  let i = 0;
  function isGitDiffHeader(line) {
    return /^diff --git /.test(line);
  }
  function isDiffHeader(line) {
    return isGitDiffHeader(line) || /^Index:\s/.test(line) || /^diff(?: -r \w+)+\s/.test(line);
  }
  function isFileHeader(line) {
    return /^(---|\+\+\+)\s/.test(line);
  }
  function isHunkHeader(line) {
    return /^@@\s/.test(line);
  }
  function parseIndex() {
    var _a2;
    const index = {};
    index.hunks = [];
    list.push(index);
    let seenDiffHeader = false;
    while (i < diffstr.length) {
      const line = diffstr[i];
      if (isFileHeader(line) || isHunkHeader(line)) {
        break;
      }
      if (isGitDiffHeader(line)) {
        if (seenDiffHeader) {
          return;
        }
        seenDiffHeader = true;
        index.isGit = true;
        const paths = parseGitDiffHeader(line);
        if (paths) {
          index.oldFileName = paths.oldFileName;
          index.newFileName = paths.newFileName;
        }
        i++;
        while (i < diffstr.length) {
          const extLine = diffstr[i];
          if (isFileHeader(extLine) || isHunkHeader(extLine) || isDiffHeader(extLine)) {
            break;
          }
          const renameFromMatch = /^rename from (.*)/.exec(extLine);
          if (renameFromMatch) {
            index.oldFileName = "a/" + unquoteIfQuoted(renameFromMatch[1]);
            index.isRename = true;
          }
          const renameToMatch = /^rename to (.*)/.exec(extLine);
          if (renameToMatch) {
            index.newFileName = "b/" + unquoteIfQuoted(renameToMatch[1]);
            index.isRename = true;
          }
          const copyFromMatch = /^copy from (.*)/.exec(extLine);
          if (copyFromMatch) {
            index.oldFileName = "a/" + unquoteIfQuoted(copyFromMatch[1]);
            index.isCopy = true;
          }
          const copyToMatch = /^copy to (.*)/.exec(extLine);
          if (copyToMatch) {
            index.newFileName = "b/" + unquoteIfQuoted(copyToMatch[1]);
            index.isCopy = true;
          }
          const newFileModeMatch = /^new file mode (\d+)/.exec(extLine);
          if (newFileModeMatch) {
            index.isCreate = true;
            index.newMode = newFileModeMatch[1];
          }
          const deletedFileModeMatch = /^deleted file mode (\d+)/.exec(extLine);
          if (deletedFileModeMatch) {
            index.isDelete = true;
            index.oldMode = deletedFileModeMatch[1];
          }
          const oldModeMatch = /^old mode (\d+)/.exec(extLine);
          if (oldModeMatch) {
            index.oldMode = oldModeMatch[1];
          }
          const newModeMatch = /^new mode (\d+)/.exec(extLine);
          if (newModeMatch) {
            index.newMode = newModeMatch[1];
          }
          if (/^Binary files /.test(extLine)) {
            index.isBinary = true;
          }
          i++;
        }
        continue;
      } else if (isDiffHeader(line)) {
        if (seenDiffHeader) {
          return;
        }
        seenDiffHeader = true;
        const headerMatch = /^(?:Index:|diff(?: -r \w+)+)\s+/.exec(line);
        if (headerMatch) {
          index.index = line.substring(headerMatch[0].length).trim();
        }
      }
      i++;
    }
    parseFileHeader(index);
    parseFileHeader(index);
    if (index.oldFileName === void 0 !== (index.newFileName === void 0)) {
      throw new Error("Missing " + (index.oldFileName !== void 0 ? '"+++ ..."' : '"--- ..."') + " file header for " + ((_a2 = index.oldFileName) !== null && _a2 !== void 0 ? _a2 : index.newFileName));
    }
    while (i < diffstr.length) {
      const line = diffstr[i];
      if (isDiffHeader(line) || isFileHeader(line) || /^===================================================================/.test(line)) {
        break;
      } else if (isHunkHeader(line)) {
        index.hunks.push(parseHunk());
      } else {
        i++;
      }
    }
  }
  function parseGitDiffHeader(line) {
    const rest = line.substring("diff --git ".length);
    if (rest.startsWith('"')) {
      const oldPath = parseQuotedFileName(rest);
      if (oldPath === null) {
        return null;
      }
      const afterOld = rest.substring(oldPath.rawLength + 1);
      let newFileName;
      if (afterOld.startsWith('"')) {
        const newPath = parseQuotedFileName(afterOld);
        if (newPath === null) {
          return null;
        }
        newFileName = newPath.fileName;
      } else {
        newFileName = afterOld;
      }
      return {
        oldFileName: oldPath.fileName,
        newFileName
      };
    }
    const quoteIdx = rest.indexOf('"');
    if (quoteIdx > 0) {
      const oldFileName = rest.substring(0, quoteIdx - 1);
      const newPath = parseQuotedFileName(rest.substring(quoteIdx));
      if (newPath === null) {
        return null;
      }
      return {
        oldFileName,
        newFileName: newPath.fileName
      };
    }
    if (rest.startsWith("a/")) {
      const splits = [];
      let idx = 0;
      while (true) {
        idx = rest.indexOf(" b/", idx + 1);
        if (idx === -1) {
          break;
        }
        splits.push(idx);
      }
      if (splits.length > 0) {
        const mid = splits[Math.floor(splits.length / 2)];
        return {
          oldFileName: rest.substring(0, mid),
          newFileName: rest.substring(mid + 1)
        };
      }
    }
    return null;
  }
  function unquoteIfQuoted(s) {
    if (s.startsWith('"')) {
      const parsed = parseQuotedFileName(s);
      if (parsed) {
        return parsed.fileName;
      }
    }
    return s;
  }
  function parseQuotedFileName(s) {
    if (!s.startsWith('"')) {
      return null;
    }
    let result = "";
    let j = 1;
    while (j < s.length) {
      if (s[j] === '"') {
        return { fileName: result, rawLength: j + 1 };
      }
      if (s[j] === "\\" && j + 1 < s.length) {
        j++;
        switch (s[j]) {
          case "a":
            result += "\x07";
            break;
          case "b":
            result += "\b";
            break;
          case "f":
            result += "\f";
            break;
          case "n":
            result += "\n";
            break;
          case "r":
            result += "\r";
            break;
          case "t":
            result += "	";
            break;
          case "v":
            result += "\v";
            break;
          case "\\":
            result += "\\";
            break;
          case '"':
            result += '"';
            break;
          case "0":
          case "1":
          case "2":
          case "3":
          case "4":
          case "5":
          case "6":
          case "7": {
            if (j + 2 >= s.length || s[j + 1] < "0" || s[j + 1] > "7" || s[j + 2] < "0" || s[j + 2] > "7") {
              return null;
            }
            const bytes = [parseInt(s.substring(j, j + 3), 8)];
            j += 3;
            while (s[j] === "\\" && s[j + 1] >= "0" && s[j + 1] <= "7") {
              if (j + 3 >= s.length || s[j + 2] < "0" || s[j + 2] > "7" || s[j + 3] < "0" || s[j + 3] > "7") {
                return null;
              }
              bytes.push(parseInt(s.substring(j + 1, j + 4), 8));
              j += 4;
            }
            result += new TextDecoder("utf-8").decode(new Uint8Array(bytes));
            continue;
          }
          // Note that in C, there are also three kinds of hex escape sequences:
          // - \xhh
          // - \uhhhh
          // - \Uhhhhhhhh
          // We do not bother to parse them here because, so far as we know,
          // they are never emitted by any tools that generate unified diff
          // format diffs, and so for now jsdiff does not consider them legal.
          default:
            return null;
        }
      } else {
        result += s[j];
      }
      j++;
    }
    return null;
  }
  function parseFileHeader(index) {
    const fileHeaderMatch = /^(---|\+\+\+)\s+/.exec(diffstr[i]);
    if (fileHeaderMatch) {
      const prefix = fileHeaderMatch[1], data = diffstr[i].substring(3).trim().split("	", 2), header = (data[1] || "").trim();
      let fileName = data[0];
      if (fileName.startsWith('"')) {
        fileName = unquoteIfQuoted(fileName);
      } else {
        fileName = fileName.replace(/\\\\/g, "\\");
      }
      if (prefix === "---") {
        index.oldFileName = fileName;
        index.oldHeader = header;
      } else {
        index.newFileName = fileName;
        index.newHeader = header;
      }
      i++;
    }
  }
  function parseHunk() {
    var _a2;
    const chunkHeaderIndex = i, chunkHeaderLine = diffstr[i++], chunkHeader = chunkHeaderLine.split(/@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/);
    const hunk = {
      oldStart: +chunkHeader[1],
      oldLines: typeof chunkHeader[2] === "undefined" ? 1 : +chunkHeader[2],
      newStart: +chunkHeader[3],
      newLines: typeof chunkHeader[4] === "undefined" ? 1 : +chunkHeader[4],
      lines: []
    };
    if (hunk.oldLines === 0) {
      hunk.oldStart += 1;
    }
    if (hunk.newLines === 0) {
      hunk.newStart += 1;
    }
    let addCount = 0, removeCount = 0;
    for (; i < diffstr.length && (removeCount < hunk.oldLines || addCount < hunk.newLines || ((_a2 = diffstr[i]) === null || _a2 === void 0 ? void 0 : _a2.startsWith("\\"))); i++) {
      const operation = diffstr[i].length == 0 && i != diffstr.length - 1 ? " " : diffstr[i][0];
      if (operation === "+" || operation === "-" || operation === " " || operation === "\\") {
        hunk.lines.push(diffstr[i]);
        if (operation === "+") {
          addCount++;
        } else if (operation === "-") {
          removeCount++;
        } else if (operation === " ") {
          addCount++;
          removeCount++;
        }
      } else {
        throw new Error(`Hunk at line ${chunkHeaderIndex + 1} contained invalid line ${diffstr[i]}`);
      }
    }
    if (!addCount && hunk.newLines === 1) {
      hunk.newLines = 0;
    }
    if (!removeCount && hunk.oldLines === 1) {
      hunk.oldLines = 0;
    }
    if (addCount !== hunk.newLines) {
      throw new Error("Added line count did not match for hunk at line " + (chunkHeaderIndex + 1));
    }
    if (removeCount !== hunk.oldLines) {
      throw new Error("Removed line count did not match for hunk at line " + (chunkHeaderIndex + 1));
    }
    if (i < diffstr.length && diffstr[i] && /^[+ -]/.test(diffstr[i]) && !isFileHeader(diffstr[i])) {
      throw new Error("Hunk at line " + (chunkHeaderIndex + 1) + " has more lines than expected (expected " + hunk.oldLines + " old lines and " + hunk.newLines + " new lines)");
    }
    return hunk;
  }
  while (i < diffstr.length) {
    parseIndex();
  }
  return list;
}

// src/pr/diff-parse.ts
var NULL_PATH = "/dev/null";
function pathOf(name, prefix) {
  if (name === void 0 || name === NULL_PATH) return void 0;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
function parseGitDiff(text) {
  return parsePatch(text).flatMap((patch) => {
    const oldPath = pathOf(patch.oldFileName, "a/");
    const newPath = pathOf(patch.newFileName, "b/");
    if (oldPath === void 0 && newPath === void 0) return [];
    const kind = patch.isCreate === true || oldPath === void 0 ? "added" : patch.isDelete === true || newPath === void 0 ? "deleted" : patch.isRename === true || oldPath !== newPath ? "renamed" : "modified";
    const addedLines = [];
    if (kind !== "deleted") {
      for (const hunk of patch.hunks) {
        let line = hunk.newStart;
        for (const text2 of hunk.lines) {
          if (text2.startsWith("+")) addedLines.push(line++);
          else if (text2.startsWith(" ")) line++;
        }
      }
    }
    return [
      {
        kind,
        oldPath: kind === "added" ? void 0 : oldPath,
        newPath: kind === "deleted" ? void 0 : newPath,
        addedLines
      }
    ];
  });
}

// src/pr/git.ts
var FETCH_TIMEOUT_MS = 6e5;
var LOCAL_TIMEOUT_MS = 12e4;
var MAX_DIFF_BYTES = 256 * 1024 * 1024;
function git(dir, args, options = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn("git", ["-C", dir, ...args], {
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      stdio: ["pipe", "pipe", "pipe"]
    });
    const out = [];
    let outBytes = 0;
    let err = "";
    const timeoutMs = options.timeoutMs ?? LOCAL_TIMEOUT_MS;
    const timer = setTimeout(() => {
      err += `
no answer within ${timeoutMs / 1e3} s`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk) => {
      outBytes += chunk.length;
      if (outBytes <= MAX_DIFF_BYTES) out.push(chunk);
      else if (!child.killed) {
        err += `
the output exceeds ${MAX_DIFF_BYTES / (1024 * 1024)} MiB`;
        child.kill("SIGKILL");
      }
    });
    child.stderr.on("data", (chunk) => {
      if (err.length < 64 * 1024) err += chunk.toString("utf8");
    });
    child.stdin.on("error", () => void 0);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(
        new Error(
          error.code === "ENOENT" ? "git is not installed on the runner, so the lines the pull request changes are unknown; install git before this step" : `cannot run git: ${error.message}`
        )
      );
    });
    child.on("close", (code3) => {
      clearTimeout(timer);
      resolveRun({
        code: code3 ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: err.trim()
      });
    });
    child.stdin.end(options.input ?? "");
  });
}
function lastLine2(text) {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return lines[lines.length - 1]?.trim() ?? "(no output)";
}
var short = (sha) => sha.slice(0, 7);
async function topLevelOf(dir) {
  const top = await git(dir, ["rev-parse", "--show-toplevel"]);
  return top.code === 0 ? top.stdout.trim() : void 0;
}
async function hasCommit(dir, sha) {
  return (await git(dir, ["cat-file", "-e", `${sha}^{commit}`])).code === 0;
}
async function isShallow(dir) {
  return (await git(dir, ["rev-parse", "--is-shallow-repository"])).stdout.trim() === "true";
}
async function mergeBase(dir, a, b) {
  const found = await git(dir, ["merge-base", a, b]);
  return found.code === 0 ? found.stdout.trim() : void 0;
}
async function recordedParents(dir, sha) {
  const object2 = await git(dir, ["cat-file", "commit", sha]);
  return [...object2.stdout.matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1] ?? "");
}
async function pullRequestDiff(dir, baseSha, log) {
  if (await topLevelOf(dir) === void 0) {
    throw new Error(
      `the workspace ${dir} is not a git checkout, so the lines this pull request changes are unknown; check out the repository (actions/checkout) before this step`
    );
  }
  const head = await git(dir, ["rev-parse", "--verify", "HEAD^{commit}"]);
  if (head.code !== 0) {
    throw new Error(
      `the checkout in ${dir} has no HEAD commit (${lastLine2(head.stderr)}); check out the pull request (actions/checkout) before this step`
    );
  }
  const to = head.stdout.trim();
  const shallow = await isShallow(dir);
  await ensureCommit(dir, baseSha, shallow, log);
  const from = await branchPoint(dir, baseSha, to, shallow, log);
  return { from, to, changes: await changesBetween(dir, from, to) };
}
async function ensureCommit(dir, baseSha, shallow, log) {
  if (await hasCommit(dir, baseSha)) return;
  log(`fetching the pull request's base commit ${short(baseSha)} from origin`);
  const fetch = await git(
    dir,
    [
      "fetch",
      "--no-tags",
      "--no-recurse-submodules",
      ...shallow ? ["--depth=1"] : [],
      "origin",
      baseSha
    ],
    { timeoutMs: FETCH_TIMEOUT_MS }
  );
  if (fetch.code !== 0 || !await hasCommit(dir, baseSha)) {
    throw new Error(
      shallow ? `the pull request's base commit ${short(baseSha)} is not in this shallow checkout and cannot be fetched (${lastLine2(fetch.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout)` : `the pull request's base commit ${short(baseSha)} is not in the checkout and cannot be fetched from origin (${lastLine2(fetch.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout) and keep origin reachable`
    );
  }
}
async function branchPoint(dir, baseSha, to, shallow, log) {
  let from = await mergeBase(dir, baseSha, to);
  if (from === void 0 && (await recordedParents(dir, to))[0] === baseSha) from = baseSha;
  if (from === void 0 && shallow) {
    log("the shallow checkout does not reach where the pull request branches off; deepening it");
    const deepen = await git(
      dir,
      ["fetch", "--no-tags", "--no-recurse-submodules", "--unshallow", "origin", baseSha, to],
      { timeoutMs: FETCH_TIMEOUT_MS }
    );
    if (deepen.code !== 0) {
      throw new Error(
        `this shallow checkout does not reach the commit the pull request branches off ${short(baseSha)}, and it cannot be deepened (${lastLine2(deepen.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout)`
      );
    }
    from = await mergeBase(dir, baseSha, to);
  }
  if (from === void 0) {
    throw new Error(
      `the pull request's base commit ${short(baseSha)} and the checked-out ${short(to)} share no history; check out the pull request's own commits (actions/checkout with \`fetch-depth: 0\`)`
    );
  }
  return from;
}
async function changesBetween(dir, from, to) {
  const diff = await git(dir, [
    "-c",
    "core.quotePath=true",
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--find-renames",
    "--unified=0",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--no-relative",
    from,
    to,
    "--"
  ]);
  if (diff.code !== 0) {
    throw new Error(
      `\`git diff ${short(from)} ${short(to)}\` failed (${lastLine2(diff.stderr)}); check out the pull request with actions/checkout and \`fetch-depth: 0\``
    );
  }
  return parseGitDiff(diff.stdout);
}
async function exportPythonSources(top, sha, dest) {
  const dir = top;
  const list = await git(dir, ["ls-tree", "-r", "-z", "--full-tree", "--name-only", sha]);
  if (list.code !== 0) {
    throw new Error(
      `cannot list the files of the base commit ${short(sha)} (${lastLine2(list.stderr)}); check out with \`fetch-depth: 0\` (actions/checkout)`
    );
  }
  const python = list.stdout.split("\0").filter((p) => /\.pyw?$/.test(p));
  const scratch = await mkdtemp(join7(tmpdir(), "pycov-harvest-index-"));
  const env = { GIT_INDEX_FILE: join7(scratch, "index") };
  try {
    const read = await git(dir, ["read-tree", sha], { env });
    const checkout = read.code === 0 ? await git(dir, ["checkout-index", "-z", "--stdin", `--prefix=${dest}/`], {
      env,
      input: python.map((p) => `${p}\0`).join("")
    }) : read;
    if (checkout.code !== 0) {
      throw new Error(
        `cannot write the base commit's sources to ${dest} (${lastLine2(checkout.stderr)}); check that the runner can write to \`output-dir\``
      );
    }
  } finally {
    await rm2(scratch, { recursive: true, force: true });
  }
}

// src/pr/plan.ts
async function planPullRequestView(inputs, log, env = process.env) {
  const event = await readRunEvent(env);
  const extraDataFiles = await resolveExtraData(
    inputs.extraData,
    inputs.workspace,
    inputs.outputDir
  );
  const top = await topLevelOf(inputs.workspace).catch(() => void 0) ?? inputs.workspace;
  const warnings = [];
  let diff;
  let diffError;
  if (event.pullRequest !== void 0) {
    try {
      diff = await pullRequestDiff(inputs.workspace, event.pullRequest.baseSha, log);
      log(
        `the pull request changes ${diff.changes.length} file(s) (${diff.from.slice(0, 7)}..${diff.to.slice(0, 7)})`
      );
    } catch (error) {
      diffError = error.message;
      warnings.push(diffError);
    }
  }
  const baseSha = diff === void 0 ? void 0 : event.pullRequest?.baseSha;
  const baseline = await planBaseline(inputs, top, baseSha, warnings);
  return {
    event,
    top,
    diff,
    diffError,
    baselineFile: baseline.file,
    baselineIsData: baseline.isData,
    convert: {
      extraDataFiles,
      ...baseline.data === void 0 ? {} : { baseline: baseline.data }
    },
    scratch: baseline.scratch,
    warnings
  };
}
async function planBaseline(inputs, top, baseSha, warnings) {
  const none = {
    file: void 0,
    isData: false,
    data: void 0,
    scratch: void 0
  };
  if (inputs.baseline === void 0) return none;
  const kind = await baselineKind(inputs.baseline);
  if (kind === void 0) {
    warnings.push(
      `\`baseline\` ${inputs.baseline} does not exist, so no change against the base branch is shown; download the base branch's coverage.json or .coverage before this step (e.g. actions/download-artifact)`
    );
    return none;
  }
  const file = inputs.baseline;
  if (kind !== "data") return { ...none, file };
  let sourceDir = inputs.workspace;
  let scratch;
  if (baseSha !== void 0) {
    scratch = join8(inputs.outputDir, "baseline-src");
    sourceDir = await baseSources(top, baseSha, scratch, inputs.workspace).catch((error) => {
      warnings.push(`\`baseline\` ${file} is left out: ${error.message}`);
      return void 0;
    });
  }
  if (sourceDir === void 0) return { ...none, isData: true, scratch };
  return { file, isData: true, data: { dataFile: file, sourceDir }, scratch };
}
async function baseSources(top, sha, scratch, workspace) {
  await rm3(scratch, { recursive: true, force: true });
  await mkdir3(scratch, { recursive: true });
  await exportPythonSources(top, sha, scratch);
  const sourceDir = join8(scratch, relative3(top, workspace));
  await mkdir3(sourceDir, { recursive: true });
  return sourceDir;
}

// src/pr/view.ts
import { rm as rm4 } from "node:fs/promises";

// src/pr/changed-lines.ts
var PYTHON = /\.pyw?$/;
function changedLines(changes, coverage, repoPathOf2) {
  const byRepoPath = /* @__PURE__ */ new Map();
  for (const name of Object.keys(coverage.files)) {
    const path6 = repoPathOf2(name);
    if (path6 !== void 0) byRepoPath.set(path6, name);
  }
  const files = [];
  const unmeasured = [];
  for (const change of changes) {
    if (change.newPath === void 0 || change.addedLines.length === 0) continue;
    const reportName = byRepoPath.get(change.newPath);
    const measured = reportName === void 0 ? void 0 : coverage.files[reportName];
    if (reportName === void 0 || measured === void 0) {
      if (PYTHON.test(change.newPath)) unmeasured.push(change.newPath);
      continue;
    }
    const executedSet = new Set(measured.executed_lines);
    const missingSet = new Set(measured.missing_lines);
    const added = [...new Set(change.addedLines)].sort((a, b) => a - b);
    const executed2 = added.filter((line) => executedSet.has(line));
    const missed = added.filter((line) => missingSet.has(line));
    if (executed2.length + missed.length === 0) continue;
    files.push({
      path: change.newPath,
      renamedFrom: change.kind === "renamed" ? change.oldPath : void 0,
      kind: change.kind,
      reportName,
      statements: added.filter((line) => executedSet.has(line) || missingSet.has(line)),
      executed: executed2,
      missed,
      fileStatements: [...measured.executed_lines, ...measured.missing_lines].sort((a, b) => a - b)
    });
  }
  files.sort(
    (a, b) => b.missed.length - a.missed.length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
  const statements = files.reduce((n, f) => n + f.statements.length, 0);
  const executed = files.reduce((n, f) => n + f.executed.length, 0);
  return {
    files,
    statements,
    executed,
    percent: statements === 0 ? 100 : 100 * executed / statements,
    unmeasured: unmeasured.sort()
  };
}
function diffLinesJson(changed) {
  return JSON.stringify(Object.fromEntries(changed.files.map((f) => [f.path, f.missed])));
}

// src/pr/repo-path.ts
import { isAbsolute as isAbsolute3, relative as relative4, resolve, sep as sep5 } from "node:path";
function repoPathOf(reportName, workspace, top) {
  const rel = relative4(top, resolve(workspace, reportName));
  if (rel === "" || rel.startsWith("..") || isAbsolute3(rel)) return void 0;
  return rel.split(sep5).join("/");
}

// src/pr/source-lines.ts
import { open as open2 } from "node:fs/promises";
import { isAbsolute as isAbsolute4, join as join9, relative as relative5, resolve as resolve2 } from "node:path";
var MAX_FILES = 100;
var MAX_FILE_BYTES = 1024 * 1024;
async function readSourceLines(changed, top) {
  const lines = /* @__PURE__ */ new Map();
  const wanted = changed.files.filter((file) => file.missed.length > 0).slice(0, MAX_FILES);
  for (const file of wanted) {
    const path6 = resolve2(join9(top, file.path));
    const rel = relative5(top, path6);
    if (rel === "" || rel.startsWith("..") || isAbsolute4(rel)) continue;
    const text = await readBounded(path6);
    if (text !== void 0) lines.set(file.path, text.split(/\r?\n/));
  }
  return lines;
}
async function readBounded(path6) {
  try {
    const handle = await open2(path6, "r");
    try {
      const { size } = await handle.stat();
      if (size > MAX_FILE_BYTES) return void 0;
      return (await handle.readFile()).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return void 0;
  }
}

// src/pr/view.ts
async function pullRequestView(plan, coverage, converted, inputs, env = process.env) {
  const pathOf2 = (name) => repoPathOf(name, inputs.workspace, plan.top);
  const warnings = [];
  const changedOf = (report) => plan.diff === void 0 ? void 0 : changedLines(plan.diff.changes, report, pathOf2);
  const changed = changedOf(coverage);
  const { reports } = converted;
  const e2eCoverage = reports.e2eJson === void 0 ? void 0 : await readCoverageJson(reports.e2eJson);
  if (converted.baselineError !== void 0) {
    warnings.push(
      `\`baseline\` ${plan.baselineFile} cannot be used (coverage.py: ${converted.baselineError}); give the base branch's coverage.json or combined .coverage written by this action`
    );
  }
  const baseline = await compareBaseline(plan, coverage, reports.baselineJson, pathOf2, warnings);
  if (plan.scratch !== void 0) await rm4(plan.scratch, { recursive: true, force: true });
  const sources = changed === void 0 ? void 0 : await readSourceLines(changed, plan.top);
  return {
    summary: {
      changed,
      changedError: plan.diffError,
      e2eOnly: e2eCoverage === void 0 ? void 0 : { coverage: e2eCoverage, changed: changedOf(e2eCoverage) },
      baseline,
      baselineNote: baseline !== void 0 && plan.baselineIsData && plan.convert.baseline?.sourceDir === inputs.workspace ? "the baseline's data was read against the checked-out sources, not the base commit's" : void 0,
      links: sourceLinks(env, plan.event.linkSha, pathOf2),
      sources
    },
    outputs: {
      diffPercent: changed === void 0 ? "" : changed.percent.toFixed(2),
      diffLines: changed === void 0 ? "" : diffLinesJson(changed),
      delta: baseline === void 0 ? "" : formatDelta(baseline.delta).replace(/^\+/, "")
    },
    warnings,
    failure: diffFailure(plan, changed, inputs.failUnderDiff)
  };
}
async function compareBaseline(plan, coverage, baselineJson, pathOf2, warnings) {
  const baselinePath = plan.baselineIsData ? baselineJson : plan.baselineFile;
  if (baselinePath === void 0) return void 0;
  try {
    const renames = new Map(
      (plan.diff?.changes ?? []).flatMap(
        (c) => c.kind === "renamed" && c.newPath !== void 0 && c.oldPath !== void 0 ? [[c.newPath, c.oldPath]] : []
      )
    );
    return compareToBaseline(coverage, await readCoverageJson(baselinePath), pathOf2, renames);
  } catch (error) {
    warnings.push(
      `\`baseline\` ${plan.baselineFile} cannot be used (${error.message}); give the base branch's coverage.json or combined .coverage written by this action`
    );
    return void 0;
  }
}
function diffFailure(plan, changed, failUnderDiff) {
  if (failUnderDiff === void 0 || plan.event.pullRequest === void 0) return void 0;
  if (changed === void 0) {
    return `\`fail-under-diff\` is set but the changed lines are unknown: ${plan.diffError ?? "no diff"}`;
  }
  if (changed.percent < failUnderDiff) {
    return `the tests executed ${formatPercent(changed.percent)}% of the lines this pull request changes (${changed.executed} of ${changed.statements}), below \`fail-under-diff\` ${failUnderDiff}%; add tests that run the lines listed under "Changed lines" in the job summary, or lower \`fail-under-diff\``;
  }
  return void 0;
}

// src/summary/comment-note.ts
import { appendFile as appendFile2, stat as stat3 } from "node:fs/promises";
function commentNote(url, problem) {
  if (url !== void 0)
    return `<p>Pull request comment: <a href="${escapeAttribute(url)}">${escapeText(url)}</a></p>
`;
  if (problem !== void 0)
    return `<p><strong>Pull request comment not written:</strong> ${escapeText(problem)}</p>
`;
  return void 0;
}
async function appendCommentNote(url, problem, env = process.env) {
  const file = env.GITHUB_STEP_SUMMARY;
  const note = commentNote(url, problem);
  if (!file || note === void 0) return;
  const size = await stat3(file).then(
    (s) => s.size,
    () => 0
  );
  if (size + Buffer.byteLength(note, "utf8") <= STEP_SUMMARY_LIMIT_BYTES)
    await appendFile2(file, note, "utf8");
}

// src/publish/outputs.ts
function targetsJson(targets) {
  return JSON.stringify(
    targets.map((t) => ({
      target: t.label,
      method: t.method,
      ms: t.ms,
      files: t.files,
      bytes: t.bytes,
      ...t.error === void 0 ? {} : { error: t.error }
    }))
  );
}
function setOutputs(outputs) {
  setOutput("targets", targetsJson(outputs.targets));
  if (outputs.lcovFile !== void 0) setOutput("lcov-file", outputs.lcovFile);
  if (outputs.xmlFile !== void 0) setOutput("xml-file", outputs.xmlFile);
  if (outputs.percent !== void 0) setOutput("percent", outputs.percent.toFixed(2));
  if (outputs.artifactId !== void 0) setOutput("artifact-id", String(outputs.artifactId));
  if (outputs.artifactUrl !== void 0) setOutput("artifact-url", outputs.artifactUrl);
  setOutput("contexts-file", outputs.contextsFile ?? "");
  setOutput("diff-percent", outputs.diffPercent ?? "");
  setOutput("diff-lines", outputs.diffLines ?? "");
  setOutput("delta", outputs.delta ?? "");
  setOutput("comment-url", outputs.commentUrl ?? "");
}

// src/publish/destination.ts
var githubDestination = {
  async summary(input, inputs) {
    const written = await writeJobSummary(input, inputs.outputDir, {
      artifactName: inputs.upload ? inputs.artifactName : void 0
    });
    const summaryFile = written.fallbackFile;
    if (summaryFile !== void 0)
      info(`full summary in ${summaryFile} (uploaded with the reports)`);
    return summaryFile;
  },
  commentNote: (url, problem) => appendCommentNote(url, problem),
  outputs: async (outputs) => setOutputs(outputs)
};

// src/publish/pr-comment.ts
import { writeFile as writeFile2 } from "node:fs/promises";
import { join as join10 } from "node:path";

// src/publish/comment-body.ts
var COMMENT_LIMIT_CHARS = 65e3;
var DETAILS = [
  { code: { perFile: 30, total: 100 }, baselineRows: 25 },
  { code: { perFile: 10, total: 40 }, baselineRows: 10 },
  { code: { perFile: 3, total: 12 }, baselineRows: 5 },
  { code: { perFile: 0, total: 0 }, baselineRows: 0 }
];
function commentMarker(key) {
  return `<!-- pycov-harvest:${key} -->`;
}
function renderComment(input, limit = COMMENT_LIMIT_CHARS) {
  for (const detail of DETAILS) {
    const body = render(input, detail);
    if (body.length <= limit) return body;
  }
  return [input.marker, headline(input), footer(input)].join("\n\n");
}
function render(input, detail) {
  return [
    input.marker,
    headline(input),
    ...changedSection(input, detail),
    ...baselineSection(input, detail.baselineRows),
    footer(input)
  ].join("\n\n");
}
function headline(input) {
  const totals = input.coverage.totals;
  let lines = `${formatPercent(linePercent(totals))}% of lines`;
  if (input.baseline !== void 0) lines += ` (${signedPoints(input.baseline.delta)})`;
  const parts = [lines];
  const branches = branchPercent(totals);
  if (branches !== void 0) parts.push(`${formatPercent(branches)}% of branches`);
  if (input.changed !== void 0)
    parts.push(`${formatPercent(input.changed.percent)}% of changed lines`);
  const scope = input.e2eOnly === void 0 ? "" : " (unit + E2E)";
  const warnings = [
    input.unconfirmed > 0 ? `**${input.unconfirmed} ${input.unconfirmed === 1 ? "target was" : "targets were"} not confirmed saved**: the figures may miss their latest lines.` : "",
    input.warnings > 0 ? `${input.warnings} ${input.warnings === 1 ? "warning" : "warnings"} in the job summary.` : ""
  ].filter((text) => text !== "");
  return [`### Python coverage${scope}: ${parts.join(", ")}`, ...warnings].join("\n\n");
}
function signedPoints(delta) {
  const text = formatDelta(delta);
  return text === "0.00" ? "\xB10.00" : text;
}
function changedSection(input, detail) {
  const { changed } = input;
  if (input.changedError !== void 0)
    return [`**Changed lines unknown:** ${escapeText(input.changedError)}`];
  if (changed === void 0) return [];
  if (changed.statements === 0)
    return ["This pull request changes no statement that coverage.py measured."];
  const who = input.e2eOnly === void 0 ? "The E2E run" : "The unit and E2E tests";
  const ran = `${who} executed ${changed.executed} of the ${changed.statements} statements this pull request changes.`;
  if (changed.executed === changed.statements) return [`${ran} All of them ran.`];
  const code3 = missedCode(changed, input.sources, input.links, detail.code);
  const missed = changed.statements - changed.executed;
  const section = [ran, `#### ${missed} changed ${missed === 1 ? "line" : "lines"} not executed`];
  if (code3.markdown !== "") section.push(code3.markdown);
  if (code3.hiddenLines > 0) {
    const where = moreWhere(input);
    const files = code3.hiddenFiles > 0 ? ` (${code3.hiddenFiles} more ${code3.hiddenFiles === 1 ? "file" : "files"})` : "";
    section.push(`and ${code3.hiddenLines} more not shown here${files}${where}.`);
  }
  return section;
}
function baselineSection(input, rows2) {
  const { baseline } = input;
  if (baseline === void 0) return [];
  const head = `#### Against the baseline: ${formatPercent(baseline.basePercent)}% \u2192 ${formatPercent(baseline.percent)}% of lines (${formatDelta(baseline.delta)} points)`;
  if (baseline.files.length === 0) return [head, "No file\u2019s line coverage changed."];
  if (rows2 === 0) return [head];
  const listed = baseline.files.slice(0, rows2);
  const table = [
    "| File | Baseline | Now | Change |",
    "| --- | --- | --- | --- |",
    ...listed.map(
      (file) => `| ${fileCell2(file)} | ${percentCell(file.basePercent, "new file")} | ${percentCell(file.percent, "removed")} | ${changeCell(file)} |`
    )
  ].join("\n");
  const more = baseline.files.length - listed.length;
  return more > 0 ? [head, table, `and ${more} more ${more === 1 ? "file" : "files"} whose coverage changed.`] : [head, table];
}
function fileCell2(file) {
  const name = `<code>${escapeText(file.path)}</code>`;
  return file.renamedFrom === void 0 ? name : `${name} (renamed from <code>${escapeText(file.renamedFrom)}</code>)`;
}
function percentCell(value, absent) {
  return value === void 0 ? absent : `${formatPercent(value)}%`;
}
function changeCell(file) {
  return file.percent === void 0 || file.basePercent === void 0 ? " " : formatDelta(file.percent - file.basePercent);
}
function moreWhere(input) {
  const places = [
    input.runUrl === void 0 ? "" : `<a href="${escapeAttribute(input.runUrl)}">the job summary</a>`,
    input.artifactUrl === void 0 ? "" : `<a href="${escapeAttribute(input.artifactUrl)}">the reports</a>`
  ].filter((place) => place !== "");
  return places.length === 0 ? "" : `: see ${places.join(" and ")}`;
}
function footer(input) {
  const links = [
    input.runUrl === void 0 ? "" : `<a href="${escapeAttribute(input.runUrl)}">job summary</a>`,
    input.artifactUrl === void 0 ? "" : `<a href="${escapeAttribute(input.artifactUrl)}">reports</a>`
  ].filter((link) => link !== "");
  return `<sub>pycov-harvest, measured by coverage.py ${escapeText(input.coverage.meta.version)}${links.length > 0 ? ` \xB7 ${links.join(" \xB7 ")}` : ""}</sub>`;
}

// src/publish/pr-comment.ts
var COMMENT_FILE = "pr-comment.md";
var COMMENT_META_FILE = "pr-comment.json";
function commentTarget(settings, event, env) {
  if (settings.mode === "never") return { skip: "" };
  const pr = event.pullRequest;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (pr === void 0) {
    return {
      skip: `this run's event is \`${env.GITHUB_EVENT_NAME ?? "(none)"}\`, not a pull request, so there is no pull request to comment on`
    };
  }
  if (pr.number === void 0 || !owner || !repo) {
    return {
      skip: "the event payload or `GITHUB_REPOSITORY` does not say which pull request this is, so there is nothing to comment on"
    };
  }
  return { owner, repo, number: pr.number, fromFork: pr.fromFork === true };
}
async function writeCommentFiles(settings, target, figures) {
  const marker = commentMarker(settings.key);
  const body = join10(settings.outputDir, COMMENT_FILE);
  const meta = join10(settings.outputDir, COMMENT_META_FILE);
  await writeFile2(body, renderComment({ ...figures, marker }), "utf8");
  await writeFile2(meta, `${JSON.stringify({ number: target.number, marker }, null, 2)}
`, "utf8");
  return [body, meta];
}
async function postComment(settings, target, figures, env, log) {
  const fail = (message) => {
    if (settings.mode === "always") throw new Error(`\`comment: always\`: ${message}`);
    return { url: void 0, warnings: [message] };
  };
  if (settings.token === "") {
    const why = "no `github-token` was given, so the pull request comment is not written; pass `github-token: ${{ github.token }}` (the default) or set `comment: never`";
    if (settings.mode === "always") return fail(why);
    log(why);
    return { url: void 0, warnings: [] };
  }
  const marker = commentMarker(settings.key);
  const body = renderComment({ ...figures, marker });
  const { CommentError, CommentsApi } = await import("./github-comments-BBKKETYD.js");
  const api = new CommentsApi(settings.token, env.GITHUB_API_URL || "https://api.github.com");
  try {
    const own = await api.findOwn(target, marker);
    const url = own === void 0 ? await api.create(target, body) : await api.update(target, own.id, body);
    log(
      `${own === void 0 ? "commented on" : "updated the comment on"} pull request #${target.number}: ${url}`
    );
    return { url, warnings: [] };
  } catch (error) {
    if (!(error instanceof CommentError))
      return fail(`the pull request comment failed: ${errorText(error)}`);
    return fail(error.message);
  }
}

// src/publish/comment-step.ts
function commentStep(inputs, results, env) {
  const settings = {
    mode: inputs.comment,
    token: inputs.githubToken,
    key: inputs.commentKey,
    outputDir: inputs.outputDir
  };
  const target = commentTarget(settings, results.event, env);
  const figures = {
    ...results.view.summary,
    coverage: results.coverage,
    runUrl: runUrl(env),
    unconfirmed: results.outcomes.filter((o) => o.method === null && o.attempts.length > 0).length,
    warnings: results.warnings.length
  };
  return {
    writeFiles: async () => "skip" in target ? [] : writeCommentFiles(settings, target, figures),
    post: async (artifactUrl) => {
      if ("skip" in target) {
        if (target.skip === "") return { url: void 0, warnings: [] };
        if (settings.mode === "always")
          return { url: void 0, warnings: [], failure: `\`comment: always\`: ${target.skip}` };
        info(`no pull request comment: ${target.skip}`);
        return { url: void 0, warnings: [] };
      }
      try {
        const withLink = artifactUrl === void 0 ? figures : { ...figures, artifactUrl };
        return await postComment(settings, target, withLink, env, info);
      } catch (error) {
        return { url: void 0, warnings: [], failure: error.message };
      }
    }
  };
}
function runUrl(env) {
  const server = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const repository = env.GITHUB_REPOSITORY ?? "";
  const id = env.GITHUB_RUN_ID ?? "";
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository) || !/^\d+$/.test(id)) return void 0;
  if (!/^https?:\/\/[^\s"<>]+$/.test(server)) return void 0;
  return `${server}/${repository}/actions/runs/${id}`;
}

// src/publish/publish.ts
async function publish(inputs, results, destination = githubDestination) {
  const { converted, contexts, view } = results;
  const shown2 = (path6) => path6 === void 0 ? void 0 : displayPath(path6, inputs.workspace);
  const reports = {
    lcov: shown2(converted.reports.lcov),
    xml: shown2(converted.reports.xml),
    json: inputs.formats.includes("json") ? shown2(converted.reports.json) : void 0,
    html: shown2(converted.reports.html)
  };
  const summaryFile = inputs.summary ? await destination.summary(summaryInput(results, reports), inputs) : void 0;
  const comment = commentStep(inputs, results, process.env);
  const commentFiles = await comment.writeFiles();
  const artifact = inputs.upload ? await upload(inputs, results, [summaryFile, ...commentFiles]) : void 0;
  const posted = await comment.post(artifact?.url);
  if (inputs.summary)
    await destination.commentNote(posted.url, posted.failure ?? posted.warnings[0]);
  await destination.outputs({
    lcovFile: reports.lcov,
    xmlFile: reports.xml,
    percent: results.percent,
    targets: results.outcomes,
    artifactId: artifact?.id,
    artifactUrl: artifact?.url,
    contextsFile: shown2(contexts?.file),
    commentUrl: posted.url,
    ...view.outputs
  });
  if (posted.failure !== void 0) throw new Error(posted.failure);
  return posted.warnings;
}
function summaryInput(results, reports) {
  const { contexts } = results;
  return {
    coverage: results.coverage,
    targets: results.outcomes,
    warnings: results.warnings,
    reports: definedOnly(reports),
    ...results.view.summary,
    ...contexts === void 0 ? {} : { contexts: contexts.summary }
  };
}
async function upload(inputs, results, extraFiles) {
  const { reports } = results.converted;
  const files = [
    reports.dataFile,
    reports.lcov,
    reports.xml,
    reports.json,
    reports.e2eJson,
    reports.html,
    results.contexts?.file,
    ...extraFiles
  ].filter((file) => file !== void 0);
  const { uploadReports } = await import("./artifact-FK5EAXRW.js");
  const artifact = await uploadReports(inputs.artifactName, files, inputs.outputDir);
  info(`uploaded artifact ${inputs.artifactName} (id ${artifact.id})`);
  return artifact;
}
function definedOnly(record) {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== void 0));
}

// src/report/reports.ts
import { join as join14 } from "node:path";

// src/report/contexts.ts
import { writeFile as writeFile3 } from "node:fs/promises";
function contextLines(coverage, labels) {
  const byContext = /* @__PURE__ */ new Map();
  const harness = (label) => labels === void 0 ? label : Object.hasOwn(labels, label) ? labels[label] ?? "" : "";
  let named = false;
  for (const name of Object.keys(coverage.files).sort()) {
    const file = coverage.files[name];
    if (file?.contexts === void 0) continue;
    const executed = new Set(file.executed_lines);
    for (const [lineText, contexts] of Object.entries(file.contexts)) {
      const line = Number(lineText);
      if (!executed.has(line)) continue;
      for (const context of new Set(contexts.map(harness))) {
        if (context !== "") named = true;
        let files = byContext.get(context);
        if (files === void 0) byContext.set(context, files = /* @__PURE__ */ new Map());
        let lines = files.get(name);
        if (lines === void 0) files.set(name, lines = []);
        lines.push(line);
      }
    }
  }
  if (!named) return void 0;
  const result = {};
  for (const context of [...byContext.keys()].sort()) {
    const files = {};
    for (const [name, lines] of byContext.get(context) ?? [])
      files[name] = lines.sort((a, b) => a - b);
    result[context] = files;
  }
  return result;
}
var lineKey = (file, line) => `${line}\0${file}`;
function summarizeContexts(lines) {
  const runs = /* @__PURE__ */ new Map();
  const outside = /* @__PURE__ */ new Set();
  for (const [context, files] of Object.entries(lines)) {
    for (const [file, numbers] of Object.entries(files)) {
      for (const line of numbers) {
        const key = lineKey(file, line);
        if (context === "") outside.add(key);
        else runs.set(key, (runs.get(key) ?? 0) + 1);
      }
    }
  }
  const contexts = Object.entries(lines).filter(([context]) => context !== "").map(([name, files]) => {
    let count = 0;
    let unique = 0;
    for (const [file, numbers] of Object.entries(files)) {
      count += numbers.length;
      for (const line of numbers) if (runs.get(lineKey(file, line)) === 1) unique += 1;
    }
    return { name, lines: count, unique, files: Object.keys(files).length };
  }).sort(
    (a, b) => b.unique - a.unique || b.lines - a.lines || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
  let outsideOnly = 0;
  for (const key of outside) if (!runs.has(key)) outsideOnly += 1;
  return { contexts, linesInContexts: runs.size, outsideOnly };
}
async function writeContextsFile(path6, lines) {
  await writeFile3(path6, `${JSON.stringify(lines)}
`, "utf8");
}

// src/report/conversion.ts
import { mkdir as mkdir4, rm as rm5 } from "node:fs/promises";
import { join as join13, relative as relative7 } from "node:path";

// src/report/conversion-container.ts
import { basename as basename4 } from "node:path";
var CONVERSION_TIMEOUT_MS = 9e5;
var PULL_TIMEOUT_MS = 6e5;
var IMAGE_MISSING = /no such image|image not known|unable to find image|not found locally|does not exist locally/i;
async function pullImage(cli, toolchain, log) {
  log(`pulling the conversion image ${toolchain.image}`);
  const pull = await cli.run(["pull", toolchain.image], { timeoutMs: PULL_TIMEOUT_MS });
  if (pull.exitCode !== 0) {
    throw new Error(
      `the conversion image \`${toolchain.image}\` is not available locally and cannot be pulled (${errorLine(pull.stderr)}); set \`coverage-image\` to an image with Python and coverage${toolchain.coverageVersion ? ` ${toolchain.coverageVersion}` : ""} installed`
    );
  }
}
function userArgs(command, uid, gid) {
  if (uid === void 0 || gid === void 0) return [];
  if (uid !== 0 && basename4(command).startsWith("podman")) return ["--userns", "keep-id"];
  return ["--user", `${uid}:${gid}`];
}
function mountArgs(mounts) {
  return mounts.flatMap((m) => ["-v", `${m.path}:${m.path}${m.writable ? "" : ":ro"}`]);
}
var CONFINED = [
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges",
  "--read-only",
  // HOME, pip's temporary files, the checked copies of the data files.
  "--tmpfs",
  "/tmp:rw,nosuid,nodev,mode=1777",
  "-e",
  "HOME=/tmp",
  "-e",
  "PYTHONDONTWRITEBYTECODE=1"
];
function containerArgv(command, run) {
  return [
    "run",
    "-i",
    "--rm",
    // The image is used as it is locally; only when it is missing is it pulled (below).
    "--pull",
    "never",
    ...run.network ? [] : ["--network", "none"],
    ...CONFINED,
    ...userArgs(command, process.getuid?.(), process.getgid?.()),
    ...mountArgs(run.mounts),
    "-w",
    run.workdir,
    "--entrypoint",
    "python3",
    run.toolchain.image,
    ...run.args
  ];
}
async function runInConversionContainer(cli, run) {
  const argv = containerArgv(cli.command, run);
  const runOptions = {
    timeoutMs: CONVERSION_TIMEOUT_MS,
    ...run.stdin ? { stdin: run.stdin } : {}
  };
  const began = performance.now();
  let result = await cli.run(argv, runOptions);
  if (result.exitCode === 125 && IMAGE_MISSING.test(result.stderr)) {
    await pullImage(cli, run.toolchain, run.log);
    result = await cli.run(argv, runOptions);
  }
  debug(
    `conversion container: exit ${result.exitCode} in ${Math.round(performance.now() - began)} ms`
  );
  return result;
}

// src/report/conversion-mounts.ts
import { existsSync } from "node:fs";
import { isAbsolute as isAbsolute5, relative as relative6 } from "node:path";
function within(path6, dir) {
  const rel = relative6(dir, path6);
  return rel === "" || !rel.startsWith("..") && !isAbsolute5(rel);
}
function conversionMounts(paths, coverageDir) {
  const { workspace, outputDir } = paths;
  const mounts = [
    { path: workspace, writable: false },
    { path: outputDir, writable: true }
  ];
  const readOnly = (path6) => {
    if (!mounts.some((m) => m.path === path6)) mounts.push({ path: path6, writable: false });
  };
  const dataRoot = dataDirOf(outputDir);
  if (existsSync(dataRoot)) readOnly(dataRoot);
  for (const file of paths.dataFiles) if (!within(file, dataRoot)) readOnly(file);
  const outside = (path6) => !within(path6, workspace) || within(path6, outputDir) && !within(path6, dataRoot);
  const others = [
    ...paths.extraDataFiles ?? [],
    ...paths.baseline ? [paths.baseline.dataFile, paths.baseline.sourceDir] : [],
    ...paths.coverageConfig ? [paths.coverageConfig] : []
  ];
  for (const path6 of others) if (outside(path6)) readOnly(path6);
  if (coverageDir !== void 0) readOnly(coverageDir);
  return mounts;
}

// src/report/coverage-install.ts
import { mkdtemp as mkdtemp2 } from "node:fs/promises";
import { tmpdir as tmpdir2 } from "node:os";
import { join as join11 } from "node:path";

// src/report/toolchain.ts
var RELEASE = /^\d{1,4}\.\d{1,4}(\.\d{1,4})?((a|b|rc)\d{1,4})?(\.post\d{1,4})?(\.dev\d{1,4})?$/;
function isReleaseVersion(version) {
  return RELEASE.test(version);
}
function minorOf(version) {
  return version?.match(/^(\d+\.\d+)/)?.[1];
}
function mostCommon(values) {
  const counts = /* @__PURE__ */ new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
function chooseToolchain(reported, overrides) {
  const warnings = [];
  const minors = reported.map((v) => minorOf(v?.python ?? null)).filter((v) => v !== void 0);
  const claimed = reported.map((v) => v?.coverage).filter((v) => typeof v === "string");
  const coverages = claimed.filter(isReleaseVersion);
  const odd = claimed.length - coverages.length;
  if (odd > 0) {
    warnings.push(
      `${odd} target(s) reported a coverage.py version that is not a release version; it is ignored for choosing the conversion's coverage.py`
    );
  }
  const minor = mostCommon(minors);
  const coverage = mostCommon(coverages);
  if (new Set(minors).size > 1) {
    warnings.push(
      `the targets run different Python versions (${[...new Set(minors)].join(", ")}); converting with Python ${minor}`
    );
  }
  if (new Set(coverages).size > 1 && overrides.coverageVersion === "") {
    warnings.push(
      `the targets run different coverage.py versions (${[...new Set(coverages)].join(", ")}); converting with ${coverage}; set \`coverage-version\` to choose`
    );
  }
  let image = overrides.coverageImage;
  if (image === "") {
    if (minor === void 0) {
      throw new Error(
        "no target reported its Python version, so the conversion image cannot be chosen; set `coverage-image` (e.g. `python:3.12-slim`)"
      );
    }
    image = `python:${minor}-slim`;
  }
  return {
    image,
    coverageVersion: overrides.coverageVersion || coverage || "",
    versionFromInput: overrides.coverageVersion !== "",
    warnings
  };
}

// src/report/coverage-install.ts
async function installCoverage(cli, toolchain, log) {
  const version = toolchain.coverageVersion;
  if (version !== "" && !isReleaseVersion(version)) {
    return { dir: void 0, failure: "not a release version" };
  }
  const dir = await mkdtemp2(join11(process.env.RUNNER_TEMP || tmpdir2(), "pycov-harvest-coverage-"));
  log(
    `installing coverage ${version || "(the newest)"} with pip in its own run of ${toolchain.image} (network; nothing of the workspace mounted)`
  );
  const program = invocation("python3", "install", { version: version || null, target: dir });
  const result = await runInConversionContainer(cli, {
    toolchain,
    mounts: [{ path: dir, writable: true }],
    workdir: "/tmp",
    network: true,
    args: program.argv.slice(1),
    stdin: program.stdin,
    log
  });
  if (result.exitCode !== 0) {
    return { dir: void 0, failure: errorLine(result.stderr) };
  }
  const pip = eventOf("install", splitOutput("install", result.stdout), "result", installResult);
  if (pip === void 0 || pip.exit !== 0) {
    return { dir: void 0, failure: lastLine(pip?.output ?? result.stderr) };
  }
  return { dir, failure: void 0 };
}

// src/report/convert-messages.ts
function unmappedWarning(unmapped, count) {
  if (count === 0) return void 0;
  const more = count > 5 ? ` and ${count - 5} more` : "";
  return `${count} measured file(s) map to nothing in the workspace (${unmapped.slice(0, 5).join(", ")}${more}), so the reports leave them out; if they are the service's own code, set \`path-map\` (e.g. \`/app=.\`) to map their container paths onto the checkout`;
}
function extraDataWarning(result, extraData) {
  const readable = extraData.filter((file) => !result.badFiles.some((bad) => bad.file === file));
  if (readable.length === 0 || result.extraKept > 0) return void 0;
  if (result.extraMeasured === 0)
    return `the \`extra-data\` files measured no files, so they add nothing to the reports; check that they are the data files the other job wrote after its tests ran`;
  return `none of the ${result.extraMeasured} file(s) the \`extra-data\` files measured is in the workspace, so they add nothing to the reports; measure the other job in a checkout of this repository (or with \`relative_files = true\`), or set \`path-map\` for its paths`;
}
function nothingKeptMessage(result, pathMap) {
  if (result.measured === 0)
    return "the combined coverage data measured no files; check the coverage configuration of the services (`source`, `include`)";
  const example = result.unmapped[0] ?? "";
  if (pathMap.length > 0)
    return `none of the ${result.measured} measured file(s) maps to a file in the workspace with \`path-map\` ${pathMap.map((m) => `${m.remote}=${m.local}`).join(", ")} (e.g. ${example}); check \`path-map\` and that the sources are checked out before this step`;
  return `none of the ${result.measured} measured file(s) is in the workspace (e.g. ${example}), so none of the service's own code was measured; check out the sources before this step and set \`path-map\` (e.g. \`/app=.\`) if the automatic mapping does not find them`;
}
function badFileWarning(bad, extraData, workspace) {
  const what = extraData.includes(bad.file) ? "`extra-data` file" : "data file";
  return `${what} ${displayPath(bad.file, workspace)} (${bad.size} bytes) ${bad.error}; it is left out`;
}
function droppedWarning(dropped, workspace) {
  return `data file ${displayPath(dropped.file, workspace)}: ${dropped.count} measured file name(s) are not plausible paths (e.g. ${quoted(dropped.example)}), so they are left out; the rest of its data is used`;
}
function tracerConflictWarning(conflict, workspace) {
  return `data file ${displayPath(conflict.file, workspace)}: ${conflict.count} measured file(s) have another file tracer (coverage plugin) there than in the other data files (e.g. ${quoted(conflict.example)}), so its data of them is left out; the rest of its data is used`;
}
function throwOnFailure(final, image) {
  if (final.config_error !== void 0) throw new Error(final.config_error);
  const failed = (final.steps ?? []).find((step) => step.exit !== 0);
  if (failed !== void 0) throw new Error(reportFailedMessage(failed, image, final.config_file));
}
function reportFailedMessage(step, image, configFile) {
  const file = step.file ?? void 0;
  const config = configFile ?? "the project's coverage config";
  const output = lastLine(step.output);
  let fix;
  if (/No source for code/i.test(output)) {
    fix = `${file ?? "the file it names"} is missing from the workspace: check it out before this step`;
  } else if (file?.endsWith(".py") === true && /parse|NotPython|SyntaxError/i.test(output)) {
    fix = `the workspace's ${file} is not Python this coverage.py can parse: check out the commit the service runs, or set \`[report] ignore_errors = true\` in ${config}`;
  } else {
    fix = `set \`[report] ignore_errors = true\` in ${config} to skip files coverage.py cannot report, or \`omit\` this one`;
  }
  return `\`coverage ${step.step}\` failed${file === void 0 ? "" : ` on ${file}`} in ${image}: ${output}; ${fix}`;
}
function installFailedMessage(toolchain, have, failure) {
  const want = toolchain.coverageVersion;
  return `the conversion image \`${toolchain.image}\` has coverage ${have ?? "(none)"}, not ${want || "(any)"}, and \`pip install coverage${want ? `==${want}` : ""}\` failed in it (${failure ?? "no output"}); set \`coverage-image\` to an image with coverage ${want} installed, or give the conversion container network access`;
}
function installFallbackWarning(toolchain, have, failure) {
  return `the targets measured with coverage ${toolchain.coverageVersion}, which \`pip install\` could not put in the conversion image \`${toolchain.image}\` (${failure ?? "no output"}); the reports are made with its coverage ${have} instead; set \`coverage-image\` or \`coverage-version\` to choose`;
}

// src/report/report-files.ts
import { join as join12 } from "node:path";
function reportPaths(outputDir, formats) {
  return {
    dataFile: join12(outputDir, ".coverage"),
    ...formats.includes("lcov") ? { lcov: join12(outputDir, "coverage.lcov") } : {},
    ...formats.includes("xml") ? { xml: join12(outputDir, "coverage.xml") } : {},
    // Always written: the summary and `percent` come from it.
    json: join12(outputDir, "coverage.json"),
    ...formats.includes("html") ? { html: join12(outputDir, "htmlcov") } : {}
  };
}

// src/report/convert-result.ts
function resultOf(final, reports, warnings) {
  const baselineFailed = final.baseline !== void 0 && final.baseline.exit !== 0;
  return {
    reports: baselineFailed ? { ...reports, baselineJson: void 0 } : reports,
    coverageVersion: final.coverage ?? "",
    python: final.python,
    installed: final.installed ?? false,
    inferred: final.inferred ?? [],
    measured: final.measured ?? 0,
    kept: final.kept ?? 0,
    unmapped: final.unmapped ?? [],
    unmappedCount: final.unmapped_count ?? 0,
    badFiles: final.bad_files ?? [],
    dropped: final.dropped ?? [],
    tracerConflicts: final.tracer_conflicts ?? [],
    extraMeasured: final.extra_measured ?? 0,
    extraKept: final.extra_kept ?? 0,
    baselineError: baselineFailed ? lastLine(final.baseline?.output ?? "") : void 0,
    contexts: final.contexts ?? 0,
    contextLabels: final.context_labels ?? {},
    configFile: final.config_file ?? null,
    overridden: final.overridden ?? [],
    pluginsMissing: final.plugins_missing ?? [],
    notPython: final.not_python ?? [],
    notPythonCount: final.not_python_count ?? 0,
    orphans: final.orphans ?? [],
    orphansCount: final.orphans_count ?? 0,
    warnings
  };
}

// src/report/conversion.ts
async function convertReports(options) {
  const plan = await planConversion(options);
  const warnings = [];
  let final = await runConversion(options, plan);
  let installed;
  try {
    if (final.need_install === true) {
      const install = await installCoverage(options.cli, options.toolchain, options.log);
      installed = install.dir;
      if (install.dir !== void 0) {
        final = await runConversion(options, { ...plan, coverageDir: install.dir });
      } else if (!options.toolchain.versionFromInput && typeof final.have === "string") {
        warnings.push(installFallbackWarning(options.toolchain, final.have, install.failure));
        final = await runConversion(options, { ...plan, version: final.have });
      } else {
        throw new Error(installFailedMessage(options.toolchain, final.have, install.failure));
      }
      if (final.need_install === true)
        throw new Error(installFailedMessage(options.toolchain, final.have, "not found after it"));
    }
  } finally {
    if (installed !== void 0) await rm5(installed, { recursive: true, force: true });
  }
  for (const line of final.log ?? []) options.log(line);
  throwOnFailure(final, options.toolchain.image);
  return resultOf(final, plan.reports, warnings);
}
async function planConversion(options) {
  const { outputDir } = options;
  await mkdir4(outputDir, { recursive: true });
  const reports = {
    ...reportPaths(outputDir, options.formats),
    ...(options.extraDataFiles ?? []).length > 0 ? { e2eJson: join13(outputDir, "coverage-e2e.json") } : {},
    ...options.baseline ? { baselineJson: join13(outputDir, "baseline.json") } : {}
  };
  await rm5(reports.dataFile, { force: true });
  const outputs = { json: reports.json };
  if (reports.lcov) outputs.lcov = reports.lcov;
  if (reports.xml) outputs.xml = reports.xml;
  if (reports.html) outputs.html = reports.html;
  return { reports, outputs, version: options.toolchain.coverageVersion };
}
async function runConversion(options, plan) {
  const { toolchain } = options;
  const program = invocation("python3", "convert", programArgs(options, plan));
  const result = await runInConversionContainer(options.cli, {
    toolchain,
    mounts: conversionMounts(options, plan.coverageDir),
    workdir: options.workingDirectory,
    network: false,
    args: program.argv.slice(1),
    stdin: program.stdin,
    log: options.log
  });
  const final = result.exitCode === 0 ? eventOf("convert", splitOutput("convert", result.stdout), "result", convertResult) : void 0;
  if (final === void 0) {
    throw new Error(
      `the conversion container failed with exit status ${result.exitCode} (${errorLine(result.stderr)}); check that \`${toolchain.image}\` has python3`
    );
  }
  return final;
}
function programArgs(options, plan) {
  const { baseline } = options;
  return {
    data_files: options.dataFiles,
    outputs: plan.outputs,
    combined: plan.reports.dataFile,
    workspace: options.workingDirectory,
    config_file: options.coverageConfig ?? null,
    image: options.toolchain.image,
    path_map: options.pathMap.length > 0 ? options.pathMap.map((m) => [m.remote, m.local]) : null,
    version: plan.version || null,
    coverage_path: plan.coverageDir ?? null,
    extra_data_files: options.extraDataFiles ?? [],
    e2e_json: plan.reports.e2eJson ?? null,
    baseline: baseline ? {
      data_file: baseline.dataFile,
      // The base commit's copy of the working directory.
      cwd: join13(baseline.sourceDir, relative7(options.workspace, options.workingDirectory)),
      output: plan.reports.baselineJson
    } : null
  };
}

// src/report/reports.ts
async function combineAndConvert(inputs, harvests, runnerData, warnings) {
  const toolchain = chooseToolchain(
    harvests.map((h) => h.versions),
    { coverageImage: inputs.coverageImage, coverageVersion: inputs.coverageVersion }
  );
  warnings.addAll(toolchain.warnings);
  info2(
    `conversion image ${toolchain.image}, coverage ${toolchain.coverageVersion || "(the image's)"}`
  );
  const converted = await convertReports({
    cli: new ContainerCli(inputs.dockerCommand),
    toolchain,
    workspace: inputs.workspace,
    workingDirectory: inputs.workingDirectory,
    coverageConfig: inputs.coverageConfig,
    outputDir: inputs.outputDir,
    pathMap: inputs.pathMap,
    formats: inputs.formats,
    dataFiles: harvests.flatMap((h) => h.files.map((f) => f.path)),
    ...runnerData,
    log: info2
  });
  if (converted.inferred.length > 0) {
    info2(
      `\`path-map\` not set: mapped ${converted.inferred.map((p) => `${p}/`).join(", ")} onto the workspace (inferred from the measured files)`
    );
  }
  warnings.addAll(converted.warnings);
  warnings.addAll(converted.pluginsMissing);
  for (const dropped of converted.dropped) warnings.add(droppedWarning(dropped, inputs.workspace));
  for (const conflict of converted.tracerConflicts)
    warnings.add(tracerConflictWarning(conflict, inputs.workspace));
  for (const bad of converted.badFiles)
    warnings.add(badFileWarning(bad, runnerData.extraDataFiles, inputs.workspace));
  const extra = extraDataWarning(converted, runnerData.extraDataFiles);
  if (extra !== void 0) warnings.add(extra);
  const unmapped = unmappedWarning(converted.unmapped, converted.unmappedCount);
  if (unmapped !== void 0) warnings.add(unmapped);
  if (converted.kept === 0) throw new Error(nothingKeptMessage(converted, inputs.pathMap));
  return converted;
}
var CONTEXTS_FILE_NAME = "contexts.json";
async function readContexts(converted, coverage, outputDir) {
  if (converted.contexts === 0) return void 0;
  const e2e = converted.reports.e2eJson === void 0 ? coverage : await readCoverageJson(converted.reports.e2eJson);
  const own = otherContexts(e2e, converted.contextLabels);
  if (own > 0)
    info2(
      `${own} context(s) in the data were not switched by the test harness (coverage.py's own, e.g. \`dynamic_context\` under \`coverage run\`, or written by an agent older than this action, which does not mark its contexts): their lines count as outside any test`
    );
  const lines = contextLines(e2e, converted.contextLabels);
  if (lines === void 0) return void 0;
  const file = join14(outputDir, CONTEXTS_FILE_NAME);
  await writeContextsFile(file, lines);
  const summary2 = summarizeContexts(lines);
  info2(`${summary2.contexts.length} context(s) recorded by the agent; lines per context in ${file}`);
  return { file, summary: summary2 };
}
function otherContexts(coverage, labels) {
  const others = /* @__PURE__ */ new Set();
  for (const file of Object.values(coverage.files))
    for (const names of Object.values(file.contexts ?? {}))
      for (const name of names) if (name !== "" && !Object.hasOwn(labels, name)) others.add(name);
  return others.size;
}

// src/pipeline/pipeline.ts
var actionReporter = {
  ...githubDestination,
  stage: (name, run) => group(name, run),
  info: (line) => info2(line)
};
async function pipeline(inputs, state, reporter) {
  const targets = await reporter.stage("discover", () => discover(inputs, state, reporter));
  if (targets === void 0) return;
  const plan = await reporter.stage(
    "pull request",
    () => planPullRequestView(inputs, (line) => reporter.info(line))
  );
  state.warnings.addAll(plan.warnings);
  const harvests = await reporter.stage(
    `harvest ${targets.length} target(s)`,
    () => harvest(inputs, targets, state, reporter)
  );
  const converted = await reporter.stage(
    "combine and convert with coverage.py",
    () => combineAndConvert(inputs, harvests, plan.convert, state.warnings)
  );
  const coverage = await readCoverageJson(converted.reports.json);
  const percent = linePercent(coverage.totals);
  reporter.info(
    `total line coverage ${percent.toFixed(2)}% over ${Object.keys(coverage.files).length} file(s)`
  );
  const view = await pullRequestView(plan, coverage, converted, inputs);
  state.warnings.addAll(view.warnings);
  const contexts = await readContexts(converted, coverage, inputs.outputDir);
  const commentWarnings = await reporter.stage(
    "publish",
    () => publish(
      inputs,
      {
        outcomes: state.outcomes,
        warnings: state.warnings.all(),
        converted,
        coverage,
        percent,
        view,
        contexts,
        event: plan.event
      },
      reporter
    )
  );
  state.warnings.addAll(commentWarnings);
  failIfUnconfirmed(state.outcomes);
  if (inputs.failUnder !== void 0 && percent < inputs.failUnder) {
    throw new Error(
      `total line coverage ${percent.toFixed(2)}% is below \`fail-under\` ${inputs.failUnder}%; add tests that exercise more code or lower \`fail-under\``
    );
  }
  if (view.failure !== void 0) throw new Error(view.failure);
}
async function discover(inputs, state, reporter) {
  const discovery = await discoverTargets(inputs, (message2) => state.warnings.add(message2));
  if (discovery.targets.length > 0) {
    reporter.info(`found ${discovery.targets.map((t) => t.label).join(", ")}`);
    return discovery.targets;
  }
  const message = `no ${discovery.searched} found; ${discovery.hint}`;
  if (inputs.ifNoTargets === "error") throw new Error(message);
  if (inputs.ifNoTargets === "warn") state.warnings.add(message);
  else reporter.info(message);
  await reporter.outputs({ targets: [] });
  return void 0;
}
async function harvest(inputs, targets, state, reporter) {
  const harvests = await harvestAll(inputs, targets);
  state.outcomes = harvests.map((h) => h.outcome);
  for (const h of harvests) {
    state.warnings.addAll(h.warnings);
    if (h.outcome.error !== void 0) state.warnings.add(`${h.outcome.label}: ${h.outcome.error}`);
  }
  if (harvests.every((h) => h.files.length === 0)) {
    await reporter.outputs({ targets: state.outcomes });
    throw new Error(noDataMessage(harvests, inputs.dataDir));
  }
  return harvests;
}
function failIfUnconfirmed(outcomes) {
  const unconfirmed = outcomes.filter((o) => o.method === null && o.attempts.length > 0);
  if (unconfirmed.length === 0) return;
  const stuck = stuckMessage(unconfirmed);
  if (stuck !== void 0) throw new Error(stuck);
  const first = unconfirmed[0];
  const tried = first?.attempts.map((a) => `${a.method}: ${a.detail}`).join("; ") ?? "";
  throw new Error(
    `no flush method confirmed a save in ${unconfirmed.map((o) => o.label).join(", ")} (${tried}); the reports hold only the data that was already there, so the step fails`
  );
}

// src/shared/warnings.ts
var MAX_WARNINGS = 200;
var Warnings = class {
  /** `announce` tells each new warning as it comes: an annotation in the action's log by default. */
  constructor(announce = (m) => warning(m)) {
    this.announce = announce;
  }
  announce;
  list = [];
  seen = /* @__PURE__ */ new Set();
  over = 0;
  add(message) {
    if (this.seen.has(message)) return;
    this.seen.add(message);
    if (this.list.length >= MAX_WARNINGS) {
      if (this.over++ === 0)
        this.announce(`more than ${MAX_WARNINGS} warnings; the rest are counted in the summary`);
      return;
    }
    this.list.push(message);
    this.announce(logLine(message));
  }
  addAll(messages) {
    for (const message of messages) this.add(message);
  }
  /** The warnings, and one more line that counts those past the bound. */
  all() {
    if (this.over === 0) return [...this.list];
    return [
      ...this.list,
      `and ${this.over} more warning(s), not shown: a run past ${MAX_WARNINGS} warnings has one cause repeated, which the ones above name`
    ];
  }
};

export {
  info2 as info,
  linePercent,
  branchPercent,
  formatPercent,
  formatBytes,
  formatDuration,
  FALLBACK_FILE_NAME,
  renderSummary,
  renderFailure,
  writeFailureSummary,
  targetsJson,
  actionReporter,
  pipeline,
  Warnings
};
