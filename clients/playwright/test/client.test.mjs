// The Node client against a stand-in for serve (fake-serve.mjs): answers, errors, a bounded start.
//   node --test test/client.test.mjs
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Client, StartError, SwitchError, start } from '../client.mjs';

const fake = fileURLToPath(new URL('./fake-serve.mjs', import.meta.url));
const startFake = (selector, startTimeoutMs = 20_000) =>
  start({ cli: fake, args: ['--target', 'docker', '--selector', selector], startTimeoutMs });

test('a confirmed switch resolves to every target; close stops serve', async () => {
  const client = await startFake('app=api');
  try {
    const targets = await client.switch('spec one');
    assert.deepEqual(
      targets.map((t) => [t.label, t.processes]),
      [
        ['container a', 3],
        ['container b', 1],
      ],
    );
  } finally {
    await client.close();
  }
  assert.notEqual(client.server.exitCode, undefined);
});

test('a switch one target did not confirm names it and its reason', async () => {
  const client = await startFake('app=api');
  try {
    await assert.rejects(client.switch('t refuse'), (error) => {
      assert.ok(error instanceof SwitchError);
      assert.equal(error.status, 502);
      assert.equal(
        error.message,
        'pycov-harvest: the switch to context "t refuse" failed: not confirmed by container b: pid 7: no acknowledgement within 10 s',
      );
      return true;
    });
  } finally {
    await client.close();
  }
});

test('a serve that exits before it is ready is quoted', async () => {
  await assert.rejects(startFake('exit'), (error) => {
    assert.ok(error instanceof StartError);
    assert.match(
      error.message,
      /exited with status 2 before it was ready:\n.*no running containers with label exit found/,
    );
    return true;
  });
});

test('the start is bounded', async () => {
  const began = Date.now();
  await assert.rejects(startFake('silent', 500), /no ready line within 500 ms/);
  assert.ok(Date.now() - began < 15_000);
});

test('no serve at the URL names the fix; a bad name is refused before sending', async () => {
  const client = new Client('http://127.0.0.1:1', { switchTimeoutMs: 2000 });
  await assert.rejects(
    client.clear(),
    /no serve answers at http:\/\/127\.0\.0\.1:1\/context .*start `node dist\/cli\.js serve/,
  );
  await assert.rejects(client.switch('a\nb'), /without control characters/);
  assert.throws(() => new Client('127.0.0.1:9898'), /give the URL serve printed/);
});
