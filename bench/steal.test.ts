import { describe, expect, it } from 'vitest';
import { addTicks, parseCpuTicks, readCpuTicks, stealShare } from './steal.js';

// The head of a real /proc/stat (2 vCPUs); the aggregate line's 8th value (2479) is steal.
const procStat = [
  'cpu  45181 0 7255 109599 100 0 1475 2479 0 0',
  'cpu0 22001 0 3600 55000 50 0 700 1200 0 0',
  'cpu1 23180 0 3655 54599 50 0 775 1279 0 0',
  'intr 123456 0 9 0',
  'ctxt 987654',
].join('\n');

describe('parseCpuTicks', () => {
  it("reads steal and the total of the aggregate line's first eight values, not a per-CPU line", () => {
    expect(parseCpuTicks(procStat)).toEqual({
      steal: 2479,
      total: 45181 + 0 + 7255 + 109599 + 100 + 0 + 1475 + 2479,
    });
  });

  it('answers undefined for text without an aggregate line, or one too short to hold steal', () => {
    expect(parseCpuTicks('cpu0 1 2 3 4 5 6 7 8\nintr 1')).toBeUndefined();
    expect(parseCpuTicks('cpu  1 2 3 4 5 6 7')).toBeUndefined();
  });
});

describe('stealShare', () => {
  it("is steal's share of all ticks between two readings", () => {
    expect(stealShare({ steal: 10, total: 1000 }, { steal: 60, total: 1200 })).toBeCloseTo(0.25);
  });

  it('is NaN when a reading is missing or no tick passed, so a report prints n/a rather than 0%', () => {
    expect(stealShare(undefined, { steal: 1, total: 2 })).toBeNaN();
    expect(stealShare({ steal: 1, total: 5 }, { steal: 1, total: 5 })).toBeNaN();
  });

  it('sums intervals with addTicks, skipping one whose reading is missing', () => {
    let sum = { steal: 0, total: 0 };
    sum = addTicks(sum, { steal: 0, total: 0 }, { steal: 5, total: 100 });
    sum = addTicks(sum, { steal: 100, total: 1000 }, { steal: 115, total: 1100 });
    sum = addTicks(sum, undefined, { steal: 999, total: 9999 });
    expect(sum).toEqual({ steal: 20, total: 200 });
    expect(stealShare({ steal: 0, total: 0 }, sum)).toBeCloseTo(0.1);
  });
});

describe('readCpuTicks', () => {
  it.runIf(process.platform === 'linux')("reads this machine's ticks, which only grow", () => {
    const first = readCpuTicks();
    const second = readCpuTicks();
    expect(first).toBeDefined();
    expect(second?.total).toBeGreaterThanOrEqual(first?.total ?? Number.POSITIVE_INFINITY);
    expect(second?.steal).toBeGreaterThanOrEqual(first?.steal ?? Number.POSITIVE_INFINITY);
  });
});
