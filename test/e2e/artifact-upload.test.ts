// uploadReports through the real @actions/artifact client (Twirp + @azure/storage-blob) to a
// real server speaking the v4 upload protocol; what arrived is unzipped and compared byte for byte.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { uploadReports } from '../../src/publish/artifact.js';
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.js';
import { zipFiles } from '../support/zip.js';

const RUNNER_ENV = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'example/service',
  GITHUB_RUN_ID: '4242',
};

let server: ArtifactServer;
let reports: string;

beforeAll(async () => {
  server = await startArtifactServer();
  // Reports as the action leaves them in output-dir: real coverage.py JSON, a big incompressible
  // file (more than one 8 MiB block), a nested HTML directory, an empty file.
  reports = mkdtempSync(join(tmpdir(), 'artifact-reports-'));
  cpSync(
    join(import.meta.dirname, '..', 'unit', 'fixtures', 'coverage-json', 'branch-7.6.1.json'),
    join(reports, 'coverage.json'),
  );
  writeFileSync(join(reports, '.coverage'), randomBytes(20 * 1024 * 1024 + 123));
  mkdirSync(join(reports, 'html', 'assets'), { recursive: true });
  writeFileSync(join(reports, 'html', 'index.html'), '<html><body>coverage</body></html>\n');
  writeFileSync(join(reports, 'html', 'assets', 'style.css'), 'body { color: #333 }\n');
  writeFileSync(join(reports, 'coverage.lcov'), '');
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  for (const [key, value] of Object.entries({ ...RUNNER_ENV, ...server.env })) {
    vi.stubEnv(key, value);
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('uploadReports to a v4 artifact server', () => {
  it('uploads every file, directories included, and the zip arrives intact', async () => {
    const files = ['coverage.json', '.coverage', 'html', 'coverage.lcov'].map((f) =>
      join(reports, f),
    );
    const result = await uploadReports('python-coverage', files, reports);

    const artifact = server.finalized('python-coverage');
    expect(result).toEqual({
      id: artifact.id,
      url: `https://github.com/example/service/actions/runs/4242/artifacts/${artifact.id}`,
    });
    expect(artifact.runBackendId).toBe(server.runBackendId);
    expect(artifact.jobBackendId).toBe(server.jobBackendId);
    expect(artifact.mimeType).toBe('application/zip');

    // The 20 MiB of random data cannot shrink below three 8 MiB blocks.
    const stageRequests = server.requests.filter((r) => r.includes('comp=block '));
    expect(stageRequests.length).toBeGreaterThanOrEqual(3);
    expect(artifact.committedBlocks).toHaveLength(stageRequests.length);
    expect(server.requests.filter((r) => r.includes('comp=blocklist 201'))).toHaveLength(1);

    const zip = artifact.content ?? Buffer.alloc(0);
    expect(artifact.declaredSize).toBe(zip.length);
    expect(artifact.declaredHash).toBe(`sha256:${createHash('sha256').update(zip).digest('hex')}`);

    const arrived = zipFiles(zip);
    expect([...arrived.keys()].sort()).toEqual([
      '.coverage',
      'coverage.json',
      'coverage.lcov',
      'html/assets/style.css',
      'html/index.html',
    ]);
    for (const [name, bytes] of arrived) {
      expect(bytes.equals(readFileSync(join(reports, name))), name).toBe(true);
    }

    // An independent reader agrees: Python's zipfile tests every member's CRC.
    const zipPath = join(mkdtempSync(join(tmpdir(), 'artifact-zip-')), 'a.zip');
    writeFileSync(zipPath, zip);
    const listing = execFileSync('python3', ['-m', 'zipfile', '-t', zipPath], { encoding: 'utf8' });
    expect(listing).toContain('Done testing');
  });

  it('says the name is taken and what to change when the run already has that artifact', async () => {
    const file = join(reports, 'coverage.json');
    await uploadReports('per-job', [file], reports);
    await expect(uploadReports('per-job', [file], reports)).rejects.toThrow(
      /Uploading artifact "per-job" failed: .*\(409\).*already exists in this workflow run: give each job its own `artifact-name`/,
    );
  });

  it('reports a token the service rejects', async () => {
    const [header, claims] = server.runtimeToken.split('.');
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', `${header}.${claims}.forged`);
    await expect(
      uploadReports('forged', [join(reports, 'coverage.json')], reports),
    ).rejects.toThrow(/Uploading artifact "forged" failed: .*\(401\).*invalid runtime token/);
    expect(server.artifacts.some((a) => a.name === 'forged')).toBe(false);
  });

  it('rejects a report that does not exist before contacting the service', async () => {
    const before = server.requests.length;
    await expect(
      uploadReports('missing', [join(reports, 'coverage.xml')], reports),
    ).rejects.toThrow(`Cannot upload ${join(reports, 'coverage.xml')}: it does not exist`);
    expect(server.requests.length).toBe(before);
  });
});
