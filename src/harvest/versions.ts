// The versions a target reports (its agent's status, a registration, the probe) choose the
// conversion's image and coverage.py, so they are checked before anything uses them: a version
// that is not one is ignored with one warning, and never reaches a log line raw.
import { quoted } from '../shared/text.js';
import type { Versions } from './types.js';

/** CPython as `platform.python_version()` gives it: 3.12.1, 3.13.0rc2, 3.14.0a1+. */
const PYTHON_VERSION = /^\d{1,2}\.\d{1,3}\.\d{1,3}((a|b|rc)\d{1,3})?\+?$/;
/** A coverage.py release as PyPI spells it: 7.6.1, 7.0.0b1, 6.5.0.post1. */
const COVERAGE_VERSION =
  /^\d{1,4}\.\d{1,4}(\.\d{1,4})?((a|b|rc)\d{1,4})?(\.post\d{1,4})?(\.dev\d{1,4})?$/;

/** The reported versions with every one that is not a version set to null, and why. */
export function checkedVersions(
  versions: Versions | null,
  label: string,
): { versions: Versions | null; warnings: string[] } {
  if (versions === null) return { versions, warnings: [] };
  const warnings: string[] = [];
  const check = (value: string | null, pattern: RegExp, what: string): string | null => {
    if (value === null || pattern.test(value)) return value;
    warnings.push(
      `${label} reports ${what} version ${quoted(value, 60)}, which is not a version; it is ignored for choosing the conversion's toolchain`,
    );
    return null;
  };
  return {
    versions: {
      python: check(versions.python, PYTHON_VERSION, 'Python'),
      coverage: check(versions.coverage, COVERAGE_VERSION, 'coverage.py'),
    },
    warnings,
  };
}

/** A Python version for a log line: as reported when it is one, else quoted. */
export function shownPython(version: string): string {
  return PYTHON_VERSION.test(version) ? version : quoted(version, 60);
}
