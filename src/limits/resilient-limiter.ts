import type { AcquireRequest, Admission, Limiter, Permit } from './limiter.js';
import type { LocalAdmission, LocalPermit, MemoryLimiter } from './memory-limiter.js';
import type { RedisLimiter } from './redis-limiter.js';

export type LimiterMode = 'shared' | 'local';

export interface ResilientLimiterOptions {
  shared: RedisLimiter;
  local: MemoryLimiter;
  /** Replicas sharing the limits: on its own, each keeps 1/replicas of every limit. */
  replicas: number;
  /** The limits' window with its margin (windowMs + marginMs of the limiters). */
  spanMs: number;
  /** How far apart the replicas may see Redis come back (create-limits.ts: its reconnect interval and more). */
  reconnectSpreadMs: number;
  now?: () => number;
  onModeChange?: (mode: LimiterMode, reason: string) => void;
}

export interface ResilientLimiter extends Limiter {
  mode(): LimiterMode;
  /** Redis is reachable again: hand over what was sent meanwhile, then share again. */
  reconnected(): Promise<void>;
  /** Redis went away: keep to this replica's share until it is back. */
  disconnected(reason: string): void;
}

/**
 * When a request arrived, and so until when it may wait: one budget for the whole of its wait, whether for its
 * share, for Redis, or on its own after Redis failed meanwhile (a command that timed out took a second of it).
 */
interface Arrival {
  started: number;
  deadline: number;
}

/**
 * The shared (Redis) limiter while Redis answers, this process's share of every limit when it does not. The
 * shares add up to the limit while every replica is on its own; the two edges of an outage are where sends could
 * be counted by neither side, and each is covered:
 *
 * - Falling back: every shared admission is held locally too, from its grant, so this replica's own sends under
 *   way and cooling are known exactly. The other replicas' are not, so nothing is sent on its own for a window
 *   after the fallback (their sends until then have reached Tencent and stop counting by its end).
 * - Coming back: what was sent alone (under way, answered, busy keys) is handed to Redis, and for a grace period
 *   an admission needs this replica's share locally as well as the shared one. It lasts until every replica
 *   has seen Redis again and handed over (a window and `reconnectSpreadMs`), and until this replica's own sends
 *   from its time alone have all cooled: until then a replica never sends more than its share, whatever Redis
 *   knows.
 */
export function createResilientLimiter(opts: ResilientLimiterOptions): ResilientLimiter {
  const now = opts.now ?? (() => performance.now());
  let mode: LimiterMode = 'local';
  /** While shared: until when admissions also need the local share (see above). */
  let graceUntil = Number.NEGATIVE_INFINITY;
  /** Permits taken while on its own and not yet released, and when the last one stops counting. */
  let aloneUnderWay = 0;
  let aloneCountsUntil = Number.NEGATIVE_INFINITY;
  const share = (limit: number) => Math.max(1, Math.floor(limit / opts.replicas));
  /** Redis failures seen: a hand-over during which one happened is not complete (see reconnected). */
  let failures = 0;

  function setMode(next: LimiterMode, reason: string): void {
    if (next === mode) return;
    if (next === 'local') opts.local.pause(opts.spanMs);
    mode = next;
    opts.onModeChange?.(next, reason);
  }

  function inGrace(): boolean {
    if (now() < graceUntil || aloneUnderWay > 0 || now() < aloneCountsUntil) return true;
    graceUntil = Number.NEGATIVE_INFINITY;
    return false;
  }

  const arrive = (req: AcquireRequest): Arrival => {
    const started = now();
    return { started, deadline: started + req.maxWaitMs };
  };
  /** The request with what is left of its budget. */
  const remaining = (req: AcquireRequest, at: Arrival): AcquireRequest => ({
    ...req,
    maxWaitMs: Math.max(0, at.deadline - now()),
  });
  /** The whole wait since the request's arrival. */
  const waitedSince = (at: Arrival) => now() - at.started;

  /**
   * This replica's share of the limit, from the local limiter, within what is left of the budget: reserved, as the
   * request may still need Redis's admission too. Only once it is sent is it one of the sends handed to Redis on a
   * return (local.recent()).
   */
  const localShare = (req: AcquireRequest, at: Arrival) =>
    opts.local.reserve({ ...req, limit: share(req.limit), maxWaitMs: Math.max(0, at.deadline - now()) });

  /** This replica's share, counted as sent alone. */
  function local(req: AcquireRequest, at: Arrival): Admission | Promise<Admission> {
    const admission = localShare(req, at);
    if (!(admission instanceof Promise)) return countAlone(admission, at);
    // A wait may end after Redis is back: then Redis must agree as well, as during the grace period.
    return admission.then((a) => (a.ok && mode === 'shared' ? withShared(req, at, a) : countAlone(a, at)));
  }

  function countAlone(admission: LocalAdmission, at: Arrival): Admission {
    if (!admission.ok) return admission;
    aloneUnderWay++;
    const { permit } = admission;
    permit.sent();
    let released = false;
    return {
      ok: true,
      waitedMs: waitedSince(at),
      permit: {
        release() {
          permit.release();
          if (released) return;
          released = true;
          aloneUnderWay--;
          aloneCountsUntil = Math.max(aloneCountsUntil, now() + opts.spanMs);
        },
      },
    };
  }

  /** A local permit for a send that did not happen. */
  const giveBack = (permit: LocalPermit) => permit.cancel();

  const both = (shared: Permit, local: Permit): Permit => ({
    release() {
      shared.release();
      local.release();
    },
  });

  /**
   * The shared admission for a request that holds its local share already (`granted`), or none. Should Redis fail
   * meanwhile, the local grant is given back and the request starts over on its own, so that it waits out the
   * fallback's pause: its share alone cannot tell what the other replicas sent through Redis.
   */
  async function withShared(
    req: AcquireRequest,
    at: Arrival,
    granted?: LocalAdmission & { ok: true },
  ): Promise<Admission> {
    try {
      // A wait for the share comes out of the same budget. A command under way when it runs out still has its
      // timeout to run (should Redis hang): that much the whole wait may exceed the budget, not more, as Redis is
      // not asked again once the budget is out.
      const admission = await opts.shared.acquire(remaining(req, at));
      if (!admission.ok) {
        if (granted) giveBack(granted.permit);
        return admission;
      }
      // Held locally too, from now: a fallback then starts out knowing this replica's sends.
      granted?.permit.sent();
      const held = granted ? granted.permit : opts.local.hold(req.bucket, share(req.limit), req.key);
      return { ok: true, waitedMs: waitedSince(at), permit: both(admission.permit, held) };
    } catch (err) {
      if (granted) giveBack(granted.permit);
      if (req.signal?.aborted) throw err;
      failures++;
      setMode('local', `Redis failed: ${(err as Error).message}`);
      // With what is left of the budget: the fallback's pause is then waited for only if the request still can.
      return local(req, at);
    }
  }

  async function acquire(req: AcquireRequest): Promise<Admission> {
    const at = arrive(req);
    if (mode === 'local') return local(req, at);
    if (!inGrace()) return withShared(req, at);
    const granted = await localShare(req, at);
    return granted.ok ? withShared(req, at, granted) : granted;
  }

  return {
    mode: () => mode,
    acquire,
    // Without Redis, the in-process limiter answers on the spot when it can.
    acquireNow: (req) => (mode === 'shared' ? acquire(req) : local(req, arrive(req))),
    refuseWhileShedding: (bucket, limit, maxWaitMs) =>
      mode === 'shared'
        ? opts.shared.refuseWhileShedding(bucket, limit, maxWaitMs)
        : opts.local.refuseWhileShedding(bucket, share(limit), maxWaitMs),
    async reconnected() {
      if (mode === 'shared') return;
      const seen = failures;
      try {
        await opts.shared.importRecent(opts.local.recent());
        // A request that was still waiting on Redis from before failed meanwhile: it starts over on its own, so
        // it may send alone after the snapshot just handed over (and its grant is to be taken back). Not shared
        // yet, then: the next hand-over has it.
        if (failures !== seen) throw new Error('a command failed during the hand-over');
        graceUntil = now() + opts.spanMs + opts.reconnectSpreadMs;
        setMode('shared', 'Redis is reachable');
      } catch (err) {
        setMode('local', `Redis failed: ${(err as Error).message}`);
      }
    },
    disconnected(reason) {
      failures++;
      setMode('local', reason);
    },
    async close() {
      await opts.local.close();
    },
  };
}
