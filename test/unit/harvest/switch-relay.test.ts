// The relay serve keeps per target: the real `context_relay` program over a real pipe (its line
// contract, its checks, its end at end of input), and the runner's side against relays that
// answer, break or stay silent.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Relay, RelayBrokenError } from '../../../src/harvest/switch-relay.js';
import { spawnStream, type ExecStream } from '../../../src/targets/exec-stream.js';
import type { Target } from '../../../src/targets/target.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A target whose commands run on this machine (the real program), or `stand-in` instead. */
function target(standIn?: string, opened: ExecStream[] = []): Target {
  return {
    kind: 'docker',
    id: 'local',
    label: 'container local',
    exec: () => Promise.reject(new Error('no exec here')),
    isRunning: async () => true,
    openStream: async (argv) => {
      const [program, ...args] = standIn === undefined ? argv : ['python3', '-u', '-c', standIn];
      const stream = spawnStream(program ?? 'python3', args);
      opened.push(stream);
      return stream;
    },
  };
}

async function open(t: Target, dataDir = '/nonexistent'): Promise<Relay> {
  const relay = await Relay.open(t, dataDir);
  closers.push(() => relay.close());
  return relay;
}

describe('the context_relay program', () => {
  it('answers each line with its id, checks the line, and ends at the end of its input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-'));
    mkdirSync(join(dir, '.pycov-harvest'));
    const opened: ExecStream[] = [];
    const relay = await open(target(undefined, opened), dir);
    expect(relay.python).toBe('python3');
    const [first, second] = await Promise.all([
      relay.switch('test one', 4000),
      relay.switch('test two', 4000),
    ]);
    for (const answer of [first, second])
      expect(answer).toEqual({
        ok: false,
        processes: 0,
        insideMs: expect.any(Number) as number,
        detail: `no agent process is registered in ${dir}; start the service with PYCOV_HARVEST=1 and the agent installed, or set the data dir`,
      });
    opened[0]?.write('{"id": 99, "context": "a\\u0001b", "timeout": 4}\n');
    opened[0]?.write('not json\n');
    await relay.close();
    expect((await opened[0]?.ended)?.exitCode).toBe(0);
  });

  it('refuses a name or a wait the agent would refuse, without exiting', async () => {
    const opened: ExecStream[] = [];
    const relay = await open(target(undefined, opened));
    expect(await relay.switch('x'.repeat(257), 4000)).toMatchObject({
      ok: false,
      detail: '`context` must be a string of at most 256 bytes without control characters',
    });
    expect(await relay.switch('fine', 3_600_001)).toMatchObject({
      ok: false,
      detail: '`timeout` must be seconds in (0, 3600]',
    });
    expect((await relay.switch('fine', 4000)).detail).toMatch(/^no agent process is registered/);
  });
});

describe('the runner side of a relay', () => {
  it('matches answers to switches by id, whatever their order', async () => {
    const relay = await open(
      target(`
import json, sys
print(json.dumps({"event": "ready"}), flush=True)
sys.stdin.readline()  # the modules, which a stand-in does not need
held = []
for line in sys.stdin:
    held.append(json.loads(line))
    if len(held) == 2:
        for ask in reversed(held):
            print(json.dumps({"event": "result", "id": ask["id"], "ok": True, "processes": 4,
                              "detail": "switched to " + ask["context"]}), flush=True)
        held = []
`),
    );
    const [a, b] = await Promise.all([relay.switch('a', 1000), relay.switch('b', 1000)]);
    expect([a.detail, b.detail]).toEqual(['switched to a', 'switched to b']);
    expect(a).toMatchObject({ ok: true, processes: 4 });
  });

  it('turns a relay that exits into RelayBrokenError for the waiting switch and the next', async () => {
    const relay = await open(
      target(`
import json, sys
print(json.dumps({"event": "ready"}), flush=True)
sys.stdin.readline()  # the modules, which a stand-in does not need
sys.stdin.readline()
sys.stderr.write("Traceback ...\\nOSError: the agent went away\\n")
sys.exit(3)
`),
    );
    const failed = relay.switch('a', 1000);
    await expect(failed).rejects.toThrow(RelayBrokenError);
    await expect(failed).rejects.toThrow(
      'the relay in container local exited (status 3: OSError: the agent went away)',
    );
    await expect(relay.switch('b', 1000)).rejects.toThrow(RelayBrokenError);
  });

  it('breaks on a line outside its contract', async () => {
    const relay = await open(
      target(`
import json, sys
print(json.dumps({"event": "ready"}), flush=True)
sys.stdin.readline()  # the modules, which a stand-in does not need
sys.stdin.readline()
print(json.dumps({"event": "result", "id": "one"}), flush=True)
sys.stdin.readline()
`),
    );
    await expect(relay.switch('a', 1000)).rejects.toThrow(
      /the relay in container local printed a line outside its contract/,
    );
  });

  it('says why no relay started', async () => {
    await expect(Relay.open(target('import sys; sys.exit(5)'), '/x')).rejects.toThrow(
      'no relay started in container local (python3: exit 5: (no output); python: exit 5: (no output))',
    );
  });
});
