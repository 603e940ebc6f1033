export type LimitName = 'global' | 'room';

export interface AcquireRequest {
  /** The counter: one per Tencent command (each has its own per-second quota). */
  bucket: string;
  /** Requests allowed in any window of `windowMs`. */
  limit: number;
  /** When set, the same key is admitted at most once per window (Tencent's once-per-second per RoomId). */
  key?: string;
  /** How long the caller may wait for a slot; 0 means answer at once. */
  maxWaitMs: number;
  /** When false, a busy key is refused at once rather than waited for (first attempts); retries wait. */
  waitForKey: boolean;
  signal?: AbortSignal;
}

export type Admission =
  | { ok: true; waitedMs: number }
  | { ok: false; limit: LimitName; retryAfterMs: number };

export interface Limiter {
  acquire(req: AcquireRequest): Promise<Admission>;
  close(): Promise<void>;
}
