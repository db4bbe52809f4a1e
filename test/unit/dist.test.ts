// dist/ is what action.yml runs: it must be exactly what src/ bundles to today.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('dist/', () => {
  it('equals a fresh bundle of src/ (run `node scripts/bundle.mjs` and commit dist/)', () => {
    const out = mkdtempSync(join(tmpdir(), 'bundle-'));
    execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs'), out], {
      cwd: root,
      stdio: 'pipe',
    });
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
        .sort();
    expect(files(join(root, 'dist')), 'dist/ has other files than a fresh bundle').toEqual(
      files(out),
    );
    for (const file of files(out)) {
      const fresh = readFileSync(join(out, file), 'utf8');
      const committed = readFileSync(join(root, 'dist', file), 'utf8');
      expect(committed === fresh, `dist/${file} is stale: run \`node scripts/bundle.mjs\``).toBe(
        true,
      );
    }
  }, 60_000);
});
