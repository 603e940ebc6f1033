import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { acquireRequests } from '../../test/acquire-requests.js';
import { redisBinary, redisForTests } from '../../test/redis.js';
import { createRedisLimiter } from './redis-limiter.js';

describe.skipIf(!redisBinary)('Redis limiter against a real redis-server', () => {
  const r = redisForTests();

  const req = acquireRequests(3);

  it('shares one set of permits between two clients (replicas)', async () => {
    const a = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 200 });
    const b = createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: 200 });
    const results = [
      await a.acquire(req()),
      await b.acquire(req()),
      await a.acquire(req()),
      await b.acquire(req()),
    ];
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ ok: false, limit: 'global' });
  });

  it('sheds load once its queue has stood for longer than a wait and a window, instead of making every newcomer wait', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 200 });
    const held = [await limiter.acquire(req({ limit: 2 })), await limiter.acquire(req({ limit: 2 }))];
    // A waits in this replica's queue: both permits are under way.
    const a = limiter.acquire(req({ limit: 2, maxWaitMs: 5000 }));
    await new Promise((r) => setTimeout(r, 400));
    // The queue has stood longer than B's own wait plus a window: B is refused at once, not after waiting
    // its 150 ms in a line that does not move.
    const started = performance.now();
    const b = await limiter.acquire(req({ limit: 2, maxWaitMs: 150 }));
    expect(b).toMatchObject({ ok: false, limit: 'global' });
    expect(performance.now() - started).toBeLessThan(75);
    // A still gets its permit once one is answered and cools down.
    for (const h of held) if (h.ok) h.permit.release();
    const admitted = await a;
    expect(admitted.ok).toBe(true);
    if (admitted.ok) admitted.permit.release();
  });

  it('refuses on arrival, without Redis, exactly while its queue sheds', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 200 });
    const check = () => limiter.refuseWhileShedding('create_room', 2, 150);
    expect(check()).toBeUndefined();
    const held = [await limiter.acquire(req({ limit: 2 })), await limiter.acquire(req({ limit: 2 }))];
    const a = limiter.acquire(req({ limit: 2, maxWaitMs: 5000 }));
    // A young queue absorbs a burst: for acquire to decide.
    expect(check()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400));
    // The queue has stood longer than a wait plus a window: refused with a window to wait, as acquire would.
    expect(check()).toEqual({ ok: false, limit: 'global', retryAfterMs: 200 });
    expect(await limiter.acquire(req({ limit: 2, maxWaitMs: 150 }))).toMatchObject({
      ok: false,
      limit: 'global',
    });
    for (const h of held) if (h.ok) h.permit.release();
    const admitted = await a;
    expect(admitted.ok).toBe(true);
    if (admitted.ok) admitted.permit.release();
    // No queue left: the next arrival asks Redis again.
    expect(check()).toBeUndefined();
  });

  /**
   * Limit 2: both permits held while a request waits in the queue until it has stood long enough to shed
   * (maxWaitMs 150 and a window of 400). Then both permits are released at once and the waiter leaves. Returns when.
   */
  async function shedThenReleaseBoth(limiter: ReturnType<typeof createRedisLimiter>): Promise<number> {
    const held = [await limiter.acquire(req({ limit: 2 })), await limiter.acquire(req({ limit: 2 }))];
    const leave = new AbortController();
    const waiting = limiter
      .acquire(req({ limit: 2, maxWaitMs: 5000, signal: leave.signal }))
      .catch(() => 'left');
    await new Promise((r) => setTimeout(r, 600));
    // The queue has stood: shedding starts with this refusal and goes on for a window after the last one.
    expect(await limiter.acquire(req({ limit: 2, maxWaitMs: 150 }))).toMatchObject({ ok: false });
    const released = performance.now();
    for (const h of held) if (h.ok) h.permit.release();
    leave.abort();
    expect(await waiting).toBe('left');
    return released;
  }

  it('while shedding a flood, refuses at once an arrival that could go within a pacing interval but not within two arrival gaps', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 400 });
    const released = await shedThenReleaseBoth(limiter);
    // Arrivals back to back, a Redis round trip apart, while both permits cool (one window from their release),
    // until they are within one pacing interval (400 / 2 = 200 ms) and within their wait (150 ms) of cooling,
    // which a lone arrival would wait for.
    while (performance.now() < released + 270) {
      expect(await limiter.acquire(req({ limit: 2, maxWaitMs: 150 }))).toMatchObject({ ok: false });
    }
    const started = performance.now();
    const last = await limiter.acquire(req({ limit: 2, maxWaitMs: 150 }));
    expect(last).toMatchObject({ ok: false, limit: 'global' });
    // Refused at once, though its permit was due within the interval: the next arrivals would take it as soon.
    expect(performance.now() - started).toBeLessThan(50);
    expect(last.ok ? 0 : last.retryAfterMs).toBeLessThan(150);
  });

  it('while shedding, keeps the sends of permits that cooled together apart', async () => {
    // A window of 400 ms and a limit of 2: Redis paces at 150 ms (PACE_FACTOR), and keeps grants 75 ms apart at least.
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 400 });
    // Both answered at once: both permits cool down together, one window from now.
    await shedThenReleaseBoth(limiter);
    const until = performance.now() + 1200;
    const admitted: number[] = [];
    // Arrivals back to back, a Redis round trip apart, until both permits are taken again.
    while (admitted.length < 2 && performance.now() < until) {
      if ((await limiter.acquire(req({ limit: 2, maxWaitMs: 150 }))).ok) admitted.push(performance.now());
    }
    expect(admitted).toHaveLength(2);
    // Taken at once, the two would have gone out a round trip apart, as one burst.
    expect((admitted[1] as number) - (admitted[0] as number)).toBeGreaterThanOrEqual(70);
  });

  it('frees a permit one window after its release, not before', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 200 });
    const first = await limiter.acquire(req({ limit: 1 }));
    expect(first.ok).toBe(true);
    if (first.ok) first.permit.release();
    await new Promise((r) => setTimeout(r, 20));
    const refused = await limiter.acquire(req({ limit: 1 }));
    expect(refused).toMatchObject({ ok: false, limit: 'global' });
    expect(refused.ok ? 0 : refused.retryAfterMs).toBeGreaterThan(100);
    expect(refused.ok ? 0 : refused.retryAfterMs).toBeLessThanOrEqual(200);
    const waited = await limiter.acquire(req({ limit: 1, maxWaitMs: 1000 }));
    expect(waited.ok).toBe(true);
    expect(waited.ok && waited.waitedMs).toBeGreaterThanOrEqual(150);
  });

  it('refuses a busy RoomId across replicas without taking a global permit', async () => {
    const a = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 200 });
    const b = createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: 200 });
    expect((await a.acquire(req({ key: 'room-1' }))).ok).toBe(true);
    expect(await b.acquire(req({ key: 'room-1' }))).toMatchObject({ ok: false, limit: 'room' });
    expect((await b.acquire(req({ key: 'room-2' }))).ok).toBe(true);
    expect((await b.acquire(req({ key: 'room-3' }))).ok).toBe(true);
  });

  it('lets a retry wait for its RoomId to free up', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 150 });
    const first = await limiter.acquire(req({ key: 'room-9' }));
    if (first.ok) first.permit.release();
    const retry = await limiter.acquire(req({ key: 'room-9', waitForKey: true, maxWaitMs: 1000 }));
    expect(retry.ok).toBe(true);
    expect(retry.ok && retry.waitedMs).toBeGreaterThanOrEqual(140);
  });

  it('keeps its keys namespaced, hash-tagged and expiring', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 200, prefix: 'rg-test' });
    const admission = await limiter.acquire(req({ key: 'room-x' }));
    expect(admission.ok).toBe(true);
    const keys = (await r.redis.keys('*')).sort();
    expect(keys).toEqual(['{rg-test:create_room}:log', '{rg-test:create_room}:room:room-x']);
    for (const key of keys) expect(await r.redis.pttl(key)).toBeGreaterThan(0);
  });

  it('adds sends made without Redis to the shared log', async () => {
    const limiter = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 500 });
    await limiter.importRecent({
      sends: new Map([['create_room', [10, 20, 30]]]),
      keys: new Map([['create_room', new Map([['room-y', 10]])]]),
    });
    expect(await limiter.acquire(req())).toMatchObject({ ok: false, limit: 'global' });
    expect(await limiter.acquire(req({ limit: 4, key: 'room-y' }))).toMatchObject({
      ok: false,
      limit: 'room',
    });
  });

  it("never shortens the log's expiry on import: it holds other replicas' leases", async () => {
    const sharing = createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: 500 });
    const lease = await sharing.acquire(req());
    expect(lease.ok).toBe(true);
    const before = await r.redis.pttl('{roomgate:create_room}:log');
    expect(before).toBeGreaterThan(50_000);
    const returning = createRedisLimiter({ redis: r.redis, marginMs: 0, windowMs: 500 });
    await returning.importRecent({ sends: new Map([['create_room', [10]]]), keys: new Map() });
    expect(await r.redis.pttl('{roomgate:create_room}:log')).toBeGreaterThan(before - 1000);
  });

  it('releases again, when Redis is back, a permit whose release it missed, instead of holding its lease', async () => {
    const flaky = new Redis(r.server.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    await flaky.connect();
    try {
      const limiter = createRedisLimiter({ redis: flaky, marginMs: 0, windowMs: 200 });
      const admission = await limiter.acquire(req({ limit: 1 }));
      if (!admission.ok) throw new Error('expected a permit');
      flaky.disconnect();
      admission.permit.release();
      await new Promise((r) => setTimeout(r, 20));
      await flaky.connect();
      // Its lease (a minute) still holds the one permit there is.
      expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject({ ok: false, limit: 'global' });
      await limiter.importRecent({ sends: new Map(), keys: new Map() });
      await new Promise((r) => setTimeout(r, 210));
      expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject({ ok: true });
    } finally {
      flaky.disconnect();
    }
  });
});
