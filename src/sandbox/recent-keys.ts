/**
 * When each key was last seen, for Tencent's once-per-second-per-RoomId rule. Keys not seen for `windowMs` are
 * forgotten, oldest first, from a queue in arrival order: it holds one window's keys, not every RoomId ever
 * created (a sandbox left running under `npm run dev` or a long bench would otherwise only grow).
 */
export class RecentKeys {
  private readonly lastSeen = new Map<string, number>();
  private queue: { key: string; at: number }[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Records `key` at `now`; answers when it was seen before (undefined if never, or if forgotten since). */
  see(key: string, now: number): number | undefined {
    this.forgetBefore(now - this.windowMs);
    const previous = this.lastSeen.get(key);
    this.lastSeen.set(key, now);
    this.queue.push({ key, at: now });
    return previous;
  }

  /** How many keys it remembers. */
  get size(): number {
    return this.lastSeen.size;
  }

  private forgetBefore(cutoff: number): void {
    while (this.head < this.queue.length) {
      const oldest = this.queue[this.head] as { key: string; at: number };
      if (oldest.at > cutoff) break;
      // A later arrival of the same key is still in the window: only its own last arrival forgets it.
      if (this.lastSeen.get(oldest.key) === oldest.at) this.lastSeen.delete(oldest.key);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
