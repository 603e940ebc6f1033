import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryLimiter } from './memory-limiter.js';

/**
 * The shedding wait (arrival-gaps.ts) simulated over 20 s of fake time: a limit of 10 a second, arrivals evenly
 * spaced, every answer instant (a permit is released as soon as it is granted, and cools a window later). Only
 * the last 10 s count, long after the queue has stood long enough to shed (maxWaitMs + a window). Fake timers,
 * unlike the rest of the limiter's tests, since the point is whole seconds of steady state.
 */
const LIMIT = 10;
const INTERVAL = 1000 / LIMIT;

async function simulate(everyMs: number): Promise<{ perSecond: number; longestWaitMs: number }> {
  const limiter = createMemoryLimiter({ windowMs: 1000, marginMs: 0, now: () => Date.now() });
  let granted = 0;
  let longestWaitMs = 0;
  for (let t = 0; t < 20_000; t += everyMs) {
    const arrival = Date.now();
    void limiter
      .acquire({ bucket: 'b', limit: LIMIT, maxWaitMs: 1000, waitForKey: false })
      .then((admission) => {
        if (!admission.ok) return;
        admission.permit.release();
        if (arrival < 10_000) return;
        granted++;
        longestWaitMs = Math.max(longestWaitMs, Date.now() - arrival);
      });
    await vi.advanceTimersByTimeAsync(everyMs);
  }
  await limiter.close();
  return { perSecond: granted / 10, longestWaitMs };
}

/**
 * A flood (1 ms apart) in which the upstream stalls once during the shedding: the answers of every send admitted
 * in that time come back together at its end, so their permits cool down together a window later. Returns when
 * each grant after the stall's echo began went out.
 */
async function grantsAfterAStall(): Promise<number[]> {
  const limiter = createMemoryLimiter({ windowMs: 1000, marginMs: 0, now: () => Date.now() });
  const stall = { from: 8_000, to: 8_300 };
  const held: (() => void)[] = [];
  const grants: number[] = [];
  for (let t = 0; t < 14_000; t++) {
    void limiter
      .acquire({ bucket: 'b', limit: LIMIT, maxWaitMs: 1000, waitForKey: false })
      .then((admission) => {
        if (!admission.ok) return;
        const now = Date.now();
        if (now >= stall.to + 1000) grants.push(now);
        if (now >= stall.from && now < stall.to) held.push(() => admission.permit.release());
        else admission.permit.release();
      });
    if (t === stall.to) for (const release of held.splice(0)) release();
    await vi.advanceTimersByTimeAsync(1);
  }
  await limiter.close();
  return grants;
}

describe('memory limiter while shedding, in steady state', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('at mild overload (1.25x), still uses every permit: a freed one waits for its taker', async () => {
    const { perSecond } = await simulate(0.8 * INTERVAL);
    // Refusing whoever cannot go at once would leave permits unused here: 9.6 a second.
    expect(perSecond).toBeGreaterThanOrEqual(0.99 * LIMIT);
  });

  it('in a flood (20x), uses every permit while an admitted request waits about two arrival gaps, not an interval', async () => {
    const every = INTERVAL / 20;
    const { perSecond, longestWaitMs } = await simulate(every);
    // Waiting up to a whole interval, as before, got 9.2 a second here, with every admitted request waiting ~100 ms.
    expect(perSecond).toBeGreaterThanOrEqual(0.99 * LIMIT);
    // Two gaps of 5 ms, and the millisecond a timer rounds up to.
    expect(longestWaitMs).toBeLessThanOrEqual(2 * every + 1);
  });

  it('keeps sends apart after permits cooled together, every window after, at the same rate', async () => {
    const grants = await grantsAfterAStall();
    const gaps = grants.slice(1).map((at, i) => at - (grants[i] as number));
    // Without a gap kept between grants, the stall's sends went out again a window later as one burst, 1 ms
    // apart (each arrival took the next freed permit), and again every window after.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL / 2);
    // Over the ~4.7 s measured, as many sends as the limit allows.
    expect(grants.length).toBeGreaterThanOrEqual(0.98 * LIMIT * ((14_000 - 9_300) / 1000));
  });
});
