// The e2e image settings, read from test/images/versions.env (the images helper's one source).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const imagesDir = join(repoRoot, 'test/images');

function readEnv(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) values[match[1]] = match[2] ?? '';
  }
  return values;
}

const env = readEnv(join(imagesDir, 'versions.env'));

function value(key: string): string {
  const found = env[key];
  if (found === undefined || found === '')
    throw new Error(`test/images/versions.env has no ${key}`);
  return found;
}

/** See suffix_image_tags in test/images/lib.sh. */
const tagSuffix = process.env.PYCOV_HARVEST_IMAGE_TAG_SUFFIX ?? '';

export const images = {
  service: value('SERVICE_IMAGE') + tagSuffix,
  serviceLatest: value('SERVICE_LATEST_IMAGE') + tagSuffix,
  uvicornLatest: value('UVICORN_LATEST_VERSION'),
  coverage: value('COVERAGE_IMAGE') + tagSuffix,
  coverageVersion: value('COVERAGE_VERSION'),
  pythonMinor: value('PYTHON_MINOR'),
  servicePy314: value('SERVICE_PY314_IMAGE') + tagSuffix,
  servicePy315: value('SERVICE_PY315_IMAGE') + tagSuffix,
  coveragePy314: value('COVERAGE_PY314_IMAGE') + tagSuffix,
  coveragePy315: value('COVERAGE_PY315_IMAGE') + tagSuffix,
  /** The first users' stack: uvicorn `uvicornVersion` on CPython 3.12 and 3.13, newest coverage. */
  servicePy312: value('SERVICE_PY312_IMAGE') + tagSuffix,
  servicePy313: value('SERVICE_PY313_IMAGE') + tagSuffix,
  coveragePy312: value('COVERAGE_PY312_IMAGE') + tagSuffix,
  coveragePy313: value('COVERAGE_PY313_IMAGE') + tagSuffix,
  uvicornVersion: value('UVICORN_VERSION'),
  newestCoverageVersion: value('NEWEST_COVERAGE_VERSION'),
  /** The web-framework apps (test/images/flask, test/images/django): gunicorn, the agent on. */
  flask: value('FLASK_IMAGE') + tagSuffix,
  django: value('DJANGO_IMAGE') + tagSuffix,
  djangoPlugin: value('DJANGO_PLUGIN_IMAGE') + tagSuffix,
  servicePort: Number(value('SERVICE_PORT')),
  dataDir: value('DATA_DIR'),
  appDir: value('APP_DIR'),
};

/** The sample app's sources on the runner side (what a checkout would hold). */
export const appSourceDir = join(imagesDir, 'app/src');

/** Line number of the line ending in `# cov:<marker>` in an app source file. */
export function markerLine(file: string, marker: string): number {
  const lines = readFileSync(join(appSourceDir, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.trimEnd().endsWith(`# cov:${marker}`));
  if (index < 0) throw new Error(`no line marked cov:${marker} in ${file}`);
  return index + 1;
}
