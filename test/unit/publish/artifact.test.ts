// The checks uploadReports makes before it contacts the results service. The upload itself is
// proven against a real v4 artifact server in test/e2e/artifact-upload.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uploadReports } from '../../../src/publish/artifact.js';

const dir = mkdtempSync(join(tmpdir(), 'artifact-unit-'));
writeFileSync(join(dir, 'coverage.lcov'), 'end_of_record\n');

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('uploadReports before any request', () => {
  it('names the one runtime variable that is missing and suggests upload: false', async () => {
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'token');
    vi.stubEnv('ACTIONS_RESULTS_URL', undefined);
    await expect(uploadReports('cov', [join(dir, 'coverage.lcov')], dir)).rejects.toThrow(
      'Cannot upload the artifact: ACTIONS_RESULTS_URL is not set. GitHub sets them for steps of a workflow job on a runner; outside one, set `upload: false` (the reports stay in `output-dir`).',
    );
  });

  it('refuses an empty list of reports with what to check', async () => {
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'token');
    vi.stubEnv('ACTIONS_RESULTS_URL', 'http://127.0.0.1:9/');
    await expect(uploadReports('cov', [], dir)).rejects.toThrow(
      'Nothing to upload as artifact "cov": no report files were written. Check `formats`, or set `upload: false`.',
    );
  });

  it('says which report is missing', async () => {
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'token');
    vi.stubEnv('ACTIONS_RESULTS_URL', 'http://127.0.0.1:9/');
    await expect(uploadReports('cov', [join(dir, 'coverage.xml')], dir)).rejects.toThrow(
      `Cannot upload ${join(dir, 'coverage.xml')}: it does not exist (a report that was not written?).`,
    );
  });

  it('on GitHub Enterprise Server (no v4 artifacts) says to upload output-dir another way', async () => {
    vi.stubEnv('ACTIONS_RUNTIME_TOKEN', 'token');
    vi.stubEnv('ACTIONS_RESULTS_URL', 'http://127.0.0.1:9/');
    vi.stubEnv('GITHUB_SERVER_URL', 'https://ghe.example.com');
    await expect(uploadReports('cov', [join(dir, 'coverage.lcov')], dir)).rejects.toThrow(
      /^Uploading artifact "cov" failed: .*not currently supported on GHES.*Set `upload: false` and upload `output-dir`/,
    );
  });
});
