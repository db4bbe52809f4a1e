import { describe, expect, it } from 'vitest';
import { noDataMessage, type Harvest } from '../../src/harvest.js';
import type { FlushAttempt } from '../../src/outcome.js';

function harvest(attempts: FlushAttempt[], error?: string): Harvest {
  return {
    outcome: {
      label: 'container api',
      method: null,
      ms: 0,
      files: 0,
      bytes: 0,
      attempts,
      ...(error ? { error } : {}),
    },
    files: [],
    versions: null,
    warnings: [],
  };
}

describe('noDataMessage', () => {
  it('passes on the error when every target failed as a whole', () => {
    expect(
      noDataMessage([harvest([], 'container api has no Python interpreter')], '/coverdata'),
    ).toBe('container api has no Python interpreter');
  });

  it('says what the last flush attempt ran into', () => {
    const message = noDataMessage(
      [
        harvest([
          { method: 'http', confirmed: false, ms: 1, detail: 'no agent registered' },
          { method: 'sigterm', confirmed: false, ms: 3000, detail: 'graceful shutdown hangs' },
        ]),
        harvest([
          { method: 'sigterm', confirmed: false, ms: 3000, detail: 'graceful shutdown hangs' },
        ]),
      ],
      '/data',
    );
    expect(message).toBe(
      'no coverage data found in /data of 2 target(s) (last flush attempt: sigterm: graceful shutdown hangs); check `data-dir` and that the services run with the agent (PYCOV_HARVEST=1) or under `coverage run`',
    );
  });

  it('has no reason to give when a method was confirmed but no file came out', () => {
    const message = noDataMessage(
      [harvest([{ method: 'http', confirmed: true, ms: 5, detail: 'ok' }])],
      '/coverdata',
    );
    expect(message).toBe(
      'no coverage data found in /coverdata of 1 target(s); check `data-dir` and that the services run with the agent (PYCOV_HARVEST=1) or under `coverage run`',
    );
  });
});
