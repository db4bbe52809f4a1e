import { describe, expect, it } from 'vitest';
import { mapPool } from '../../../src/shared/pool.js';

describe('mapPool', () => {
  it('runs at most `limit` at once and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapPool([5, 1, 4, 2, 3, 0, 6], 3, async (delay, index) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, delay * 5));
      running--;
      return `${index}:${delay}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(most).toBe(3);
  });

  it('handles fewer items than the limit, and none', async () => {
    expect(await mapPool([1], 8, async (x) => x * 2)).toEqual([2]);
    expect(await mapPool([], 8, async (x: number) => x)).toEqual([]);
  });
});
