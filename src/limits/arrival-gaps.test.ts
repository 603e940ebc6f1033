import { describe, expect, it } from 'vitest';
import { ArrivalGaps, SHED_WAIT_GAPS } from './arrival-gaps.js';

const INTERVAL = 5;

function arrivals(gaps: ArrivalGaps, from: number, every: number, n: number): number {
  let t = from;
  for (let i = 0; i < n; i++, t += every) gaps.note(t, INTERVAL);
  return t;
}

describe('arrival gaps of a shedding limit', () => {
  it('allows one pacing interval before anything is known, and after a single arrival', () => {
    const gaps = new ArrivalGaps();
    expect(gaps.shedWaitMs(INTERVAL)).toBe(INTERVAL);
    gaps.note(1000, INTERVAL);
    expect(gaps.shedWaitMs(INTERVAL)).toBe(INTERVAL);
  });

  it('in a flood, allows about two arrival gaps', () => {
    const gaps = new ArrivalGaps();
    arrivals(gaps, 0, 0.25, 200);
    expect(gaps.shedWaitMs(INTERVAL)).toBeCloseTo(SHED_WAIT_GAPS * 0.25, 3);
  });

  it('at mild overload, where two gaps are longer than the interval, still allows the whole interval', () => {
    const gaps = new ArrivalGaps();
    arrivals(gaps, 0, 4, 200);
    expect(gaps.shedWaitMs(INTERVAL)).toBe(INTERVAL);
  });

  it('follows a change of rate within a few dozen arrivals, and a long pause counts as one interval only', () => {
    const gaps = new ArrivalGaps();
    const t = arrivals(gaps, 0, 0.25, 200);
    // A pause of a second moves the estimate by an eighth of an interval, not by an eighth of a second.
    gaps.note(t + 1000, INTERVAL);
    expect(gaps.shedWaitMs(INTERVAL)).toBeCloseTo(SHED_WAIT_GAPS * (0.25 + (INTERVAL - 0.25) / 8), 3);
    arrivals(gaps, t + 1001, 1, 40);
    expect(gaps.shedWaitMs(INTERVAL)).toBeCloseTo(SHED_WAIT_GAPS * 1, 1);
  });

  it('takes the interval the limit has now (a limit raised at run time shortens it)', () => {
    const gaps = new ArrivalGaps();
    arrivals(gaps, 0, 4, 50);
    expect(gaps.shedWaitMs(2)).toBe(2);
  });
});
