import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ArrivalGaps } from './arrival-gaps.js';
import type { AcquireRequest, Admission, Limiter, Permit, Refusal } from './limiter.js';
import type { RecentSends } from './memory-limiter.js';
import { ACQUIRE_SCRIPT, CANCEL_SCRIPT, IMPORT_SCRIPT, RELEASE_SCRIPT } from './redis-scripts.js';

/** As in memory-limiter.ts: how many queued grants may go out back to back after a late wake-up. */
const CATCH_UP_GRANTS = 8;
const PACE_FACTOR = 0.75;
/** As in memory-limiter.ts: while the limit sheds, grants go out at least this many pacing intervals apart. */
const SHED_SPACING = 0.5;

export interface RedisLimiterOptions {
  redis: Redis;
  marginMs: number;
  windowMs?: number;
  /** Namespace of every key, so that several deployments can share a Redis. */
  prefix?: string;
  /** How long a permit stays held if its holder never reports the answer (it crashed): longer than any call. */
  leaseMs?: number;
  /** While waiting, how often to ask again when every permit is still under way (no known cool-down time). */
  pollMs?: number;
}

export interface RedisLimiter extends Limiter {
  refuseWhileShedding(bucket: string, limit: number, maxWaitMs: number): Refusal | undefined;
  /**
   * Adds sends made without Redis (by the local fallback) to the shared log, after taking back the grants whose
   * answer never came and releasing again the permits whose release Redis missed while it was away. Rejects if
   * Redis fails meanwhile, or if another command failed meanwhile (more to take back: a hand-over still due).
   */
  importRecent(recent: RecentSends): Promise<void>;
}

type AcquireReply = [0, 'room' | 'global', string] | [1, string];

/** What releasing one permit in Redis takes (and taking it back, with its mark: CANCEL_SCRIPT). */
interface Release {
  log: string;
  room: string;
  member: string;
  hasKey: string;
  cancelled: string;
}

interface ScriptedRedis extends Redis {
  roomgateAcquire(
    log: string,
    key: string,
    pace: string,
    apart: string,
    cancelled: string,
    ...args: (string | number)[]
  ): Promise<AcquireReply>;
  roomgateRelease(log: string, key: string, ...args: (string | number)[]): Promise<number>;
  roomgateCancel(log: string, key: string, cancelled: string, ...args: (string | number)[]): Promise<number>;
  roomgateImport(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
}

/**
 * The permits of memory-limiter.ts, shared by every replica through Redis: each decision (both limits,
 * checked together, nothing taken on a refusal) is one Lua script on Redis's clock. A request over the limit
 * waits in this replica's FIFO queue; the head asks Redis again when the first permit should cool down.
 * Keys: `{prefix:command}:log` and `{prefix:command}:room:<RoomId>`; all expire on their own.
 */
export function createRedisLimiter(opts: RedisLimiterOptions): RedisLimiter {
  const redis = opts.redis as ScriptedRedis;
  const spanUs = ((opts.windowMs ?? 1000) + opts.marginMs) * 1000;
  const leaseUs = (opts.leaseMs ?? 60_000) * 1000;
  const pollMs = opts.pollMs ?? 5;
  const prefix = opts.prefix ?? 'roomgate';
  if (typeof redis.roomgateCancel !== 'function') {
    redis.defineCommand('roomgateAcquire', { numberOfKeys: 5, lua: ACQUIRE_SCRIPT });
    redis.defineCommand('roomgateRelease', { numberOfKeys: 2, lua: RELEASE_SCRIPT });
    redis.defineCommand('roomgateCancel', { numberOfKeys: 3, lua: CANCEL_SCRIPT });
    redis.defineCommand('roomgateImport', { lua: IMPORT_SCRIPT });
  }
  const logKey = (bucket: string) => `{${prefix}:${bucket}}:log`;
  const roomKey = (bucket: string, key: string) => `{${prefix}:${bucket}}:room:${key}`;
  const paceKey = (bucket: string) => `{${prefix}:${bucket}}:pace`;
  const apartKey = (bucket: string) => `{${prefix}:${bucket}}:apart`;
  const cancelledKey = (bucket: string, member: string) => `{${prefix}:${bucket}}:cancelled:${member}`;
  /** Per bucket, the requests of this replica waiting for a permit, served in order. */
  const queues = new Map<string, Promise<unknown>>();
  /** Per bucket, since when its queue has existed without emptying, and until when it sheds (see acquire). */
  const queuedSince = new Map<string, number>();
  const shedUntil = new Map<string, number>();

  /** One decision by Redis. While this replica sheds, no grant right after another (keepApartWhileShedding). */
  async function tryOnce(req: AcquireRequest, queued = false): Promise<Admission> {
    const apart = shedding(req.bucket, performance.now(), req.maxWaitMs);
    const member = randomBytes(8).toString('hex');
    const log = logKey(req.bucket);
    const room = roomKey(req.bucket, req.key ?? '');
    const hasKey = req.key === undefined ? '0' : '1';
    const cancelled = cancelledKey(req.bucket, member);
    // A little faster than the permits' own pace: each grant costs a round trip to Redis and a timer that
    // fires late, so pacing at exactly span/limit would make the pace, not the permits, the bound.
    const interval = Math.round((PACE_FACTOR * spanUs) / req.limit);
    const asked = redis.roomgateAcquire(
      log,
      room,
      paceKey(req.bucket),
      apartKey(req.bucket),
      cancelled,
      req.limit,
      leaseUs,
      hasKey,
      member,
      queued ? '1' : '0',
      interval,
      CATCH_UP_GRANTS,
      apart ? Math.round(SHED_SPACING * interval) : 0,
    );
    // A command that failed (it timed out, the connection broke) may still run when Redis answers again, and
    // grant a permit with a lease of a minute, and its RoomId, to a request that gave up on it and was never
    // sent with it: it is taken back on the hand-over that follows (importRecent), whichever runs first.
    const reply = await asked.catch((err: unknown) => {
      abandon({ log, room, member, hasKey, cancelled });
      throw err;
    });
    if (reply[0] === 0) return { ok: false, limit: reply[1], retryAfterMs: Number(reply[2]) / 1000 };
    let released = false;
    const permit: Permit = {
      release() {
        if (released) return;
        released = true;
        release({ log, room, member, hasKey, cancelled });
      },
    };
    return { ok: true, waitedMs: 0, permit };
  }

  /**
   * Releases whose Redis call failed. Until Redis is back their leases hold the permits, later than needed but
   * never too early; leases last a minute, so they are released again on the hand-over that follows a return
   * (importRecent), from then, rather than leaving the shared limit full for the rest of that minute.
   */
  const unreleased: Release[] = [];
  const MAX_UNRELEASED = 100_000;
  /** Grants whose answer never came, to take back (CANCEL_SCRIPT) when Redis is back, as missed releases. */
  const abandoned: Release[] = [];
  function abandon(r: Release): void {
    if (abandoned.length < MAX_UNRELEASED) abandoned.push(r);
  }
  function cancel(r: Release): Promise<void> {
    return redis.roomgateCancel(r.log, r.room, r.cancelled, r.member, r.hasKey, leaseUs / 1000).then(
      () => undefined,
      () => abandon(r),
    );
  }
  function release(r: Release): Promise<void> {
    return redis.roomgateRelease(r.log, r.room, spanUs, r.member, r.hasKey).then(
      () => undefined,
      () => {
        if (unreleased.length < MAX_UNRELEASED) unreleased.push(r);
      },
    );
  }

  /** A refusal's wait is a real cool-down time, not the lease of a permit still under way. */
  const known = (admission: Admission) => !admission.ok && admission.retryAfterMs < leaseUs / 2000;
  const span = spanUs / 1000;
  /** A refusal as the caller gets it: a lease's remaining time is no wait to offer, a window is. */
  const refusal = (admission: Refusal): Refusal =>
    known(admission) ? admission : { ...admission, retryAfterMs: span };

  /** Per bucket, how often this replica's arrivals come, which bounds the wait while it sheds (arrival-gaps.ts). */
  const arrivals = new Map<string, ArrivalGaps>();
  function noteArrival(bucket: string, t: number, limit: number): ArrivalGaps {
    let gaps = arrivals.get(bucket);
    if (!gaps) {
      gaps = new ArrivalGaps();
      arrivals.set(bucket, gaps);
    }
    gaps.note(t, span / limit);
    return gaps;
  }

  /** Asks until admitted, refused for the key, or out of time: the head of this replica's queue. */
  async function waitForGlobal(req: AcquireRequest, deadline: number): Promise<Admission> {
    // Its turn may come after its budget is gone, behind a waiter whose command hung until its timeout: asking now
    // would add a timeout of its own to the wait (and a grant past the budget).
    if (performance.now() >= deadline) return refusal({ ok: false, limit: 'global', retryAfterMs: span });
    for (;;) {
      const admission = await tryOnce(req, true);
      if (admission.ok || admission.limit === 'room') return admission;
      const left = deadline - performance.now();
      if (left <= 0 || (known(admission) && admission.retryAfterMs > left)) {
        return refusal(admission);
      }
      const wait = known(admission) ? Math.min(admission.retryAfterMs, left) : Math.min(pollMs, left);
      await sleep(Math.max(1, Math.ceil(wait)), undefined, { signal: req.signal });
    }
  }

  /**
   * As in memory-limiter.ts: the queue absorbs bursts but must not stand. Once this replica's queue has existed
   * for `maxWaitMs + span`, and for a window after the last refusal, nothing joins a queue, and only an arrival
   * Redis says can go within about two of this replica's arrival gaps (at most one pacing interval) waits.
   */
  function shedding(bucket: string, t: number, maxWaitMs: number): boolean {
    const since = queuedSince.get(bucket);
    return (
      (since !== undefined && t - since >= maxWaitMs + span) ||
      t < (shedUntil.get(bucket) ?? Number.NEGATIVE_INFINITY)
    );
  }

  /** A refusal while shedding: shedding goes on for a window after it. */
  function shed(
    bucket: string,
    admission: Refusal = { ok: false, limit: 'global', retryAfterMs: span },
  ): Refusal {
    shedUntil.set(bucket, performance.now() + span);
    return refusal(admission);
  }

  return {
    // While shedding with a queue, acquire refuses without asking Redis: so can this, before the request is read.
    refuseWhileShedding(bucket, limit, maxWaitMs) {
      const t = performance.now();
      if (!queues.has(bucket) || !shedding(bucket, t, maxWaitMs)) return undefined;
      // A request let through is noted by acquire, which it comes to next; a refused one ends here.
      noteArrival(bucket, t, limit);
      return shed(bucket);
    },
    async acquire(req) {
      req.signal?.throwIfAborted();
      const started = performance.now();
      const deadline = started + req.maxWaitMs;
      const stamp = (a: Admission): Admission => (a.ok ? { ...a, waitedMs: performance.now() - started } : a);
      const gaps = noteArrival(req.bucket, started, req.limit);
      const shedNow = shedding(req.bucket, started, req.maxWaitMs);
      if (shedNow && queues.has(req.bucket)) return shed(req.bucket);
      if (!queues.has(req.bucket)) {
        let admission = await tryOnce(req);
        // A retry waits out its key's window (another replica may still take the key first: then refused).
        while (!admission.ok && admission.limit === 'room' && req.waitForKey) {
          if (admission.retryAfterMs > deadline - performance.now()) break;
          await sleep(Math.ceil(admission.retryAfterMs), undefined, { signal: req.signal });
          admission = await tryOnce(req);
        }
        if (admission.ok || admission.limit === 'room') return stamp(admission);
        if (known(admission) && admission.retryAfterMs > req.maxWaitMs) return admission;
        if (req.maxWaitMs <= 0) return refusal(admission);
        if (shedNow && !(known(admission) && admission.retryAfterMs <= gaps.shedWaitMs(span / req.limit)))
          return shed(req.bucket, admission);
      }
      // Wait behind this replica's other waiters for the bucket, in arrival order.
      if (!queues.has(req.bucket)) queuedSince.set(req.bucket, started);
      const previous = queues.get(req.bucket) ?? Promise.resolve();
      const mine = previous.then(() => waitForGlobal(req, deadline));
      const tail = mine.catch(() => undefined);
      queues.set(req.bucket, tail);
      try {
        return stamp(await mine);
      } finally {
        if (queues.get(req.bucket) === tail) {
          queues.delete(req.bucket);
          queuedSince.delete(req.bucket);
        }
      }
    },
    async importRecent(recent) {
      // Taken back first: a grant given up on may hold a RoomId that the import then sets as sent alone.
      await Promise.all(abandoned.splice(0).map(cancel));
      await Promise.all(unreleased.splice(0).map(release));
      // Any that failed again are back in the lists: the hand-over has not happened.
      if (abandoned.length > 0 || unreleased.length > 0)
        throw new Error('Redis failed while releasing permits');
      for (const [bucket, ages] of recent.sends) {
        const keys = [...(recent.keys.get(bucket) ?? new Map<string, number>())];
        await redis.roomgateImport(
          1 + keys.length,
          logKey(bucket),
          ...keys.map(([key]) => roomKey(bucket, key)),
          spanUs,
          ages.length,
          ...ages.map((a) => Math.round(a * 1000)),
          ...keys.map(([, age]) => Math.round(age * 1000)),
        );
      }
      // A command that failed meanwhile (a request still waiting on Redis from before) is for the next hand-over.
      if (abandoned.length > 0) throw new Error('Redis failed during the hand-over');
    },
    async close() {},
  };
}
