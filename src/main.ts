// The action as named stages: discover → harvest → combine and convert → report → publish.
// Lower modules throw; this is the one place that turns an error into a failed step, and a failed
// step still gets a summary that says why.
import * as core from '@actions/core';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  chooseToolchain,
  convertReports,
  extraDataWarning,
  nothingKeptMessage,
  unmappedWarning,
  type ConvertResult,
} from './convert.js';
import {
  contextLines,
  summarizeContexts,
  writeContextsFile,
  type ContextsSummary,
} from './contexts.js';
import { linePercent, readCoverageJson, type CoverageJson } from './coverage-json.js';
import { harvestTarget } from './harvest/harvest-target.js';
import type { TargetHarvest } from './harvest/types.js';
import { getInputs, type Inputs } from './inputs.js';
import type { TargetOutcome } from './outcome.js';
import { setOutputs } from './outputs.js';
import { mapPool } from './pool.js';
import { dataDirOf, displayPath, targetDirName } from './paths.js';
import {
  planPullRequestView,
  pullRequestView,
  type PullRequestPlan,
  type PullRequestView,
} from './pr-view.js';
import { writeFailureSummary, writeJobSummary } from './summary.js';
import { maskSecretsWith } from './secrets.js';
import { ContainerCli } from './targets/docker.js';
import { discoverTargets } from './targets/discover.js';
import type { Target } from './targets/target.js';
import { errorText } from './text.js';
import { Warnings } from './warnings.js';

/**
 * Targets harvested at once: enough to overlap the waits on exec and port-forward round trips,
 * few enough that a fleet does not open dozens of sessions on a 2-core runner.
 */
const HARVEST_CONCURRENCY = 8;

/** Copy-out cap per target: coverage data of a service is kilobytes to a few megabytes. */
const MAX_BYTES_PER_TARGET = 512 * 1024 * 1024;

/** What the stages found so far: what a failure summary can still show. */
interface RunState {
  readonly warnings: Warnings;
  outcomes: readonly TargetOutcome[];
}

/** The action's entry point: every failure below surfaces here, as one failed step. */
export async function run(): Promise<void> {
  const state: RunState = { warnings: new Warnings(), outcomes: [] };
  let inputs: Inputs | undefined;
  maskSecretsWith((value) => core.setSecret(value));
  try {
    inputs = getInputs();
    await pipeline(inputs, state);
  } catch (error) {
    const message = errorText(error);
    core.setFailed(message);
    if (inputs?.summary !== false) {
      try {
        await writeFailureSummary({
          error: message,
          targets: state.outcomes,
          warnings: state.warnings.all(),
        });
      } catch (summaryError) {
        core.info(`could not write the job summary: ${errorText(summaryError)}`);
      }
    }
  }
}

async function pipeline(inputs: Inputs, state: RunState): Promise<void> {
  const targets = await core.group('discover', () => discover(inputs, state));
  if (targets === undefined) return;
  // Before the harvest: a wrong `extra-data` path fails the step while the services still run.
  const plan = await core.group('pull request', () => planPullRequestView(inputs, core.info));
  state.warnings.addAll(plan.warnings);
  const harvests = await core.group(`harvest ${targets.length} target(s)`, () =>
    harvest(inputs, targets, state),
  );
  const converted = await core.group('combine and convert with coverage.py', () =>
    combineAndConvert(inputs, harvests, plan, state),
  );
  const coverage = await readCoverageJson(converted.reports.json);
  const percent = linePercent(coverage.totals);
  core.info(
    `total line coverage ${percent.toFixed(2)}% over ${Object.keys(coverage.files).length} file(s)`,
  );
  const view = await pullRequestView(plan, coverage, converted, inputs);
  state.warnings.addAll(view.warnings);
  const contexts = await readContexts(converted, coverage, inputs.outputDir);
  await core.group('publish', () =>
    publish(inputs, state, converted, coverage, percent, view, contexts),
  );
  failIfUnconfirmed(state.outcomes);
  if (inputs.failUnder !== undefined && percent < inputs.failUnder) {
    throw new Error(
      `total line coverage ${percent.toFixed(2)}% is below \`fail-under\` ${inputs.failUnder}%; add tests that exercise more code or lower \`fail-under\``,
    );
  }
  if (view.failure !== undefined) throw new Error(view.failure);
}

/** The targets, or undefined when none matched and `if-no-targets` lets the step end there. */
async function discover(inputs: Inputs, state: RunState): Promise<readonly Target[] | undefined> {
  const discovery = await discoverTargets(inputs, (message) => state.warnings.add(message));
  if (discovery.targets.length > 0) {
    core.info(`found ${discovery.targets.map((t) => t.label).join(', ')}`);
    return discovery.targets;
  }
  const message = `no ${discovery.searched} found; ${discovery.hint}`;
  if (inputs.ifNoTargets === 'error') throw new Error(message);
  if (inputs.ifNoTargets === 'warn') state.warnings.add(message);
  else core.info(message);
  setOutputs({ targets: [] });
  return undefined;
}

/** Every target, eight at a time; each yields its outcome once, failures included. */
async function harvest(
  inputs: Inputs,
  targets: readonly Target[],
  state: RunState,
): Promise<readonly TargetHarvest[]> {
  const dataRoot = dataDirOf(inputs.outputDir);
  await rm(dataRoot, { recursive: true, force: true });
  await mkdir(dataRoot, { recursive: true });
  const settings = {
    dataDir: inputs.dataDir,
    agentPort: inputs.agentPort,
    flushTimeoutMs: inputs.flushTimeoutMs,
    reset: inputs.reset,
    gracefulTimeoutMs: inputs.gracefulTimeoutMs,
    signal: inputs.signal,
    methods: inputs.methods,
    maxBytes: MAX_BYTES_PER_TARGET,
  };
  const harvests = await mapPool(targets, HARVEST_CONCURRENCY, (target, index) =>
    harvestTarget(target, {
      settings,
      destDir: join(dataRoot, targetDirName(index, target.label)),
      log: (line) => core.info(line),
    }),
  );
  state.outcomes = harvests.map((h) => h.outcome);
  for (const h of harvests) {
    state.warnings.addAll(h.warnings);
    if (h.outcome.error !== undefined) state.warnings.add(`${h.outcome.label}: ${h.outcome.error}`);
  }
  if (harvests.every((h) => h.files.length === 0)) {
    setOutputs({ targets: state.outcomes });
    throw new Error(noDataMessage(harvests, inputs.dataDir));
  }
  return harvests;
}

/** Why no target yielded a data file, as one sentence with the fix. */
export function noDataMessage(harvests: readonly TargetHarvest[], dataDir: string): string {
  const failed = harvests.filter((h) => h.outcome.error !== undefined);
  const first = failed[0]?.outcome.error;
  if (first !== undefined && failed.length === harvests.length) return first;
  const reasons = harvests.flatMap((h) => {
    const last = h.outcome.attempts[h.outcome.attempts.length - 1];
    return last !== undefined && !last.confirmed ? [`${last.method}: ${last.detail}`] : [];
  });
  const why =
    reasons.length > 0 ? ` (last flush attempt: ${[...new Set(reasons)].join('; ')})` : '';
  return `no coverage data found in ${dataDir} of ${harvests.length} target(s)${why}; check \`data-dir\` and that the services run with the agent (PYCOV_HARVEST=1) or under \`coverage run\``;
}

async function combineAndConvert(
  inputs: Inputs,
  harvests: readonly TargetHarvest[],
  plan: PullRequestPlan,
  state: RunState,
): Promise<ConvertResult> {
  const toolchain = chooseToolchain(
    harvests.map((h) => h.versions),
    { coverageImage: inputs.coverageImage, coverageVersion: inputs.coverageVersion },
  );
  state.warnings.addAll(toolchain.warnings);
  core.info(
    `conversion image ${toolchain.image}, coverage ${toolchain.coverageVersion || "(the image's)"}`,
  );
  const converted = await convertReports({
    cli: new ContainerCli(inputs.dockerCommand),
    toolchain,
    workspace: inputs.workspace,
    outputDir: inputs.outputDir,
    pathMap: inputs.pathMap,
    formats: inputs.formats,
    dataFiles: harvests.flatMap((h) => h.files.map((f) => f.path)),
    ...plan.convert,
    log: (line) => core.info(line),
  });
  if (converted.inferred.length > 0) {
    core.info(
      `\`path-map\` not set: mapped ${converted.inferred.map((p) => `${p}/`).join(', ')} onto the workspace (inferred from the measured files)`,
    );
  }
  for (const bad of converted.badFiles) {
    const what = plan.convert.extraDataFiles.includes(bad.file) ? '`extra-data` file' : 'data file';
    state.warnings.add(
      `${what} ${displayPath(bad.file, inputs.workspace)} (${bad.size} bytes) is not usable coverage data (${bad.error}); it is left out`,
    );
  }
  const extra = extraDataWarning(converted, plan.convert.extraDataFiles);
  if (extra !== undefined) state.warnings.add(extra);
  const unmapped = unmappedWarning(converted.unmapped, converted.unmappedCount);
  if (unmapped !== undefined) state.warnings.add(unmapped);
  if (converted.kept === 0) throw new Error(nothingKeptMessage(converted, inputs.pathMap));
  return converted;
}

interface Contexts {
  readonly file: string;
  readonly summary: ContextsSummary;
}

/**
 * When the agent's switches recorded contexts: the `contexts-file` (context → file → lines, from the
 * E2E-only report when `extra-data` was combined in) and the figures of the "E2E tests" section.
 */
async function readContexts(
  converted: ConvertResult,
  coverage: CoverageJson,
  outputDir: string,
): Promise<Contexts | undefined> {
  if (converted.contexts === 0) return undefined;
  const e2e =
    converted.reports.e2eJson === undefined
      ? coverage
      : await readCoverageJson(converted.reports.e2eJson);
  const lines = contextLines(e2e);
  if (lines === undefined) return undefined;
  const file = join(outputDir, CONTEXTS_FILE_NAME);
  await writeContextsFile(file, lines);
  const summary = summarizeContexts(lines);
  core.info(
    `${summary.contexts.length} context(s) recorded by the agent; lines per context in ${file}`,
  );
  return { file, summary };
}

const CONTEXTS_FILE_NAME = 'contexts.json';

async function publish(
  inputs: Inputs,
  state: RunState,
  converted: ConvertResult,
  coverage: CoverageJson,
  percent: number,
  view: PullRequestView,
  contexts: Contexts | undefined,
): Promise<void> {
  const shown = (path: string | undefined) =>
    path === undefined ? undefined : displayPath(path, inputs.workspace);
  const reports = {
    lcov: shown(converted.reports.lcov),
    xml: shown(converted.reports.xml),
    json: inputs.formats.includes('json') ? shown(converted.reports.json) : undefined,
    html: shown(converted.reports.html),
  };
  let summaryFile: string | undefined;
  if (inputs.summary) {
    const written = await writeJobSummary(
      {
        coverage,
        targets: state.outcomes,
        warnings: state.warnings.all(),
        reports: definedOnly(reports),
        ...view.summary,
        ...(contexts === undefined ? {} : { contexts: contexts.summary }),
      },
      inputs.outputDir,
      { artifactName: inputs.upload ? inputs.artifactName : undefined },
    );
    summaryFile = written.fallbackFile;
    if (summaryFile !== undefined)
      core.info(`full summary in ${summaryFile} (uploaded with the reports)`);
  }
  let artifact: { id: number; url: string | undefined } | undefined;
  if (inputs.upload) {
    const files = [
      converted.reports.dataFile,
      converted.reports.lcov,
      converted.reports.xml,
      converted.reports.json,
      converted.reports.e2eJson,
      converted.reports.html,
      contexts?.file,
      summaryFile,
    ].filter((file): file is string => file !== undefined);
    // The artifact client is large: loaded only when there is something to upload.
    const { uploadReports } = await import('./artifact.js');
    artifact = await uploadReports(inputs.artifactName, files, inputs.outputDir);
    core.info(`uploaded artifact ${inputs.artifactName} (id ${artifact.id})`);
  }
  setOutputs({
    lcovFile: reports.lcov,
    xmlFile: reports.xml,
    percent,
    targets: state.outcomes,
    artifactId: artifact?.id,
    artifactUrl: artifact?.url,
    contextsFile: shown(contexts?.file),
    ...view.outputs,
  });
}

/** A running target whose flush no method confirmed: its data may be stale, so the step fails. */
function failIfUnconfirmed(outcomes: readonly TargetOutcome[]): void {
  const unconfirmed = outcomes.filter((o) => o.method === null && o.attempts.length > 0);
  if (unconfirmed.length === 0) return;
  const first = unconfirmed[0];
  const tried = first?.attempts.map((a) => `${a.method}: ${a.detail}`).join('; ') ?? '';
  throw new Error(
    `no flush method confirmed a save in ${unconfirmed.map((o) => o.label).join(', ')} (${tried}); the reports hold only the data that was already there, so the step fails`,
  );
}

function definedOnly<T extends Record<string, string | undefined>>(
  record: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}
