import { describe, expect, it } from 'vitest';
import { runChain, type MethodRunner } from '../../src/flush/chain.js';
import type { FlushMethod } from '../../src/outcome.js';

function recorder(results: Partial<Record<FlushMethod, boolean | Error>>) {
  const calls: FlushMethod[] = [];
  const runner =
    (method: FlushMethod): MethodRunner =>
    async () => {
      calls.push(method);
      const result = results[method];
      if (result instanceof Error) throw result;
      return { confirmed: result === true, detail: `${method} ${result === true ? 'ok' : 'no'}` };
    };
  return {
    calls,
    runners: { http: runner('http'), signal: runner('signal'), sigterm: runner('sigterm') },
  };
}

describe('runChain', () => {
  it('stops at the first confirmed method', async () => {
    const { calls, runners } = recorder({ http: true, signal: true });
    const result = await runChain(['http', 'signal', 'sigterm'], runners);
    expect(calls).toEqual(['http']);
    expect(result.method).toBe('http');
  });

  it('falls through in the order given, recording each reason', async () => {
    const { calls, runners } = recorder({
      http: false,
      signal: new Error('no agent'),
      sigterm: true,
    });
    const result = await runChain(['signal', 'http', 'sigterm'], runners);
    expect(calls).toEqual(['signal', 'http', 'sigterm']);
    expect(result.method).toBe('sigterm');
    expect(result.attempts.map((a) => [a.method, a.confirmed, a.detail])).toEqual([
      ['signal', false, 'no agent'],
      ['http', false, 'http no'],
      ['sigterm', true, 'sigterm ok'],
    ]);
  });

  it('runs only the methods asked for and reports none confirmed', async () => {
    const { calls, runners } = recorder({ sigterm: true });
    const result = await runChain(['http'], runners);
    expect(calls).toEqual(['http']);
    expect(result.method).toBeNull();
  });

  it('measures from the first trigger with the given clock', async () => {
    let t = 100;
    const { runners } = recorder({ signal: true });
    const result = await runChain(['http', 'signal'], runners, () => (t += 10));
    // start=110; http: began 120, ended 130; signal: began 140, ended 150; total: 160-110
    expect(result.attempts.map((a) => a.ms)).toEqual([10, 10]);
    expect(result.ms).toBe(50);
  });
});
