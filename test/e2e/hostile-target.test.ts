// A compromised target cannot reach the runner (issue 19), on podman and on the Docker engine: the
// service container plays the attacker. It plants files in its data directory for the action's own
// programs to read (hostile SQLite data, odd names, links, devices, floods, forged registrations),
// or answers on the container network as a fake agent listener that proxies the real one but
// forges the status, the flush answer and the `GET /data` tar stream. Whatever it does, each case
// holds four things:
//   1. the service's real lines still reach the reports (lcov);
//   2. the runner's files outside `output-dir` and RUNNER_TEMP are byte for byte unchanged;
//   3. no line of the step log starts with `::` unless it is the action's own workflow command;
//   4. the summary, rendered as GitHub renders it, has no link, image, tag, table cell or mention
//      that came from the target.
// Besides, no config file the action writes holds target-made text, and no file under
// `output-dir` holds the checkout's credential.
// Two containers per engine serve every case (one for planted files, one with the fake listener);
// each case removes what it planted.
import { appendFileSync, cpSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, httpGet, type Engine, type ServiceContainer } from '../support/engine.js';
import { renderGfm, targetMarkup } from '../support/gfm.js';
import { explain, hits, selectorOf } from '../support/harvest-results.js';
import {
  plantCases,
  routeCases,
  type Forgery,
  type HostileCase,
  type Plant,
} from '../support/hostile/cases.js';
import {
  attackerScript,
  CHECKOUT_SECRET,
  filesContaining,
  MARKER,
  prepareCheckout,
  snapshotTree,
  treeChanges,
  unexpectedCommands,
} from '../support/hostile/hostile.js';
import { appSourceDir, images } from '../support/images.js';
import { makeWorkspace, parseLcov, runAction, type ActionRun } from '../support/run-action.js';

/** The token of the fake listener's route (the container declares it, as a real one would). */
const TOKEN = `hostile-${process.pid}`;
/** Where the attacker's fake listener answers, and where the real agent listens meanwhile. */
const FAKE_PORT = 9797;
const REAL_PORT = 9798;
/** Set to a file path to get one JSON line per case with what did not hold (for the handoff). */
const REPORT = process.env.PYCOV_HARVEST_HOSTILE_REPORT;

let counter = 0;

/** The four checks, plus the case's own, as findings; empty when everything held. */
function findings(
  run: ActionRun,
  before: Map<string, string>,
  root: string,
  hostile: HostileCase,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let lcov;
  try {
    lcov = parseLcov(readFileSync(join(run.workspace, 'coverage-harvest/coverage.lcov'), 'utf8'));
  } catch {
    lcov = undefined;
  }
  const even = lcov === undefined ? undefined : hits(lcov, 'main.py', 'items-even');
  result.realLines =
    run.exitCode !== 0
      ? [`the step failed: ${run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? ''}`]
      : even === undefined || even === 0
        ? ['the service’s own executed line has no hits in the lcov report']
        : [];
  result.runnerFiles = treeChanges(before, snapshotTree(root, skipped));
  const copied = filesContaining(join(run.workspace, 'coverage-harvest'), CHECKOUT_SECRET);
  if (copied.length > 0)
    result.runnerFiles.push(`the checkout's credential was copied into ${copied.join(', ')}`);
  result.configText = filesContaining(join(run.workspace, 'coverage-harvest'), MARKER)
    .filter((file) => /\.(rc|cfg|ini|toml)$|(^|\/)\.coveragerc$/.test(file))
    .map((file) => `target-made text in the config file ${file}`);
  result.logCommands = unexpectedCommands(run.stdout);
  result.summaryMarkup = targetMarkup(renderGfm(run.summary), MARKER);
  result.also = hostile.also?.(run) ?? [];
  return result;
}

/** Relative to the root of makeWorkspace: the action's own places. */
const skipped = ['workspace/coverage-harvest', 'runner-temp'];

// The summary check must be able to fail: each kind of markup it looks for, rendered by cmark-gfm.
describe('the summary check (cmark-gfm)', () => {
  it.each([
    ['a markdown link', 'see [x](https://evil.example/PWN)', /a link/],
    ['an autolink', 'see https://evil.example/PWN now', /a link/],
    ['an image', '![x](https://evil.example/PWN.png)', /an image/],
    ['a raw tag', '<p><marquee>PWN</marquee></p>', /a <marquee> tag/],
    ['an event handler', '<p><b onmouseover="x">PWN</b></p>', /a <b> tag|an event handler/],
    ['a table cell', '| a | b |\n|---|---|\n| PWNCELL | x |', /a table cell/],
    ['a mention', '<p>hello &#64;PWN-user</p>', /a mention outside code/],
  ])('finds %s', (_what, markdown, finding) => {
    expect(targetMarkup(renderGfm(markdown), MARKER).join('\n')).toMatch(finding);
  });

  it('finds nothing in what the action writes around escaped target text', () => {
    const summary =
      '<h3>Warnings</h3>\n<ul><li>data file <code>x&#64;&#8288;PWN &#91;a&#93;(https://evil.example/PWN)</code> is left out</li></ul>\n' +
      '<table><tr><th>Context</th></tr><tr><td><code>&#124; PWNCELL &#124;</code></td></tr></table>\n';
    expect(targetMarkup(renderGfm(summary), MARKER)).toEqual([]);
  });
});

describe.each(engines)('a hostile target on %s', (engine: Engine) => {
  const started: ServiceContainer[] = [];
  let plantBox: ServiceContainer;
  let routeBox: ServiceContainer;
  const labelsOf = new Map<ServiceContainer, Record<string, string>>();

  async function start(kind: 'plant' | 'route'): Promise<ServiceContainer> {
    const labels = { 'pycov-e2e-hostile': `${process.pid}-${++counter}` };
    const service =
      kind === 'plant'
        ? await engine.startService({ mode: 'agent', labels, env: { PYCOV_HARVEST: '1' } })
        : await engine.startService({
            mode: 'agent',
            labels,
            // The container declares a listener on its network with a token; its entrypoint moves
            // the real agent to loopback, and the attacker's listener takes the declared port.
            env: {
              PYCOV_HARVEST_HOST: '0.0.0.0',
              PYCOV_HARVEST_TOKEN: TOKEN,
              PYCOV_HARVEST_PORT: String(FAKE_PORT),
            },
            command: [
              'bash',
              '-c',
              `PYCOV_HARVEST_HOST=127.0.0.1 PYCOV_HARVEST_PORT=${REAL_PORT} exec /entrypoint.sh`,
            ],
          });
    started.push(service);
    labelsOf.set(service, labels);
    await engine.cli('cp', attackerScript, `${service.id}:/tmp/attacker.py`);
    if (kind === 'route') {
      await engine.cli(
        'exec',
        '-d',
        '-e',
        'PYCOV_HARVEST=0',
        service.id,
        'python3',
        '/tmp/attacker.py',
        'fake-agent',
        String(FAKE_PORT),
        String(REAL_PORT),
      );
    }
    return service;
  }

  const attacker = (box: ServiceContainer, ...args: string[]) =>
    engine.cli(
      'exec',
      '--user',
      '0',
      '-e',
      'PYCOV_HARVEST=0',
      box.id,
      'python3',
      '/tmp/attacker.py',
      ...args,
    );

  async function forge(box: ServiceContainer, forgery: Forgery): Promise<void> {
    await engine.cli(
      'exec',
      '-e',
      'PYCOV_HARVEST=0',
      box.id,
      'python3',
      '-c',
      'import sys; open("/tmp/hostile-route.json", "w").write(sys.argv[1])',
      JSON.stringify(forgery),
    );
  }

  beforeAll(async () => {
    await engine.require();
    [plantBox, routeBox] = await Promise.all([start('plant'), start('route')]);
  });
  afterAll(() => engine.removeContainers(started));

  async function attack(hostile: HostileCase): Promise<void> {
    const box = hostile.on === 'plant' ? plantBox : routeBox;
    // The service's real work: the line marked items-even runs.
    expect((await httpGet(box.port, '/items/2')).status).toBe(200);
    if (hostile.plant !== undefined)
      await attacker(box, 'plant', JSON.stringify(hostile.plant as readonly Plant[]));
    await forge(box, hostile.forge ?? {});
    try {
      const place = makeWorkspace((ws) => {
        cpSync(appSourceDir, join(ws, 'src'), { recursive: true });
        prepareCheckout(ws);
      });
      const root = dirname(place.workspace);
      const before = snapshotTree(root, skipped);
      const run = await runAction(
        {
          target: 'docker',
          selector: selectorOf(labelsOf.get(box) ?? {}),
          ...engine.inputs,
          'path-map': '/app=.',
          'coverage-image': images.coverage,
          upload: 'false',
          ...hostile.inputs,
        },
        place,
        engine.env,
      );
      const found = findings(run, before, root, hostile);
      if (REPORT !== undefined)
        appendFileSync(
          REPORT,
          `${JSON.stringify({ engine: engine.name, case: hostile.name, ...found })}\n`,
        );
      for (const [check, list] of Object.entries(found))
        expect.soft(list, `${check}\n${explain(run).slice(0, 4000)}`).toEqual([]);
    } finally {
      await attacker(box, 'clean');
      await forge(box, {});
    }
  }

  describe('planted in the data directory, read by the action’s own programs', () => {
    it.each(plantCases.map((c) => [c.name, c] as const))('%s', (_name, hostile) => attack(hostile));
  });

  describe('the fake agent listener on the container network', () => {
    it.each(routeCases.map((c) => [c.name, c] as const))('%s', (_name, hostile) => attack(hostile));
  });
});
