// One target's context switch from the runner (what `dist/cli.js context` does per target): over a
// port-forward to the agent's listener (a stand-in that wants a token), and, when no listener
// answers that way, through the real `context` program inside the target.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/args.js';
import { startSwitchServer } from '../../../src/cli/serve.js';
import { outcomeLine, switchAll, switchTarget } from '../../../src/harvest/switch.js';
import type { AgentRoute, Target } from '../../../src/targets/target.js';
import { routedPod, standInAgent } from '../../support/agent-stand-ins.js';
import { LocalTarget } from '../../support/local-target.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A stand-in listener that wants `Bearer <token>` and answers the switch with `answer`. */
const standIn = (token: string, answer: (body: { context: string }) => [number, object]) =>
  standInAgent(token, (_path, body) => answer(JSON.parse(body) as { context: string }));

const podWithForward = (port: number, label = 'pod e2e/api-1') =>
  routedPod(port, { label, token: 's3cret' });

const settings = { dataDir: '/coverdata', agentPort: 9797, timeoutMs: 4000 };

describe('switchTarget', () => {
  it('POSTs the switch through the port-forward, reading the token in the pod only after a 401', async () => {
    const { port, seen } = await standIn('s3cret', (body) => [
      200,
      {
        seq: 4,
        ok: true,
        context: body.context,
        acks: [{ pid: 1 }, { pid: 7 }, { pid: 8 }],
        missing: [],
      },
    ]);
    const pod = podWithForward(port);
    const outcome = await switchTarget(pod, 'test refund', settings);
    expect(outcome).toMatchObject({
      label: 'pod e2e/api-1',
      ok: true,
      processes: 3,
      detail: '3 agent process(es) switched (#4) through a port-forward',
    });
    expect(pod.execs).toEqual(['9797']);
    expect(seen).toEqual([
      'POST /pycov-harvest/context - {"context":"test refund","timeout":4}',
      'POST /pycov-harvest/context Bearer s3cret {"context":"test refund","timeout":4}',
    ]);
  });

  it('says which processes did not confirm', async () => {
    const { port } = await standIn('s3cret', () => [
      504,
      {
        seq: 5,
        ok: false,
        acks: [{ pid: 1 }],
        missing: [{ pid: 9, reason: 'no acknowledgement within 4 s' }],
      },
    ]);
    const outcome = await switchTarget(podWithForward(port), 't2', settings);
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      'the switch was not confirmed through a port-forward (pid 9: "no acknowledgement within 4 s")',
    );
  });

  it('quotes what a hostile listener says, so the CLI prints it on one line', async () => {
    const { port } = await standIn('s3cret', () => [
      504,
      {
        seq: 5,
        ok: false,
        acks: [],
        missing: [{ pid: 9, reason: 'x\n::error::PWN\n::stop-commands::pwn' }],
      },
    ]);
    const outcome = await switchTarget(podWithForward(port), 't3', settings);
    expect(outcome.detail).toBe(
      'the switch was not confirmed through a port-forward (pid 9: "x\\n::error::PWN\\n::stop-commands::pwn")',
    );
    const { port: other } = await standInAgent('s3cret', () => [
      500,
      Buffer.from('oops\n::error::PWN body'),
    ]);
    const body = await switchTarget(podWithForward(other), 't3', settings);
    expect(body.detail).toBe(
      'the agent answered HTTP 500 through a port-forward ("oops\\n::error::PWN body")',
    );
    expect(outcomeLine('t3', body)).not.toMatch(/[\r\n]/);
  });

  it('without a listener behind the forward, runs the context program in the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switch-'));
    mkdirSync(join(dir, '.pycov-harvest'));
    const local = new LocalTarget();
    cleanups.push(() => local.stop());
    const target: Target = {
      kind: 'kubernetes',
      id: local.id,
      label: local.label,
      exec: (argv, options) => local.exec(argv, options),
      isRunning: () => local.isRunning(),
      routeToAgent: () =>
        Promise.reject(new Error('the port-forward failed: pods "api" is forbidden')),
    };
    const outcome = await switchTarget(target, 't1', { ...settings, dataDir: dir });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      `no agent process is registered in ${dir}; start the service with PYCOV_HARVEST=1 and the agent installed, or set the data dir`,
    );
  });

  it('switches every target at once and never throws', async () => {
    const { port } = await standIn('s3cret', () => [
      200,
      { seq: 1, ok: true, acks: [{ pid: 1 }], missing: [] },
    ]);
    const broken: Target = {
      kind: 'docker',
      id: 'gone',
      label: 'container gone',
      exec: () => Promise.reject(new Error('no such container: gone')),
      isRunning: async () => false,
    };
    const outcomes = await switchAll([podWithForward(port, 'pod a'), broken], '', settings);
    expect(outcomes.map((o) => [o.label, o.ok])).toEqual([
      ['pod a', true],
      ['container gone', false],
    ]);
    expect(outcomes[1]?.detail).toBe('no such container: gone');
  });
});

describe('dist/cli.js serve', () => {
  it('without a relay, keeps one port-forward per pod and the token between switches; refuses bad requests', async () => {
    const { port, seen } = await standIn('s3cret', () => [
      200,
      { seq: 1, ok: true, acks: [{ pid: 1 }], missing: [] },
    ]);
    const pod = podWithForward(port);
    let forwards = 0;
    const counted: Target = {
      ...pod,
      exec: (argv, options) => pod.exec(argv, options),
      routeToAgent: async (remote: number) => {
        forwards += 1;
        return (pod.routeToAgent as (p: number) => Promise<AgentRoute>)(remote);
      },
    };
    const inputs = parseCliArgs(
      ['serve', '--port', '1', '--target', 'kubernetes', '--selector', 'app=api'],
      { GITHUB_WORKSPACE: '/tmp' },
    ).inputs;
    let targets: Target[] = [counted];
    const lines: string[] = [];
    const server = await startSwitchServer(
      inputs,
      0,
      (line) => lines.push(line),
      async () => ({
        targets,
        searched: 'pods with label app=api',
        hint: 'check `selector`',
      }),
      50,
    );
    cleanups.push(() => void server.close());
    const post = async (body: string, path = '/context') => {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        method: 'POST',
        body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    for (const name of ['t1', 't2', '']) {
      const answer = await post(JSON.stringify({ context: name }));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: true, context: name });
    }
    expect(forwards).toBe(1);
    expect(pod.execs).toEqual(['9797']); // the token, read once
    expect(seen.filter((s) => s.includes('Bearer s3cret'))).toHaveLength(3);
    expect(lines).toHaveLength(3);
    expect((await post('{"context": 1}')).status).toBe(400);
    expect((await post(JSON.stringify({ context: 'a\nb' }))).body.error).toMatch(
      /control characters/,
    );
    expect((await post('{}', '/flush')).status).toBe(404);
    targets = [];
    // The background listing drops the pod; the next switch finds nothing.
    await expect.poll(() => lines.at(-1), { timeout: 5000 }).toBe('pod e2e/api-1: gone');
    const none = await post(JSON.stringify({ context: 't3' }));
    expect(none.status).toBe(502);
    expect(none.body.error).toBe('no pods with label app=api found; check `selector`');
  });

  it('needs a port and no context name', () => {
    const base = ['--target', 'docker', '--selector', 'api'];
    expect(() => parseCliArgs(['serve', ...base])).toThrow(/`serve` needs `--port`/);
    expect(() => parseCliArgs(['serve', 't1', '--port', '9898', ...base])).toThrow(
      /takes no context name/,
    );
    expect(() => parseCliArgs(['context', 't1', '--port', '9898', ...base])).toThrow(
      /unknown option `--port`/,
    );
    expect(parseCliArgs(['serve', '--port=9898', ...base]).port).toBe(9898);
  });
});
