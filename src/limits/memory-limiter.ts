import { setTimeout as sleep } from 'node:timers/promises';
import { ArrivalGaps } from './arrival-gaps.js';
import type { AcquireRequest, Limiter, Permit, Refusal } from './limiter.js';

export interface MemoryLimiterOptions {
  /** Tencent's window: 1,000 ms. */
  windowMs?: number;
  /** Added to the window against clock granularity and timer lag. */
  marginMs: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** Waiters a bucket may hold before refusing outright (memory stays bounded under any overload). */
  maxQueue?: number;
}

export interface RecentSends {
  /** How long ago each send still counting in the window was answered, per bucket (0 for one under way). */
  sends: Map<string, number[]>;
  /** Keys still counting in the window, with how long ago they were answered (0 while busy), per bucket. */
  keys: Map<string, Map<string, number>>;
}

/** A permit of this limiter. */
export interface LocalPermit extends Permit {
  cancel(): void;
  /** The request of a reserved permit (see `reserve`) is being sent: from now on it is one of `recent()`'s. */
  sent(): void;
}

export type LocalAdmission = Refusal | { ok: true; waitedMs: number; permit: LocalPermit };

export interface MemoryLimiter extends Limiter {
  acquireNow(req: AcquireRequest): LocalAdmission | Promise<LocalAdmission>;
  /**
   * As acquireNow, for a request that needs another admission as well (the shared one) before it is sent: its
   * permit counts and holds its key here as any other, but it is not one of `recent()`'s sends until `sent()` is
   * called on it. Handed to Redis, it would hold its own RoomId there against the request's own shared admission.
   */
  reserve(req: AcquireRequest): LocalAdmission | Promise<LocalAdmission>;
  refuseWhileShedding(bucket: string, limit: number, maxWaitMs: number): Refusal | undefined;
  /**
   * Takes a permit for a send admitted elsewhere (by the shared limiter), whatever this limiter's own count, and
   * holds its key: should this replica fall back on its own limits, it knows what it has under way.
   */
  hold(bucket: string, limit: number, key?: string): Permit;
  /**
   * Grants nothing for `ms` from now. On falling back from shared limits: the other replicas' last sends, which
   * this one cannot see, are then a window behind before it sends on its own.
   */
  pause(ms: number): void;
  /**
   * What still counts in the window, sends under way and busy keys included, to hand over to shared limits. Only
   * what was sent: not a reserved permit before its `sent()`, not a key only waited for (queued, or a retry
   * waiting out its window), whose own request would then be refused it by Redis.
   */
  recent(): RecentSends;
  /** Keys remembered, all buckets together: busy, cooling, or not yet dropped (memory stays bounded by it). */
  trackedKeys(): number;
}

interface KeyState {
  /** Sends of this key under way, queued, or a retry waiting for it: the key is busy while above 0. */
  holds: number;
  /** Of those, the sends under way (granted and not reserved): what recent() reports as busy. */
  sending: number;
  /** When the key's last answered send stops counting. */
  freeAt: number;
}

interface Waiter {
  key: string | undefined;
  reserved: boolean;
  grant: (permit: LocalPermit) => void;
  cancel: () => void;
}

interface Bucket {
  limit: number;
  /** Sends dispatched and not yet answered, reserved permits included. */
  inFlight: number;
  /** Of those, the permits reserved and not yet sent (reserve). */
  reserved: number;
  /** When each answered send stops counting, ascending (answers come in time order); `head` is the oldest. */
  cooling: number[];
  /** The key of each entry of `cooling` (undefined for a send without one), so a key is dropped as it cools. */
  coolingKeys: (string | undefined)[];
  head: number;
  queue: Waiter[];
  /** Earliest time the next queued request may be granted: queued sends go out `span / limit` apart. */
  nextGrant: number;
  /** While the limit sheds, no grant goes before this: half an interval after the last (keepApartWhileShedding). */
  apartUntil: number;
  timer: NodeJS.Timeout | undefined;
  keys: Map<string, KeyState>;
  /** Since when the queue has held waiters without emptying; undefined while it is empty. */
  queuedSince: number | undefined;
  /** Until when arrivals are only queued for a short wait (see shedding). */
  shedUntil: number;
  /** How often arrivals come, which bounds that wait (arrival-gaps.ts). */
  arrivals: ArrivalGaps;
}

/** How many queued grants may go out back to back to make up for a late timer. */
const CATCH_UP_GRANTS = 8;
/** While a limit sheds, grants go out at least this many pacing intervals apart (keepApartWhileShedding). */
const SHED_SPACING = 0.5;

/**
 * An exact in-process limiter (see limiter.ts for why permits bound arrivals). Requests over the limit wait in
 * FIFO order for a permit to cool down, up to `maxWaitMs`, and are served as soon as one does: pacing instead
 * of rejection. Keys are refused at once while busy, except for retries, which wait for them.
 */
export function createMemoryLimiter(opts: MemoryLimiterOptions): MemoryLimiter {
  const span = (opts.windowMs ?? 1000) + opts.marginMs;
  const now = opts.now ?? (() => performance.now());
  const maxQueue = opts.maxQueue ?? 10_000;
  const buckets = new Map<string, Bucket>();
  /** No grant before this (pause). */
  let pausedUntil = Number.NEGATIVE_INFINITY;

  function bucketFor(name: string, limit: number): Bucket {
    let b = buckets.get(name);
    if (!b) {
      b = {
        limit,
        inFlight: 0,
        reserved: 0,
        cooling: [],
        coolingKeys: [],
        head: 0,
        queue: [],
        nextGrant: Number.NEGATIVE_INFINITY,
        apartUntil: Number.NEGATIVE_INFINITY,
        timer: undefined,
        keys: new Map(),
        queuedSince: undefined,
        shedUntil: Number.NEGATIVE_INFINITY,
        arrivals: new ArrivalGaps(),
      };
      buckets.set(name, b);
    }
    b.limit = limit;
    return b;
  }

  /**
   * Sends still counting at `t`. Sends that stopped counting are dropped, and with them their keys, unless a key
   * is busy again or still cooling from a later send. (Scanning the key map from its oldest entry instead cost
   * several µs per request: a Map keeps deleted entries in place until it is rehashed, and every scan from the
   * front walked over them again.)
   */
  function occupied(b: Bucket, t: number): number {
    while (b.head < b.cooling.length && (b.cooling[b.head] as number) <= t) {
      const key = b.coolingKeys[b.head];
      if (key !== undefined) {
        const state = b.keys.get(key);
        if (state && state.holds === 0 && state.freeAt <= t) b.keys.delete(key);
      }
      b.head++;
    }
    if (b.head > 1024 && b.head * 2 > b.cooling.length) {
      b.cooling = b.cooling.slice(b.head);
      b.coolingKeys = b.coolingKeys.slice(b.head);
      b.head = 0;
    }
    return b.inFlight + b.cooling.length - b.head;
  }

  function keyState(b: Bucket, key: string): KeyState {
    let state = b.keys.get(key);
    if (!state) {
      state = { holds: 0, sending: 0, freeAt: Number.NEGATIVE_INFINITY };
      b.keys.set(key, state);
    }
    return state;
  }

  /** One hold on a key ends. A key left neither held nor cooling (a wait given up) is dropped at once. */
  function unhold(b: Bucket, key: string | undefined): void {
    if (key === undefined) return;
    const state = b.keys.get(key);
    if (!state) return;
    state.holds--;
    if (state.holds === 0 && state.freeAt <= now()) b.keys.delete(key);
  }

  /** A send was answered just now: it (and its key) keep counting for one more window. */
  function cool(b: Bucket, key: string | undefined): void {
    const freeAt = now() + span;
    b.cooling.push(freeAt);
    b.coolingKeys.push(key);
    if (key === undefined) return;
    const state = keyState(b, key);
    state.freeAt = Math.max(state.freeAt, freeAt);
  }

  /** A permit for a send under way, or reserved for one (reserve): its key is held already. */
  function permitFor(b: Bucket, key: string | undefined, reserved = false): LocalPermit {
    b.inFlight++;
    let released = false;
    let sending = false;
    const send = () => {
      if (sending) return;
      sending = true;
      if (reserved) b.reserved--;
      if (key !== undefined) keyState(b, key).sending++;
    };
    const end = () => {
      b.inFlight--;
      if (!sending) b.reserved--;
      else if (key !== undefined) keyState(b, key).sending--;
    };
    if (reserved) b.reserved++;
    else send();
    return {
      sent() {
        if (!released) send();
      },
      release() {
        if (released) return;
        released = true;
        end();
        // Cooled before the hold ends, so the key is never seen free in between.
        cool(b, key);
        unhold(b, key);
        pump(b);
      },
      cancel() {
        if (released) return;
        released = true;
        end();
        unhold(b, key);
        pump(b);
      },
    };
  }

  /**
   * While the limit sheds, no grant follows the one at `t` by less than half a pacing interval. Demand stays above
   * the limit then, so permits that free up together (sends that cooled down together) would be taken together by
   * the next arrivals, go out as one burst whose requests wait for each other upstream and in the gateway's loop,
   * and come back as a burst every window (bench/ANALYSIS.md, thirteenth round). Only the gap is kept, apart from
   * the queue's pace (nextGrant): a permit free at once still goes at once if the last grant is that far back, and
   * it takes nothing from the catch-up that queued grants may still make.
   */
  function keepApartWhileShedding(b: Bucket, t: number): void {
    if (t < b.shedUntil) b.apartUntil = t + (SHED_SPACING * span) / b.limit;
  }

  /** Whether a grant may go at `t` as far as the pace, the gap and a pause go (a free permit aside). */
  function due(b: Bucket, t: number): boolean {
    return t >= b.nextGrant && t >= b.apartUntil && t >= pausedUntil;
  }

  /**
   * Hands cooled-down permits to waiters in arrival order, paced at one every `span / limit` on average, and
   * wakes up again when the next may go. Pacing matters: permits released together cool down together, and a
   * queue granted in bursts would send in bursts, whose answers take longer, which slows every later cycle.
   * A late timer is made up for by a few grants in a row (CATCH_UP_GRANTS), so lag does not cut the rate.
   */
  function pump(b: Bucket): void {
    const t = now();
    const interval = span / b.limit;
    while (b.queue.length > 0 && occupied(b, t) < b.limit && due(b, t)) {
      const waiter = b.queue.shift() as Waiter;
      // Scheduled from the previous grant, not from now, so timer lag does not slow the pace down; after a
      // pause it restarts from now, with a few grants of catch-up at most (a small burst, never a large one).
      b.nextGrant = Math.max(b.nextGrant, t - CATCH_UP_GRANTS * interval) + interval;
      keepApartWhileShedding(b, t);
      waiter.grant(permitFor(b, waiter.key, waiter.reserved));
    }
    if (b.timer) clearTimeout(b.timer);
    b.timer = undefined;
    if (b.queue.length === 0) {
      b.queuedSince = undefined;
      return;
    }
    let wakeAt = Math.max(b.nextGrant, b.apartUntil, pausedUntil);
    if (occupied(b, t) >= b.limit) {
      // Nothing cools before an answer comes in (release pumps then) unless an answered send is cooling.
      if (b.head >= b.cooling.length) return;
      wakeAt = Math.max(wakeAt, b.cooling[b.head] as number);
    }
    b.timer = setTimeout(() => pump(b), Math.max(0, Math.ceil(wakeAt - t)));
  }

  /** When the waiter at queue position `position` should be granted, as far as known now. */
  function estimateFree(b: Bucket, position: number, t: number): number {
    // The pace: the waiters ahead go out `span / limit` apart (less a catch-up burst) from the next grant, and
    // while shedding not before the gap after the last grant.
    const interval = span / b.limit;
    const paced = Math.max(
      Math.max(b.nextGrant, t - CATCH_UP_GRANTS * interval) + position * interval,
      b.apartUntil,
      pausedUntil,
    );
    const free = b.limit - occupied(b, t);
    if (position < free) return Math.max(t, paced);
    const index = b.head + position - free;
    // Beyond the answered sends, permits are still in flight: they free a window after their answer at best.
    const cooled = index < b.cooling.length ? (b.cooling[index] as number) : t + span;
    return Math.max(cooled, paced);
  }

  /**
   * The queue absorbs bursts; it must not stand. Every waiter was queued because it could go within its
   * maxWaitMs, so a burst that arrived within a window has drained a window after that. A queue that has held
   * waiters longer than `maxWaitMs + span` without emptying means arrivals come faster than the limit for good,
   * and a full queue would only make every admitted request wait `maxWaitMs`: then, and for a window after the
   * last refusal, an arrival is queued only if it can go within about two arrival gaps (at most one pacing
   * interval: arrival-gaps.ts), and the rest are refused at once (CoDel's idea, for a rate limit).
   */
  function shedding(b: Bucket, t: number, maxWaitMs: number): boolean {
    return (b.queuedSince !== undefined && t - b.queuedSince >= maxWaitMs + span) || t < b.shedUntil;
  }

  /**
   * The refusal of an arrival at `t` that could go at `freeAt`, or undefined when it may go or wait for it. `shed`
   * is whether the bucket sheds at `t`, for a caller that knows it already.
   */
  function refusalAt(
    b: Bucket,
    t: number,
    freeAt: number,
    maxWaitMs: number,
    shed = shedding(b, t, maxWaitMs),
  ): Refusal | undefined {
    const budget = shed ? Math.min(maxWaitMs, b.arrivals.shedWaitMs(span / b.limit)) : maxWaitMs;
    if (freeAt - t <= budget && b.queue.length < maxQueue) return undefined;
    if (shed) b.shedUntil = t + span;
    return { ok: false, limit: 'global', retryAfterMs: Math.max(freeAt - t, 1) };
  }

  function acquireGlobal(
    b: Bucket,
    req: AcquireRequest,
    started: number,
    maxWaitMs: number,
    reserved: boolean,
  ): LocalAdmission | Promise<LocalAdmission> {
    const t = now();
    const key = req.key;
    b.arrivals.note(t, span / b.limit);
    if (b.queue.length === 0 && occupied(b, t) < b.limit && due(b, t)) {
      keepApartWhileShedding(b, t);
      if (key !== undefined) keyState(b, key).holds++;
      return { ok: true, waitedMs: t - started, permit: permitFor(b, key, reserved) };
    }
    const refusal = refusalAt(b, t, estimateFree(b, b.queue.length, t), maxWaitMs);
    if (refusal) return refusal;
    // Queued: the key is held from now, so a duplicate arriving meanwhile is refused, not queued too.
    if (key !== undefined) keyState(b, key).holds++;
    return new Promise<LocalAdmission>((resolve, reject) => {
      const waiter: Waiter = {
        key,
        reserved,
        grant: (permit) => {
          done();
          resolve({ ok: true, waitedMs: now() - started, permit });
        },
        cancel: () => undefined,
      };
      const leave = () => {
        const index = b.queue.indexOf(waiter);
        if (index >= 0) b.queue.splice(index, 1);
        if (b.queue.length === 0) b.queuedSince = undefined;
        unhold(b, key);
      };
      waiter.cancel = () => {
        leave();
        done();
        resolve({ ok: false, limit: 'global', retryAfterMs: Math.max(estimateFree(b, 0, now()) - now(), 1) });
      };
      const deadline = setTimeout(() => {
        // A grant due at this very moment wins over the deadline: pump first, then give up if still queued.
        pump(b);
        if (b.queue.includes(waiter)) waiter.cancel();
      }, maxWaitMs);
      const onAbort = () => {
        leave();
        done();
        reject(req.signal?.reason);
      };
      const done = () => {
        clearTimeout(deadline);
        req.signal?.removeEventListener('abort', onAbort);
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (b.queue.length === 0) b.queuedSince = t;
      b.queue.push(waiter);
      pump(b);
    });
  }

  /** A retry of a busy key: hold the key so nothing else takes it, wait out its window, then queue as usual. */
  async function acquireAfterKey(
    b: Bucket,
    req: AcquireRequest,
    key: string,
    started: number,
    busyUntil: number,
    reserved: boolean,
  ): Promise<LocalAdmission> {
    keyState(b, key).holds++;
    try {
      // Node's timers can fire up to a millisecond early: sleep again until the window has really passed.
      while (now() < busyUntil)
        await sleep(Math.max(1, Math.ceil(busyUntil - now())), undefined, { signal: req.signal });
    } catch (err) {
      // Reject with the caller's own reason, as a queued wait does, not Node's wrapping AbortError.
      throw req.signal?.aborted ? req.signal.reason : err;
    } finally {
      unhold(b, key);
    }
    // The budget left may be a hair below zero after a late timer, which still means "now".
    return acquireGlobal(b, req, started, Math.max(0, req.maxWaitMs - (now() - started)), reserved);
  }

  function acquireNow(req: AcquireRequest, reserved = false): LocalAdmission | Promise<LocalAdmission> {
    req.signal?.throwIfAborted();
    const b = bucketFor(req.bucket, req.limit);
    const started = now();
    occupied(b, started); // drops the keys that have cooled
    if (req.key === undefined) return acquireGlobal(b, req, started, req.maxWaitMs, reserved);

    const state = b.keys.get(req.key);
    const busyUntil = !state
      ? Number.NEGATIVE_INFINITY
      : state.holds > 0
        ? Number.POSITIVE_INFINITY
        : state.freeAt;
    if (busyUntil <= started) return acquireGlobal(b, req, started, req.maxWaitMs, reserved);
    if (!req.waitForKey || busyUntil - started > req.maxWaitMs) {
      // A key in flight frees a window after its answer: at least one span from now.
      return {
        ok: false,
        limit: 'room',
        retryAfterMs: Number.isFinite(busyUntil) ? busyUntil - started : span,
      };
    }
    return acquireAfterKey(b, req, req.key, started, busyUntil, reserved);
  }

  return {
    async acquire(req) {
      return acquireNow(req);
    },
    acquireNow: (req) => acquireNow(req),
    reserve: (req) => acquireNow(req, true),
    refuseWhileShedding(bucket, limit, maxWaitMs) {
      const b = buckets.get(bucket);
      if (!b) return undefined;
      b.limit = limit;
      const t = now();
      // Outside shedding an arrival may wait in the queue, so only acquire can tell. While shedding, the answer is
      // acquireGlobal's for an arrival now (an arrival with a free permit gets one: freeAt is then t).
      if (!shedding(b, t, maxWaitMs)) return undefined;
      const refusal = refusalAt(b, t, estimateFree(b, b.queue.length, t), maxWaitMs, true);
      // An arrival let through is noted by acquire, which it comes to next; a refused one ends here.
      if (refusal) b.arrivals.note(t, span / b.limit);
      return refusal;
    },
    hold(bucket, limit, key) {
      const b = bucketFor(bucket, limit);
      if (key !== undefined) keyState(b, key).holds++;
      return permitFor(b, key);
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
      for (const b of buckets.values()) pump(b);
    },
    recent() {
      const t = now();
      const sends = new Map<string, number[]>();
      const keys = new Map<string, Map<string, number>>();
      for (const [name, b] of buckets) {
        occupied(b, t);
        // A send under way is handed over as if answered now: the shared log then counts it for a window, and
        // this replica's own limiter keeps counting it until its real answer (resilient-limiter.ts). A reserved
        // permit is not a send yet: should it be sent, Redis counts it by its own admission.
        const underWay = new Array<number>(b.inFlight - b.reserved).fill(0);
        sends.set(name, [...b.cooling.slice(b.head).map((freeAt) => t - (freeAt - span)), ...underWay]);
        // A key is busy while a send of it is under way, not while a request for it only waits (queued, a retry
        // waiting out its window, a reserved permit waiting for Redis): Redis would then refuse that very request
        // its own key once its wait ends.
        const live = new Map<string, number>();
        for (const [key, state] of b.keys) {
          if (state.sending > 0) live.set(key, 0);
          else if (state.freeAt > t) live.set(key, t - (state.freeAt - span));
        }
        keys.set(name, live);
      }
      return { sends, keys };
    },
    trackedKeys() {
      let n = 0;
      for (const b of buckets.values()) n += b.keys.size;
      return n;
    },
    async close() {
      for (const b of buckets.values()) {
        if (b.timer) clearTimeout(b.timer);
        // Nobody is left to grant them: waiters are refused now rather than at their deadlines.
        for (const waiter of [...b.queue]) waiter.cancel();
      }
      buckets.clear();
    },
  };
}
