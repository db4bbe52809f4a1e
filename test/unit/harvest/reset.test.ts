// The `reset` input on one target's harvest: the http flush asks the agent for a reset (through a
// port-forward and from inside the target alike), and a save by another method says that no fresh
// window started.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harvestTarget } from '../../../src/harvest/harvest-target.js';
import type { HarvestSettings } from '../../../src/harvest/settings.js';
import {
  agentStream,
  confirmingAgent,
  coverageDataDir,
  harvestSettings,
  MAKE_DB,
  PYTHON,
  routedPod,
  saveSignalServer,
  standInAgent,
} from '../../support/agent-stand-ins.js';
import { LocalTarget } from '../../support/local-target.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const settings = (dataDir: string, overrides: Partial<HarvestSettings> = {}) =>
  harvestSettings(dataDir, { reset: true, ...overrides });
const dataDir = () => coverageDataDir('reset-');

describe('reset', () => {
  it('the flush through a port-forward asks the agent for a reset', async () => {
    const dir = dataDir();
    execFileSync(PYTHON, ['-c', MAKE_DB(join(dir, '.coverage.api.pid7.Xa'))]);
    const { port, seen } = await standInAgent(undefined, confirmingAgent(agentStream(dir)));
    const target = routedPod(port);
    const harvest = await harvestTarget(target, {
      settings: settings(dir),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome).toMatchObject({ method: 'http', files: 1 });
    expect(seen).toContain('POST /pycov-harvest/flush - {"timeout":3,"reset":true}');
    expect(target.execs).toEqual([]);
    expect(harvest.outcome.attempts[0]?.detail).toContain('acknowledged flush #3 (reset)');
    expect(harvest.warnings).toEqual([]);
  });

  it('a save by the save signal warns that no fresh window started', async () => {
    const dir = dataDir();
    const target = new LocalTarget();
    cleanups.push(() => target.stop());
    await saveSignalServer(target, dir);
    const harvest = await harvestTarget(target, {
      settings: settings(dir),
      destDir: mkdtempSync(join(tmpdir(), 'dest-')),
      log: () => undefined,
    });
    expect(harvest.outcome.method).toBe('signal');
    expect(harvest.warnings).toEqual([
      `${target.label}: \`reset\` needs the \`http\` method, but signal saved the data, so no fresh window started there and its next harvest holds this one's data too; keep the agent's listener on (PYCOV_HARVEST_PORT)`,
    ]);
  });
});
