// The runner's side of a copy-out from a hostile target: crafted streams against every bound of
// limits.ts, names that are workflow commands, and a stopped target's data directory with links,
// devices and FIFOs planted in it (what `docker cp` sends).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataReceiver } from '../../../src/harvest/archive.js';
import { copyFromOutside } from '../../../src/harvest/copy-outside.js';
import { ByteBudget } from '../../../src/harvest/byte-budget.js';
import { harvestTarget } from '../../../src/harvest/harvest-target.js';
import {
  MAX_DATA_FILE_BYTES,
  MAX_DATA_FILES_PER_TARGET,
  MAX_ENTRIES_PER_STREAM,
} from '../../../src/harvest/limits.js';
import type { Target } from '../../../src/targets/target.js';
import { harvestSettings } from '../../support/agent-stand-ins.js';
import { packed, pax, tar } from '../../support/tar-craft.js';

const dest = () => mkdtempSync(join(tmpdir(), 'archive-'));

function receive(
  stream: Buffer,
  via: 'agent' | 'pack' | 'copy' = 'agent',
  budget?: ByteBudget,
): DataReceiver {
  const receiver = new DataReceiver(
    dest(),
    { maxBytes: 1 << 24, ...(budget === undefined ? {} : { budget }) },
    'container api',
    via,
    '/coverdata',
  );
  receiver.push(stream);
  return receiver;
}

describe('DataReceiver against a hostile stream', () => {
  it('keeps a file whose name is a workflow command under a name of its own', () => {
    const name = '.coverage.x\n::error title=PWN::PWN';
    const dir = dest();
    const receiver = new DataReceiver(dir, { maxBytes: 1 << 24 }, 'container api', 'agent');
    receiver.push(
      packed([
        { name, data: 'one' },
        { name: '.coverage.real', data: 'two' },
      ]),
    );
    const received = receiver.finish();
    expect(readdirSync(dir).sort()).toEqual(['.coverage.real', '.coverage.renamed-1']);
    expect(received.renamed).toEqual([{ sent: name, kept: '.coverage.renamed-1' }]);
  });

  it(`refuses a stream with more than ${MAX_DATA_FILES_PER_TARGET} data files`, () => {
    const files = Array.from({ length: MAX_DATA_FILES_PER_TARGET + 1 }, (_, i) => ({
      name: `.coverage.tiny-${i}`,
      data: 'x',
    }));
    const receiver = receive(packed(files));
    expect(receiver.failed).toBe(true);
    expect(() => receiver.finish()).toThrow(
      `the archive holds more than ${MAX_DATA_FILES_PER_TARGET} data files, the bound of one target`,
    );
  }, 60_000);

  it(`refuses a stream with more than ${MAX_ENTRIES_PER_STREAM} entries, kept or not`, () => {
    const entries = Array.from({ length: MAX_ENTRIES_PER_STREAM + 1 }, (_, i) => ({
      name: `d${i}/`,
      type: '5',
    }));
    expect(() => receive(tar(entries)).finish()).toThrow(
      `the archive holds more than ${MAX_ENTRIES_PER_STREAM} entries`,
    );
  }, 60_000);

  it('refuses an entry that announces more than one data file may hold, naming it', () => {
    const stream = tar([
      { name: 'h', type: 'x', data: pax({ size: String(2 ** 40) }) },
      { name: '.coverage.PWN-huge\n::error::x', data: '' },
    ]);
    expect(() => receive(stream).finish()).toThrow(
      `entry ".coverage.PWN-huge\\n::error::x" announces 1099511627776 bytes, over the ${MAX_DATA_FILE_BYTES}-byte bound of one data file`,
    );
  });

  it('names at most five files that do not match the manifest, quoted', () => {
    const files = Array.from({ length: 7 }, (_, i) => ({ name: `.coverage.${i}\n::x`, data: 'x' }));
    const good = packed(files);
    const lying = tar([
      ...files.map((f) => ({ name: f.name, data: 'y' })),
      {
        name: '.pycov-harvest-manifest.json',
        data: good.subarray(good.indexOf('{"version"')).toString('utf8').replace(/\0+$/, ''),
      },
    ]);
    expect(() => receive(lying).finish()).toThrow(
      /^7 data file\(s\) from container api do not match their manifest \("\.coverage\.0\\n::x", ".*" and 2 more\)/,
    );
  });

  it('charges every target to the run’s budget and gives back what it does not keep', () => {
    const budget = new ByteBudget(10);
    const first = receive(packed([{ name: '.coverage.a', data: '12345678' }]), 'agent', budget);
    const second = receive(packed([{ name: '.coverage.b', data: '12345' }]), 'agent', budget);
    expect(() => second.finish()).toThrow(
      'entry ".coverage.b" would take the data of all targets past 10 bytes, the bound of one run',
    );
    first.discard();
    expect(() =>
      receive(packed([{ name: '.coverage.c', data: '12345' }]), 'agent', budget).finish(),
    ).not.toThrow();
  });
});

/** A stopped container whose `docker cp` sends `stream`. */
function stoppedContainer(stream: Buffer): Target {
  return {
    kind: 'docker',
    id: 'stopped',
    label: 'container stopped',
    exec: () => Promise.reject(new Error('a stopped container runs nothing')),
    isRunning: async () => false,
    copyFromOutside: async (_path, _max, onChunk) => onChunk(stream),
  };
}

describe('a stopped target with links, devices and FIFOs planted in its data directory', () => {
  const planted = tar([
    { name: './', type: '5' },
    { name: './.coverage.real', data: 'SQLite format 3\0 and the rest' },
    { name: './.coverage.PWN-symlink', type: '2', linkname: '/etc/passwd' },
    { name: './.coverage.PWN-hardlink', type: '1', linkname: '.coverage.real' },
    { name: './.coverage.PWN-device', type: '3' },
    { name: './.coverage.PWN-fifo', type: '6' },
    { name: './.pycov-harvest/', type: '5' },
    { name: './.pycov-harvest/proc-1.json', type: '2', linkname: '/etc/shadow' },
  ]);

  it('copies the real file and leaves the rest, each with its reason', async () => {
    const dir = dest();
    const received = await copyFromOutside(
      stoppedContainer(planted),
      { dataDir: '/coverdata', maxBytes: 1 << 20 },
      dir,
    );
    expect(readdirSync(dir)).toEqual(['.coverage.real']);
    expect(received.skipped).toEqual([
      { name: '.coverage.PWN-symlink', size: 0, reason: 'a symbolic link' },
      { name: '.coverage.PWN-hardlink', size: 0, reason: 'a hard link' },
      { name: '.coverage.PWN-device', size: 0, reason: 'a character device' },
      { name: '.coverage.PWN-fifo', size: 0, reason: 'a FIFO' },
    ]);
  });

  it('refuses a copy with an entry that escapes, in one sentence', async () => {
    await expect(
      copyFromOutside(
        stoppedContainer(tar([{ name: './../../etc/cron.d/pwn', data: 'x' }])),
        { dataDir: '/coverdata', maxBytes: 1 << 20 },
        dest(),
      ),
    ).rejects.toThrow(
      'refused the copy of the data directory (entry name with `..`: "./../../etc/cron.d/pwn"); its data is left out, check what was planted in its data directory',
    );
  });

  it('the harvest keeps the target’s data and says what stayed, one warning per reason', async () => {
    const harvest = await harvestTarget(stoppedContainer(planted), {
      settings: harvestSettings('/coverdata'),
      destDir: dest(),
      log: () => undefined,
    });
    expect(harvest.outcome.error).toBeUndefined();
    expect(harvest.files).toHaveLength(1);
    expect(harvest.warnings).toContain(
      'container stopped: data file ".coverage.PWN-symlink" (0 bytes) was not copied: a symbolic link',
    );
  });
});
