export type LimitName = 'global' | 'room';

export interface AcquireRequest {
  /** The counter: one per Tencent command (each has its own per-second quota). */
  bucket: string;
  /** Sends allowed in any window of `windowMs`. */
  limit: number;
  /** When set, the same key is sent at most once per window (Tencent's once-per-second per RoomId). */
  key?: string;
  /** How long the caller may wait for a slot; 0 means answer at once. */
  maxWaitMs: number;
  /** When false, a busy key is refused at once rather than waited for (first attempts); retries wait. */
  waitForKey: boolean;
  signal?: AbortSignal;
}

/**
 * Held while a request is on its way. Release it when its answer (or failure) is in: the send then keeps
 * counting for one more window from that moment, because that is the latest it can have arrived upstream.
 */
export interface Permit {
  release(): void;
  /** Gives the permit back unused, when nothing was sent: it then does not count (the memory limiter's). */
  cancel?(): void;
}

export type Admission =
  | { ok: true; waitedMs: number; permit: Permit }
  | { ok: false; limit: LimitName; retryAfterMs: number };

export type Refusal = Extract<Admission, { ok: false }>;

/**
 * Why holding permits bounds arrivals exactly, whatever the network does: a send occupies its permit from
 * dispatch until one window after its answer came back. Take any window [x, x + W) at the receiver: every
 * request arriving in it was dispatched before x + W and answered after x, so its permit is held at the
 * instant just before x + W (W + margin ≥ W). At most `limit` permits are ever held at once, so at most
 * `limit` requests arrive in any window, and the same goes for one key.
 */
export interface Limiter {
  acquire(req: AcquireRequest): Promise<Admission>;
  /**
   * The same as `acquire`, except that an answer known at once (a free permit, a refusal) comes back as it is,
   * without a promise; a wait still returns one. It may throw instead of rejecting. Optional: the gate uses it
   * where a limiter has it, because it runs for every attempt.
   */
  acquireNow?(req: AcquireRequest): Admission | Promise<Admission>;
  /**
   * While a bucket sheds sustained overload (see the limiters' acquire), the refusal that any arrival would get
   * now, whatever its key; undefined when an arrival might go or wait. It counts as a refusal (shedding goes on
   * for a window after it) but takes nothing. Decided on the spot from this process's own state, so that a
   * request can be refused before any work is done for it: under a flood, that work is what delays the requests
   * that do go (bench/ANALYSIS.md, ninth round). Optional: without it, every request goes to `acquire`.
   */
  refuseWhileShedding?(bucket: string, limit: number, maxWaitMs: number): Refusal | undefined;
  close(): Promise<void>;
}
