// Unit tests see the environment a GitHub runner gives a step, pointed at a scratch directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scratch = mkdtempSync(join(tmpdir(), 'pycov-harvest-unit-'));
process.env.GITHUB_WORKSPACE ??= scratch;
process.env.RUNNER_TEMP ??= join(scratch, 'runner-temp');
process.env.GITHUB_REPOSITORY ??= 'example/service';
process.env.GITHUB_RUN_ID ??= '1';
process.env.GITHUB_SHA ??= '0000000000000000000000000000000000000000';
