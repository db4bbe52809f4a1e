// serve's session: the targets found once and looked for again in the background, one relay per
// target kept running (stand-in relays here, speaking the real line contract), joiners switched
// to the current context, gone targets dropped, a broken relay reopened.
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/args.js';
import { startSwitchServer, type SwitchServer } from '../../../src/cli/serve.js';
import { spawnStream, type ExecStream } from '../../../src/targets/exec-stream.js';
import type { Target } from '../../../src/targets/target.js';

/** A relay that confirms every switch by 4 processes; `exitAfter` switches it exits. */
const standInRelay = (exitAfter = 0) => `
import json, sys
print(json.dumps({"event": "ready"}), flush=True)
sys.stdin.readline()  # the modules, which a stand-in does not need
n = 0
for line in sys.stdin:
    ask = json.loads(line)
    n += 1
    if ${exitAfter} and n > ${exitAfter}:
        sys.exit(1)
    print(json.dumps({"event": "result", "id": ask["id"], "ok": True, "processes": 4,
                      "detail": "switched to %r" % ask["context"]}), flush=True)
`;

interface Fake extends Target {
  readonly streams: ExecStream[];
}

function fake(name: string, relay: string | undefined = standInRelay()): Fake {
  const streams: ExecStream[] = [];
  return {
    kind: 'docker',
    id: name,
    label: `container ${name}`,
    streams,
    exec: () => Promise.reject(new Error(`cannot exec in ${name}`)),
    isRunning: async () => true,
    ...(relay === undefined
      ? {}
      : {
          openStream: async () => {
            const stream = spawnStream('python3', ['-u', '-c', relay]);
            streams.push(stream);
            return stream;
          },
        }),
  };
}

const servers: SwitchServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(targets: () => Target[], rediscoverMs = 50) {
  const inputs = parseCliArgs(['serve', '--port', '1', '--target', 'docker', '--selector', 'a=b'], {
    GITHUB_WORKSPACE: '/tmp',
  }).inputs;
  const lines: string[] = [];
  const server = await startSwitchServer(
    inputs,
    0,
    (line) => lines.push(line),
    async () => ({ targets: targets(), searched: 'containers with label a=b', hint: 'check it' }),
    rediscoverMs,
  );
  servers.push(server);
  const post = async (context: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}/context`, {
      method: 'POST',
      body: JSON.stringify({ context }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { lines, post };
}

describe('serve with relays', () => {
  it('switches through one relay per target, joins new targets at the current context, drops gone ones', async () => {
    const a = fake('a');
    const b = fake('b');
    const c = fake('c');
    let listed: Target[] = [a, b];
    const { lines, post } = await serve(() => listed);
    expect(
      lines.filter((l) => l.endsWith("switches through a relay (exec'd once, python3)")),
    ).toHaveLength(2);
    const first = await post('t1');
    expect(first.status).toBe(200);
    expect(first.body.targets).toEqual([
      expect.objectContaining({
        label: 'container a',
        ok: true,
        processes: 4,
        detail: "switched to 't1'",
      }),
      expect.objectContaining({
        label: 'container b',
        ok: true,
        processes: 4,
        detail: "switched to 't1'",
      }),
    ]);
    listed = [a, c];
    await expect.poll(() => lines.includes('container c: joined'), { timeout: 5000 }).toBe(true);
    expect(lines).toContain('container b: gone');
    expect(lines.some((l) => l.startsWith('container c: context "t1" in 4 process(es)'))).toBe(
      true,
    );
    expect((await b.streams[0]?.ended)?.exitCode).toBe(0); // its input ended: nothing left running
    const second = await post('t2');
    expect((second.body.targets as { label: string }[]).map((t) => t.label)).toEqual([
      'container a',
      'container c',
    ]);
    expect(a.streams).toHaveLength(1); // one relay for the whole session
  });

  it('reopens a relay that broke while its target is still listed', async () => {
    const a = fake('a', standInRelay(1));
    const { post } = await serve(() => [a]);
    expect((await post('t1')).status).toBe(200);
    const second = await post('t2');
    expect(second.status).toBe(200);
    expect(a.streams).toHaveLength(2);
  });

  it('reports a target gone, not failed, when its relay broke because it went away', async () => {
    const a = fake('a');
    const b = fake('b', standInRelay(1));
    let listed: Target[] = [a, b];
    // No background listing here: the switch itself finds out.
    const { post } = await serve(() => listed, 600_000);
    expect((await post('t1')).status).toBe(200);
    listed = [a];
    const second = await post('t2');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ ok: true, gone: 1 });
  });

  it('without a relay, says why once and switches the one-shot way', async () => {
    const a = fake('a', 'import sys; sys.exit(7)');
    const { lines, post } = await serve(() => [a]);
    const answer = await post('t1');
    expect(answer.status).toBe(502);
    expect(answer.body.targets).toEqual([
      expect.objectContaining({ label: 'container a', ok: false, detail: 'cannot exec in a' }),
    ]);
    await post('t2');
    expect(
      lines.filter((l) =>
        l.startsWith('pycov-harvest: no relay started in container a (python3: exit 7'),
      ),
    ).toHaveLength(1);
  });

  it('answers 502 while nothing matches, and switches what appears', async () => {
    let listed: Target[] = [];
    const { post } = await serve(() => listed);
    const none = await post('t1');
    expect(none.status).toBe(502);
    expect(none.body.error).toBe('no containers with label a=b found; check it');
    listed = [fake('a')];
    expect((await post('t2')).status).toBe(200);
  });
});
