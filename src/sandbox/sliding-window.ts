/**
 * Counts events in any `windowMs` span, for the sandbox's own enforcement of Tencent's frequency limits.
 *
 * Events are stamped when they arrive, as Tencent judges them, not when the sandbox gets round to them: a request
 * whose body comes late is handled after requests that arrived behind it, so an event may be recorded out of
 * order. In order (the usual case) the busiest span holding it is the one ending at it; out of order, spans
 * ending at the later events can hold it too, and the busiest of those decides.
 */
export class SlidingWindow {
  /** Arrival times, sorted; `head` is the first still kept. */
  private times: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Records an event that arrived at `at` and answers how many fall within the busiest span holding it. */
  hit(at: number): number {
    this.forgetBefore(Math.max(at, this.newest()) - 2 * this.windowMs);
    const times = this.times;
    let i = times.length;
    while (i > this.head && (times[i - 1] as number) > at) i--;
    if (i === times.length) {
      times.push(at);
      return i - this.firstAfter(at - this.windowMs) + 1;
    }
    times.splice(i, 0, at);
    let busiest = 0;
    for (let j = i; j < times.length && (times[j] as number) < at + this.windowMs; j++) {
      const end = times[j] as number;
      let last = j;
      while (last + 1 < times.length && times[last + 1] === end) last++;
      busiest = Math.max(busiest, last - this.firstAfter(end - this.windowMs) + 1);
    }
    return busiest;
  }

  private newest(): number {
    return this.times.length > this.head ? (this.times.at(-1) as number) : Number.NEGATIVE_INFINITY;
  }

  /** Index of the first kept time above `t`. */
  private firstAfter(t: number): number {
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Drops what no span can still need. Two windows are kept behind the newest event, so that an arrival handled
   * up to a window late is still judged against all of its neighbours.
   */
  private forgetBefore(t: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= t) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
