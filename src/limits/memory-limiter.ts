import { setTimeout as sleep } from 'node:timers/promises';
import type { AcquireRequest, Admission, Limiter } from './limiter.js';

export interface MemoryLimiterOptions {
  /** Tencent's window: 1,000 ms. */
  windowMs?: number;
  /** Added to the window so that dispatch jitter never lets two sends land closer than the window upstream. */
  marginMs: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/** Marks a key whose retry is waiting for it, so no other request for that key slips in meanwhile. */
const PENDING = Number.POSITIVE_INFINITY;

interface Bucket {
  /** The send times of the last `limit` admissions, oldest at `head`: a sliding log, not fixed windows. */
  ring: Float64Array;
  head: number;
  /** Reservations made so far; lets an abandoned wait give its slot back only if it is still the newest. */
  seq: number;
  /** Key → its latest send time, in (almost) time order so expired entries are swept from the front. */
  keys: Map<string, number>;
}

/**
 * An exact in-process limiter. Every admission reserves a send time: the later of now and the moment the
 * admission `limit` places back leaves the window. Reserved times never decrease, so any span of
 * `windowMs + marginMs` holds at most `limit` of them: the bound holds for every window, not just aligned
 * ones, and a caller paced into the future simply sleeps until its time. Memory is bounded by the keys seen
 * in the last window and by the waiters, which `maxWaitMs` caps at about `limit × maxWaitMs / windowMs`.
 */
export function createMemoryLimiter(opts: MemoryLimiterOptions): Limiter {
  const span = (opts.windowMs ?? 1000) + opts.marginMs;
  const now = opts.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();

  function bucketFor(name: string, limit: number): Bucket {
    let b = buckets.get(name);
    if (!b || b.ring.length !== limit) {
      b = { ring: new Float64Array(limit).fill(Number.NEGATIVE_INFINITY), head: 0, seq: 0, keys: new Map() };
      buckets.set(name, b);
    }
    return b;
  }

  function sweep(b: Bucket, t: number): void {
    for (const [key, at] of b.keys) {
      if (at + span > t) break;
      b.keys.delete(key);
    }
  }

  function setKey(b: Bucket, key: string, at: number): void {
    b.keys.delete(key);
    b.keys.set(key, at);
  }

  async function acquireGlobal(
    b: Bucket,
    maxWaitMs: number,
    signal: AbortSignal | undefined,
    key: string | undefined,
    started: number,
  ): Promise<Admission> {
    const t = now();
    const slot = Math.max(t, (b.ring[b.head] as number) + span);
    if (slot - t > maxWaitMs) return { ok: false, limit: 'global', retryAfterMs: slot - t };
    const index = b.head;
    const previous = b.ring[index] as number;
    b.ring[index] = slot;
    b.head = (index + 1) % b.ring.length;
    const mySeq = ++b.seq;
    if (key !== undefined) setKey(b, key, slot);
    if (slot > t) {
      try {
        await sleep(Math.ceil(slot - t), undefined, { signal });
      } catch (err) {
        // The caller left: give the slot back when nobody reserved after it, so nothing is wasted.
        if (b.seq === mySeq) {
          b.ring[index] = previous;
          b.head = index;
          b.seq--;
          if (key !== undefined) b.keys.delete(key);
        }
        throw err;
      }
    }
    return { ok: true, waitedMs: now() - started };
  }

  return {
    async acquire(req: AcquireRequest): Promise<Admission> {
      req.signal?.throwIfAborted();
      const b = bucketFor(req.bucket, req.limit);
      const started = now();
      sweep(b, started);
      if (req.key === undefined) return acquireGlobal(b, req.maxWaitMs, req.signal, undefined, started);

      const key = req.key;
      const last = b.keys.get(key);
      const keyReady = last === undefined ? started : last + span;
      if (keyReady <= started) return acquireGlobal(b, req.maxWaitMs, req.signal, key, started);
      if (!req.waitForKey || keyReady - started > req.maxWaitMs) {
        // While a retry holds the key its send time is not known yet; it is at most a window away.
        const retryAfterMs = last === PENDING ? 2 * span : keyReady - started;
        return { ok: false, limit: 'room', retryAfterMs };
      }
      // A retry of this key: hold the key, wait out its window, then queue for a global slot as usual.
      setKey(b, key, PENDING);
      try {
        await sleep(Math.ceil(keyReady - started), undefined, { signal: req.signal });
        // Timers fire late, never early: the budget left may be a hair below zero, which still means "now".
        const budget = Math.max(0, req.maxWaitMs - (now() - started));
        const admission = await acquireGlobal(b, budget, req.signal, key, started);
        if (!admission.ok) setKey(b, key, last as number);
        return admission;
      } catch (err) {
        if (b.keys.get(key) === PENDING) setKey(b, key, last as number);
        throw err;
      }
    },
    async close() {
      buckets.clear();
    },
  };
}
