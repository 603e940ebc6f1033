/** Counts events in the last `windowMs`, for the sandbox's own enforcement of Tencent's frequency limits. */
export class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Records an event at `now` and answers how many fall within the window ending at `now`, this one included. */
  hit(now: number): number {
    this.times.push(now);
    while ((this.times[this.head] as number) <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}
