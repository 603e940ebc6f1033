/**
 * How long a shedding limit lets an arrival wait for its permit, from how often arrivals come.
 *
 * While a limit sheds, demand stays above it, and a permit that frees is taken by whichever request comes next.
 * Holding an arrival for a permit longer than the next arrivals take to come gains no throughput: it only adds
 * that wait to every admitted request (bench/ANALYSIS.md, twelfth round: at 20x the quota, waits of up to one
 * pacing interval put ~5 ms on every admitted create, at the median and at p99). So an arrival may wait about two
 * arrival gaps, never more than one pacing interval: a few hundred µs in a flood, while at mild overload, where
 * arrivals are sparse, a freed permit still waits for its taker instead of going unused.
 */
export const SHED_WAIT_GAPS = 2;

/** Each arrival moves the estimate this part of the way: it follows a change of rate within a few dozen. */
const WEIGHT = 1 / 8;

/** The smoothed time between one limit's arrivals. */
export class ArrivalGaps {
  private lastAt = Number.NEGATIVE_INFINITY;
  /** ms; each gap counts at most one pacing interval, since only shorter gaps shorten the wait. */
  private gapMs = Number.POSITIVE_INFINITY;

  /** An arrival at `t` (monotonic ms), with the limit's pacing interval now. */
  note(t: number, intervalMs: number): void {
    const gap = Math.min(t - this.lastAt, intervalMs);
    this.lastAt = t;
    this.gapMs = this.gapMs === Number.POSITIVE_INFINITY ? gap : this.gapMs + (gap - this.gapMs) * WEIGHT;
  }

  /** How long an arrival may wait for its permit while the limit sheds. */
  shedWaitMs(intervalMs: number): number {
    return Math.min(intervalMs, SHED_WAIT_GAPS * this.gapMs);
  }
}
