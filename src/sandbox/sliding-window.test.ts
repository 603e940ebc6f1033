import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window.js';

/** The busiest span of `windowMs` holding `at`, counted the slow way over every event recorded so far. */
function busiestHolding(times: number[], at: number, windowMs: number): number {
  let busiest = 0;
  for (const end of times) {
    if (end < at || end - windowMs >= at) continue;
    busiest = Math.max(busiest, times.filter((t) => t > end - windowMs && t <= end).length);
  }
  return busiest;
}

describe('SlidingWindow', () => {
  it('counts the events of the last window, this one included', () => {
    const w = new SlidingWindow(1000);
    expect(w.hit(0)).toBe(1);
    expect(w.hit(500)).toBe(2);
    expect(w.hit(999)).toBe(3);
    expect(w.hit(1000)).toBe(3);
    expect(w.hit(1500)).toBe(3);
    expect(w.hit(2600)).toBe(1);
  });

  it('judges an event handled late by every span that holds it, not only the one ending at it', () => {
    const w = new SlidingWindow(1000);
    for (let t = 100; t < 300; t += 50) w.hit(t);
    // Arrived at 50, handled after the four above: the span (−950, 50] holds only it, (−700, 300] all five.
    expect(w.hit(50)).toBe(5);
    expect(w.hit(1120)).toBe(4);
  });

  it('agrees with counting every span by hand, in and out of order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 900 })), {
          maxLength: 60,
        }),
        (steps) => {
          const w = new SlidingWindow(1000);
          const seen: number[] = [];
          let clock = 0;
          for (const [advance, lateBy] of steps) {
            clock += advance % 400;
            // Arrivals are handled at most 900 ms after they arrive, some of them out of order.
            const at = Math.max(0, clock - lateBy);
            seen.push(at);
            expect(w.hit(at)).toBe(busiestHolding(seen, at, 1000));
          }
        },
      ),
    );
  });

  it('forgets what no span can need, so it stays small over a long run', () => {
    const w = new SlidingWindow(1000);
    for (let t = 0; t < 100_000; t += 1) w.hit(t);
    expect(w.hit(100_000)).toBe(1000);
    expect((w as unknown as { times: number[] }).times.length).toBeLessThan(5000);
  });
});
