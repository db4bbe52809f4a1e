// The test images' one coverage.py: every requirements file pins versions.env's COVERAGE_VERSION, so
// no e2e case converts data measured with another coverage.py than the conversion image's by accident.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const imagesDir = join(import.meta.dirname, '../images');

function versionsEnv(key: string): string {
  const line = readFileSync(join(imagesDir, 'versions.env'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new Error(`versions.env has no ${key}`);
  return line.slice(key.length + 1).trim();
}

describe('test image pins', () => {
  const files = readdirSync(imagesDir).filter((f) => /^requirements-.*\.txt$/.test(f));

  it('finds the requirements files', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s pins coverage to versions.env', (file) => {
    const pins = readFileSync(join(imagesDir, file), 'utf8')
      .split('\n')
      .filter((l) => /^coverage==/.test(l));
    expect(pins).toEqual([`coverage==${versionsEnv('COVERAGE_VERSION')}`]);
  });

  it('the newest Pythons get the same coverage', () => {
    expect(versionsEnv('NEWEST_COVERAGE_VERSION')).toBe(versionsEnv('COVERAGE_VERSION'));
  });
});
