import { describe, expect, it } from 'vitest';
import { acquireRequests } from '../../test/acquire-requests.js';
import type { AcquireRequest, Admission } from './limiter.js';
import { createMemoryLimiter, type RecentSends } from './memory-limiter.js';
import type { RedisLimiter } from './redis-limiter.js';
import { createResilientLimiter, type LimiterMode } from './resilient-limiter.js';

/** A shared limiter whose Redis can be switched off: the failure is what is under test here. */
function switchableShared(now?: () => number) {
  const state = {
    up: true,
    /** How long a command hangs before it times out while Redis is down (0: it fails at once). */
    hangMs: 0,
    /** How long a hand-over takes. */
    importMs: 0,
    imported: [] as RecentSends[],
    admitted: 0,
  };
  const backing = createMemoryLimiter({ marginMs: 0, now });
  const shared: RedisLimiter = {
    async acquire(req) {
      // Whether it fails is decided when it is sent, however long it then hangs.
      const failing = !state.up;
      if (failing && state.hangMs > 0) await new Promise((r) => setTimeout(r, state.hangMs));
      if (failing) throw new Error('Command timed out');
      const admission = await backing.acquire(req);
      if (admission.ok) state.admitted++;
      return admission;
    },
    refuseWhileShedding: (bucket, limit, maxWaitMs) => backing.refuseWhileShedding(bucket, limit, maxWaitMs),
    async importRecent(recent) {
      if (!state.up) throw new Error('Connection is closed');
      if (state.importMs > 0) await new Promise((r) => setTimeout(r, state.importMs));
      state.imported.push(recent);
    },
    async close() {},
  };
  return { shared, state };
}

/** The limiters' window (1,000 ms, no margin) and a spread of replicas' reconnects for the grace period. */
const SPAN = 1000;
const SPREAD = 3000;
const TIMING = { spanMs: SPAN, reconnectSpreadMs: SPREAD };

const req = acquireRequests(10);

async function admitAll(limiter: { acquire(r: AcquireRequest): Promise<Admission> }, n: number) {
  const results: Admission[] = [];
  for (let i = 0; i < n; i++) {
    const admission = await limiter.acquire(req({ key: `room-${Math.random()}` }));
    if (admission.ok) admission.permit.release();
    results.push(admission);
  }
  return results.filter((r) => r.ok).length;
}

describe('resilient limiter', () => {
  it('uses the shared limiter once connected, and its share of the limit after a Redis failure', async () => {
    const clock = { t: 1000 };
    const now = () => clock.t;
    const { shared, state } = switchableShared(now);
    const modes: LimiterMode[] = [];
    const limiter = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0, now }),
      replicas: 4,
      ...TIMING,
      now,
      onModeChange: (mode) => modes.push(mode),
    });
    expect(limiter.mode()).toBe('local');
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
    clock.t += SPAN + SPREAD; // past the grace period after a reconnect (see below)
    expect(await admitAll(limiter, 3)).toBe(3);
    expect(state.admitted).toBe(3);

    state.up = false;
    clock.t += SPAN / 2;
    // 10 / 4 replicas = 2 per window, of which this replica already sent 3 through Redis: none left now.
    expect(await admitAll(limiter, 5)).toBe(0);
    expect(limiter.mode()).toBe('local');
    expect(modes).toEqual(['shared', 'local']);
  });

  it('keeps to floor(limit / replicas) on its own, never less than one', async () => {
    const { shared, state } = switchableShared();
    state.up = false;
    const limiter = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0 }),
      replicas: 4,
      ...TIMING,
    });
    expect(await admitAll(limiter, 10)).toBe(2);
    const lonely = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0 }),
      replicas: 50,
      ...TIMING,
    });
    expect(await admitAll(lonely, 10)).toBe(1);
  });

  it('hands what it sent alone to Redis before sharing again, and stays local if that fails', async () => {
    const { shared, state } = switchableShared();
    state.up = false;
    const limiter = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0 }),
      replicas: 2,
      ...TIMING,
    });
    expect(await admitAll(limiter, 3)).toBe(3);
    await limiter.reconnected();
    expect(limiter.mode()).toBe('local');
    state.up = true;
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
    expect(state.imported).toHaveLength(1);
    expect(state.imported[0]?.sends.get('create_room')).toHaveLength(3);
  });

  it('rethrows an abort instead of treating it as a Redis failure', async () => {
    const { shared } = switchableShared();
    const limiter = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0 }),
      replicas: 1,
      ...TIMING,
    });
    await limiter.reconnected();
    const controller = new AbortController();
    controller.abort(new Error('caller left'));
    await expect(limiter.acquire(req({ signal: controller.signal }))).rejects.toThrow('caller left');
    expect(limiter.mode()).toBe('shared');
  });
});

describe('resilient limiter, the edges of an outage', () => {
  /** Everything on one fake clock: decisions with maxWaitMs 0 are taken at once, so no timer is involved. */
  function setup(replicas: number, limit = 10) {
    const clock = { t: 1000 };
    const now = () => clock.t;
    const { shared, state } = switchableShared(now);
    const local = createMemoryLimiter({ marginMs: 0, now });
    const limiter = createResilientLimiter({ shared, local, replicas, ...TIMING, now });
    const take = async (overrides: Partial<AcquireRequest> = {}) =>
      limiter.acquire(req({ limit, key: `room-${Math.random()}`, ...overrides }));
    const count = async (n: number) => {
      let admitted = 0;
      for (let i = 0; i < n; i++) {
        const a = await take();
        if (a.ok) {
          a.permit.release();
          admitted++;
        }
      }
      return admitted;
    };
    return { clock, state, shared, limiter, take, count };
  }

  it('knows its shared sends under way the moment Redis fails: no share on top of them, no RoomId twice', async () => {
    const { clock, state, limiter, take } = setup(2);
    await limiter.reconnected();
    clock.t += SPAN + SPREAD;
    const underWay = [];
    for (let i = 0; i < 6; i++) underWay.push(await take({ key: `busy-${i}` }));
    expect(underWay.every((a) => a.ok)).toBe(true);
    state.up = false;
    clock.t += SPAN; // past the fallback's pause
    // Six of this replica's sends are under way against a share of five: nothing more until they cool.
    expect(await take()).toMatchObject({ ok: false });
    expect(limiter.mode()).toBe('local');
    clock.t += SPAN;
    expect(await take()).toMatchObject({ ok: false, limit: 'global' });
    expect(await take({ key: 'busy-0' })).toMatchObject({ ok: false, limit: 'room' });
  });

  it('sends nothing on its own for a window after falling back: the other replicas were sending too', async () => {
    const { clock, state, limiter, take, count } = setup(2);
    await limiter.reconnected();
    clock.t += SPAN + SPREAD;
    state.up = false;
    const first = await take();
    expect(first).toEqual({ ok: false, limit: 'global', retryAfterMs: SPAN });
    clock.t += SPAN - 1;
    expect(await take()).toMatchObject({ ok: false, limit: 'global', retryAfterMs: 1 });
    clock.t += 1;
    expect(await count(10)).toBe(5);
  });

  it('does not pause when it starts without Redis: it never shared, so it never counted on others', async () => {
    const { state, count } = setup(2);
    state.up = false;
    expect(await count(10)).toBe(5);
  });

  it('keeps to its share as well as the shared limit for a window and the spread after Redis is back', async () => {
    const { clock, state, limiter, count } = setup(2);
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
    expect(await count(10)).toBe(5);
    expect(state.admitted).toBe(5);
    clock.t += SPAN + SPREAD - 1;
    expect(await count(10)).toBe(5);
    clock.t += 1 + SPAN;
    expect(await count(10)).toBe(10);
  });

  it('stays in its grace while a send it made alone is under way, and a window after its answer', async () => {
    const { clock, state, limiter, take, count } = setup(2);
    state.up = false;
    const alone = await take();
    expect(alone.ok).toBe(true);
    state.up = true;
    await limiter.reconnected();
    clock.t += SPAN + SPREAD + 5000;
    // Only its share, of which the send under way takes one.
    expect(await count(10)).toBe(4);
    if (alone.ok) alone.permit.release();
    clock.t += SPAN - 1;
    expect(await count(10)).toBe(0);
    clock.t += 1 + SPAN;
    expect(await count(10)).toBe(10);
  });

  it('waits out the pause when Redis fails during its grace period, though its share had a permit', async () => {
    const { clock, state, limiter, take } = setup(2);
    await limiter.reconnected();
    clock.t += 10; // in the grace period: its share is checked first, then Redis, which now fails
    state.up = false;
    expect(await take()).toEqual({ ok: false, limit: 'global', retryAfterMs: SPAN });
    expect(limiter.mode()).toBe('local');
  });

  it('never hands Redis the RoomId of a request that holds its share but still waits for Redis', async () => {
    const { clock, state, shared, limiter, take } = setup(2);
    await limiter.reconnected();
    clock.t += 10; // in the grace period: the share is taken first, then Redis is asked
    // The other replicas hold the whole shared limit: the request waits for Redis with its share in hand.
    for (let i = 0; i < 10; i++) expect((await shared.acquire(req({ key: `other-${i}` }))).ok).toBe(true);
    const leave = new AbortController();
    const waiting = take({ key: 'fresh', maxWaitMs: 5000, signal: leave.signal }).catch(() => 'left');
    // Redis blips (a command of another request timed out) and comes back: the hand-over must not claim the
    // request's RoomId (Redis would refuse the request its own RoomId) nor count its permit as a send.
    limiter.disconnected('a command timed out');
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
    const handedOver = state.imported.at(-1);
    expect(handedOver?.keys.get('create_room')?.has('fresh')).toBe(false);
    expect(handedOver?.sends.get('create_room')).toEqual([]);
    leave.abort();
    expect(await waiting).toBe('left');
  });

  it('waits for a permit within one budget, however long Redis took to fail', async () => {
    const span = 100;
    const { shared, state } = switchableShared();
    const limiter = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0, windowMs: span }),
      replicas: 1,
      spanMs: span,
      reconnectSpreadMs: 0,
    });
    await limiter.reconnected();
    await new Promise((r) => setTimeout(r, span + 10)); // past the grace period
    state.up = false;
    state.hangMs = 50;
    // Redis takes 50 ms of the request's 100 to fail; the fallback's pause (100 ms) is longer than what is left.
    const started = performance.now();
    expect(await limiter.acquire(req({ maxWaitMs: 100 }))).toMatchObject({ ok: false, limit: 'global' });
    expect(performance.now() - started).toBeLessThan(100);
    expect(limiter.mode()).toBe('local');
    // Once the pause has passed, a wait on its own gets what is left as well: nothing is added to it.
    await new Promise((r) => setTimeout(r, span));
    const admitted = await limiter.acquire(req({ maxWaitMs: 100 }));
    expect(admitted).toMatchObject({ ok: true });
    await limiter.close();
  });

  it('does not share again after a hand-over during which a command failed: it hands over again', async () => {
    const { clock, state, limiter, take } = setup(2);
    await limiter.reconnected();
    clock.t += SPAN + SPREAD;
    state.up = false;
    state.hangMs = 50;
    // A request's command hangs; the connection is seen closed meanwhile, and back before the command fails.
    const hung = take({ maxWaitMs: 0 });
    limiter.disconnected('Redis connection closed');
    state.up = true;
    state.importMs = 100;
    await limiter.reconnected();
    // The request fell back while the hand-over ran: what it does on its own is not in what was handed over.
    expect(await hung).toMatchObject({ ok: false });
    expect(limiter.mode()).toBe('local');
    state.importMs = 0;
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
  });

  it('asks Redis too when a wait on its own ends after Redis is back', async () => {
    const span = 100;
    const { shared, state } = switchableShared();
    const local = createMemoryLimiter({ marginMs: 0, windowMs: span });
    const limiter = createResilientLimiter({
      shared,
      local,
      replicas: 1,
      spanMs: span,
      reconnectSpreadMs: 0,
    });
    state.up = false;
    const first = await limiter.acquire(req({ limit: 1 }));
    expect(first.ok).toBe(true);
    // Waits on its own for the one permit, which frees a window after the first send's answer.
    const waiting = limiter.acquire(req({ limit: 1, maxWaitMs: 1000 }));
    if (first.ok) first.permit.release();
    // Meanwhile Redis is back, and another replica has taken the whole shared limit.
    state.up = true;
    await limiter.reconnected();
    const other = await shared.acquire(req({ limit: 1, maxWaitMs: 0 }));
    expect(other.ok).toBe(true);
    expect(await waiting).toMatchObject({ ok: false, limit: 'global' });
  });
});
