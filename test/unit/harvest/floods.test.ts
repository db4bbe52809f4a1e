// A data directory flooded by a hostile target, read by the real in-target packer: 20,000 junk
// files give a few warnings with counts, and a file over the bound of one data file stays in the
// target with that reason instead of failing the whole copy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harvestTarget } from '../../../src/harvest/harvest-target.js';
import { MAX_DATA_FILE_BYTES } from '../../../src/harvest/limits.js';
import { skippedWarnings } from '../../../src/harvest/skipped.js';
import {
  coverageDataDir,
  harvestSettings,
  MAKE_DB,
  PYTHON,
} from '../../support/agent-stand-ins.js';
import { LocalTarget } from '../../support/local-target.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('a flooded data directory', () => {
  it('copies the real file, and names the junk and the huge file in a few warnings', async () => {
    const dir = coverageDataDir();
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.real'))]);
    for (let i = 0; i < 20_000; i++)
      writeFileSync(join(dir, `.coverage.PWN-tiny-${i}`), 'tiny junk');
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.PWN-huge'))]);
    truncateSync(join(dir, '.coverage.PWN-huge'), MAX_DATA_FILE_BYTES + 4096); // sparse
    const target = new LocalTarget();
    cleanups.push(() => target.stop());
    const harvest = await harvestTarget(target, {
      settings: harvestSettings(dir, { methods: ['http'] }),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome.error).toBeUndefined();
    expect(harvest.files.map((f) => f.path.split('/').pop())).toEqual(['.coverage.real']);
    const about = harvest.warnings.filter((w) => w.includes('PWN'));
    expect(about).toEqual([
      `container local: data file ".coverage.PWN-huge" (${MAX_DATA_FILE_BYTES + 4096} bytes) was not copied: larger than ${MAX_DATA_FILE_BYTES} bytes (the bound for one data file)`,
      'container local: 20000 data files were not copied, not an SQLite database (no SQLite header): ".coverage.PWN-tiny-0", ".coverage.PWN-tiny-1", ".coverage.PWN-tiny-10", ".coverage.PWN-tiny-100", ".coverage.PWN-tiny-1000" and 19995 more',
    ]);
  }, 60_000);
});

describe('skippedWarnings', () => {
  it('gives one warning per reason for at most five reasons, then counts the rest', () => {
    const skipped = Array.from({ length: 40 }, (_, i) => ({
      name: `.coverage.${i}\n::error::x`,
      size: 1,
      reason: `reason ${i % 8}\n::warning::y`,
    }));
    const warnings = skippedWarnings('pod a', skipped);
    expect(warnings).toHaveLength(6);
    expect(warnings[0]).toBe(
      'pod a: 5 data files were not copied, reason 0\\n::warning::y: ".coverage.0\\n::error::x", ".coverage.8\\n::error::x", ".coverage.16\\n::error::x", ".coverage.24\\n::error::x", ".coverage.32\\n::error::x"',
    );
    expect(warnings[5]).toBe('pod a: 15 more data file(s) were not copied, for 3 other reasons');
  });
});
