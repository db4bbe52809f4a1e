// Crafted archives: the extractor must refuse anything that could escape or surprise.
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFiles, parseTar } from '../../../src/harvest/extract.js';
import { safeEntryName } from '../../../src/harvest/tar-reader.js';
import { pax, tar } from '../../support/tar-craft.js';

const MAX = 1024 * 1024;

describe('parseTar', () => {
  it('reads regular files and directories and strips ./', () => {
    const entries = parseTar(
      tar([
        { name: './', type: '5' },
        { name: './.coverage.a', data: 'one', mtime: 1_700_000_123 },
        { name: './.pycov-harvest/', type: '5' },
        { name: './.pycov-harvest/ack.json', data: '{}' },
      ]),
      MAX,
    );
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ['', 'directory'],
      ['.coverage.a', 'file'],
      ['.pycov-harvest', 'directory'],
      ['.pycov-harvest/ack.json', 'file'],
    ]);
    expect(entries[1]?.data.toString()).toBe('one');
    expect(entries[1]?.mtime).toBe(1_700_000_123);
  });

  it('uses pax path and fractional mtime records', () => {
    const entries = parseTar(
      tar([
        {
          name: 'PaxHeader',
          type: 'x',
          data: pax({ path: '.coverage.long', mtime: '1700000000.75' }),
        },
        { name: 'ignored', data: 'x' },
      ]),
      MAX,
    );
    expect(entries[0]).toMatchObject({ name: '.coverage.long', mtime: 1700000000.75 });
  });

  it('joins the ustar prefix', () => {
    expect(parseTar(tar([{ name: 'b', prefix: 'a', data: '1' }]), MAX)[0]?.name).toBe('a/b');
  });

  it.each([
    [{ name: '../evil', data: 'x' }, 'entry name with `..`'],
    [{ name: 'a/../../evil', data: 'x' }, 'entry name with `..`'],
    [{ name: '/etc/passwd', data: 'x' }, 'absolute entry name'],
    [
      { name: '.coverage', type: '2', linkname: '/etc/passwd' },
      'symbolic link ".coverage" in the archive',
    ],
    [{ name: '.coverage', type: '1', linkname: 'other' }, 'hard link ".coverage" in the archive'],
    [{ name: 'dev', type: '3' }, 'character device "dev" in the archive'],
    [{ name: 'dev', type: '4' }, 'block device "dev" in the archive'],
    [{ name: 'fifo', type: '6' }, 'FIFO "fifo" in the archive'],
  ])('rejects %j', (entry, message) => {
    expect(() => parseTar(tar([entry]), MAX)).toThrow(message);
  });

  it('rejects a pax path that escapes', () => {
    const archive = tar([
      { name: 'h', type: 'x', data: pax({ path: '../../x' }) },
      { name: 'fine', data: 'x' },
    ]);
    expect(() => parseTar(archive, MAX)).toThrow('entry name with `..`');
  });

  it('caps the total size of the files', () => {
    const archive = tar([
      { name: 'a', data: 'x'.repeat(600) },
      { name: 'b', data: 'x'.repeat(600) },
    ]);
    expect(() => parseTar(archive, 1000)).toThrow('archive holds more than 1000 bytes');
    expect(parseTar(archive, 1200)).toHaveLength(2);
  });

  it('rejects text that is not a tar stream and truncated streams', () => {
    expect(() => parseTar(Buffer.from('Error: no such container\n'.padEnd(600, ' ')), MAX)).toThrow(
      'not a tar stream',
    );
    const whole = tar([{ name: 'a', data: 'x'.repeat(2000) }]);
    expect(() => parseTar(whole.subarray(0, 1024), MAX)).toThrow('truncated tar stream');
  });

  it('rejects backslashes and NUL in names', () => {
    expect(() => safeEntryName('..\\evil')).toThrow('unsafe entry name');
  });
});

describe('extractFiles', () => {
  it('writes only the selected files, with their mtimes, into the directory', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'extract-')), 'target');
    const entries = parseTar(
      tar([
        { name: './.coverage.x', data: 'data', mtime: 1_700_000_000 },
        { name: './.coverage.x-journal', data: 'j' },
        { name: './.pycov-harvest/proc.json', data: '{}' },
      ]),
      MAX,
    );
    const written = await extractFiles(entries, dir, (e) =>
      e.name.startsWith('.coverage') && !e.name.endsWith('-journal') ? e.name : undefined,
    );
    expect(written).toEqual([{ path: join(dir, '.coverage.x'), bytes: 4, mtime: 1_700_000_000 }]);
    expect(readdirSync(dir)).toEqual(['.coverage.x']);
    expect(readFileSync(join(dir, '.coverage.x'), 'utf8')).toBe('data');
    expect(statSync(join(dir, '.coverage.x')).mtimeMs).toBe(1_700_000_000_000);
  });

  it('refuses output names that are paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-'));
    const entries = parseTar(tar([{ name: 'a', data: 'x' }]), MAX);
    await expect(extractFiles(entries, dir, () => '../a')).rejects.toThrow(
      'refusing to write "../a"',
    );
  });
});
