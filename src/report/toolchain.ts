// Which conversion image and coverage.py version: the services' own, unless the inputs say.
import type { Versions } from '../harvest/types.js';

export interface Toolchain {
  readonly image: string;
  /** The coverage.py version to use; '' when unknown (the image's own is used). */
  readonly coverageVersion: string;
  /** Whether `coverage-version` chose it (else the targets reported it, and may have lied). */
  readonly versionFromInput: boolean;
  readonly warnings: readonly string[];
}

/** A release version as PyPI spells it: what a target reports is checked before pip sees it. */
const RELEASE = /^\d{1,4}\.\d{1,4}(\.\d{1,4})?((a|b|rc)\d{1,4})?(\.post\d{1,4})?(\.dev\d{1,4})?$/;

export function isReleaseVersion(version: string): boolean {
  return RELEASE.test(version);
}

function minorOf(version: string | null): string | undefined {
  return version?.match(/^(\d+\.\d+)/)?.[1];
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Picks the image and coverage version from what the services reported, unless inputs override. */
export function chooseToolchain(
  reported: readonly (Versions | null)[],
  overrides: { coverageImage: string; coverageVersion: string },
): Toolchain {
  const warnings: string[] = [];
  const minors = reported
    .map((v) => minorOf(v?.python ?? null))
    .filter((v): v is string => v !== undefined);
  const claimed = reported
    .map((v) => v?.coverage)
    .filter((v): v is string => typeof v === 'string');
  const coverages = claimed.filter(isReleaseVersion);
  const odd = claimed.length - coverages.length;
  if (odd > 0) {
    warnings.push(
      `${odd} target(s) reported a coverage.py version that is not a release version; it is ignored for choosing the conversion's coverage.py`,
    );
  }
  const minor = mostCommon(minors);
  const coverage = mostCommon(coverages);
  if (new Set(minors).size > 1) {
    warnings.push(
      `the targets run different Python versions (${[...new Set(minors)].join(', ')}); converting with Python ${minor}`,
    );
  }
  if (new Set(coverages).size > 1 && overrides.coverageVersion === '') {
    warnings.push(
      `the targets run different coverage.py versions (${[...new Set(coverages)].join(', ')}); converting with ${coverage}; set \`coverage-version\` to choose`,
    );
  }
  let image = overrides.coverageImage;
  if (image === '') {
    if (minor === undefined) {
      throw new Error(
        'no target reported its Python version, so the conversion image cannot be chosen; set `coverage-image` (e.g. `python:3.12-slim`)',
      );
    }
    image = `python:${minor}-slim`;
  }
  return {
    image,
    coverageVersion: overrides.coverageVersion || coverage || '',
    versionFromInput: overrides.coverageVersion !== '',
    warnings,
  };
}
