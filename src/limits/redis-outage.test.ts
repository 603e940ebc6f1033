import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRequests } from '../../test/acquire-requests.js';
import { redisBinary, redisForTests } from '../../test/redis.js';
import type { Permit } from './limiter.js';
import { createMemoryLimiter } from './memory-limiter.js';
import { createRedisLimiter } from './redis-limiter.js';
import { ACQUIRE_SCRIPT, CANCEL_SCRIPT } from './redis-scripts.js';
import { createResilientLimiter } from './resilient-limiter.js';

/** The resilient limiter over a real redis-server, across the edges of an outage. */
describe.skipIf(!redisBinary)('resilient limiter against a real redis-server, as Redis blips', () => {
  const r = redisForTests({ maxRetriesPerRequest: 0 });

  const WINDOW = 200;
  /** Stops and continues the redis-server process: it hangs, as under SIGSTOP, a long GC pause or a full disk. */
  let stopped: number | undefined;
  const hang = async () => {
    const info = await r.redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    process.kill(pid, 'SIGSTOP');
    stopped = pid;
    return () => {
      process.kill(pid, 'SIGCONT');
      stopped = undefined;
    };
  };
  // A test that failed while Redis hung must not leave it hanging for the next.
  afterEach(() => {
    if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
    stopped = undefined;
  });
  /** A connection as create-limits.ts makes it, with a shorter command timeout. */
  const gatewayConnection = async () => {
    const connection = new Redis(r.server.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 100,
      lazyConnect: true,
    });
    await connection.connect();
    return connection;
  };
  /** A gateway's limiter, one of three replicas, over `connection` with spans of `windowMs`. */
  const resilientOver = (connection: Redis, windowMs: number, reconnectSpreadMs: number) =>
    createResilientLimiter({
      shared: createRedisLimiter({ redis: connection, marginMs: 0, windowMs }),
      local: createMemoryLimiter({ marginMs: 0, windowMs }),
      replicas: 3,
      spanMs: windowMs,
      reconnectSpreadMs,
    });
  const req = acquireRequests(3);

  it('never refuses a request its own RoomId after a hand-over while it held its share and waited for Redis', async () => {
    const limiter = resilientOver(r.redis, WINDOW, 3000);
    await limiter.reconnected(); // shared, in its grace period: the share first, then Redis
    // The other replicas hold the whole shared limit for now.
    const others = createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: WINDOW });
    const held: Permit[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await others.acquire(req({ key: `other-${i}` }));
      if (a.ok) held.push(a.permit);
    }
    expect(held).toHaveLength(3);
    const first = limiter.acquire(req({ key: 'fresh', maxWaitMs: 3000 }));
    await new Promise((r) => setTimeout(r, 50));
    // A command of another request timed out meanwhile, and Redis answers again: the hand-over.
    limiter.disconnected('a command timed out');
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
    expect(await r.redis.pttl('{roomgate:create_room}:room:fresh')).toBeLessThan(0);
    for (const p of held) p.release();
    // The first and only request for the RoomId goes once the others' permits have cooled.
    const admission = await first;
    expect(admission).toMatchObject({ ok: true });
    if (admission.ok) admission.permit.release();
    await limiter.close();
  });

  it('takes back, once Redis answers again, a grant whose command timed out: neither its permit nor its RoomId stays held', async () => {
    const flaky = await gatewayConnection();
    try {
      const limiter = createRedisLimiter({ redis: flaky, marginMs: 0, windowMs: WINDOW });
      const resume = await hang();
      // The gateway gives up after its command timeout; Redis runs the script when it resumes.
      await expect(limiter.acquire(req({ limit: 1, key: 'lost' }))).rejects.toThrow(/timed out/);
      resume();
      await new Promise((r) => setTimeout(r, 50));
      const sharing = createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: WINDOW });
      // Its grant holds the one permit there is, for a minute's lease.
      expect(await sharing.acquire(req({ limit: 1 }))).toMatchObject({ ok: false, limit: 'global' });
      await limiter.importRecent({ sends: new Map(), keys: new Map() });
      // Taken back: nothing was sent with it, so nothing cools either.
      const again = await sharing.acquire(req({ limit: 1, key: 'lost' }));
      expect(again).toMatchObject({ ok: true });
      if (again.ok) again.permit.release();
    } finally {
      flaky.disconnect();
    }
  });

  it('leaves the whole shared limit to the replicas after a hang in which its commands timed out', async () => {
    const flaky = await gatewayConnection();
    try {
      const limiter = resilientOver(flaky, WINDOW, 0);
      await limiter.reconnected();
      await new Promise((r) => setTimeout(r, WINDOW)); // past the grace period
      const resume = await hang();
      // Timed out, then refused: the fallback sends nothing on its own for a window.
      expect(await limiter.acquire(req({ key: 'gave-up' }))).toMatchObject({ ok: false, limit: 'global' });
      expect(limiter.mode()).toBe('local');
      resume();
      await limiter.reconnected();
      expect(limiter.mode()).toBe('shared');
      const sharing = createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: WINDOW });
      const taken = [];
      for (let i = 0; i < 3; i++) taken.push(await sharing.acquire(req({ key: `other-${i}` })));
      expect(taken.map((a) => a.ok)).toEqual([true, true, true]);
      for (const a of taken) if (a.ok) a.permit.release();
      await limiter.close();
    } finally {
      flaky.disconnect();
    }
  });

  it("keeps a request's whole wait within its budget while Redis hangs, and one command timeout at most", async () => {
    const flaky = await gatewayConnection(); // its commands time out after 100 ms
    const span = 250;
    try {
      const limiter = resilientOver(flaky, span, 0);
      await limiter.reconnected();
      await new Promise((r) => setTimeout(r, span)); // past the grace period
      const resume = await hang();
      // The timeout takes 100 ms of 300; the fallback's pause (250 ms) does not fit in what is left.
      let started = performance.now();
      expect(await limiter.acquire(req({ maxWaitMs: 300 }))).toMatchObject({ ok: false, limit: 'global' });
      expect(performance.now() - started).toBeLessThan(300);
      resume();
      await limiter.reconnected();
      await new Promise((r) => setTimeout(r, span)); // past the grace period
      const again = await hang();
      // A command under way when the budget runs out still has its timeout to run: that much more, no more.
      started = performance.now();
      expect(await limiter.acquire(req({ maxWaitMs: 20 }))).toMatchObject({ ok: false, limit: 'global' });
      expect(performance.now() - started).toBeLessThan(20 + 100 + 50);
      again();
      // Its grant is taken back on the hand-over, before the next test's flush could run ahead of it.
      await limiter.reconnected();
      await limiter.close();
    } finally {
      flaky.disconnect();
    }
  });

  it('does not ask Redis for a queued request whose budget ran out behind a command that hung', async () => {
    const flaky = await gatewayConnection(); // its commands time out after 100 ms
    try {
      const limiter = createRedisLimiter({ redis: flaky, marginMs: 0, windowMs: WINDOW });
      // Another replica holds the one permit: both requests queue, the second behind the first.
      const held = await createRedisLimiter({ redis: r.other, marginMs: 0, windowMs: WINDOW }).acquire(
        req({ limit: 1 }),
      );
      expect(held.ok).toBe(true);
      const first = limiter.acquire(req({ limit: 1, maxWaitMs: 1000 })).catch((err: Error) => err.message);
      const started = performance.now();
      const second = limiter.acquire(req({ limit: 1, maxWaitMs: 50 })).catch((err: Error) => err.message);
      await new Promise((r) => setTimeout(r, 10));
      const resume = await hang();
      // The first one's next question hangs for its timeout; by then the second one's budget is gone, and
      // asking anyway would add a timeout of its own.
      expect(await second).toMatchObject({ ok: false, limit: 'global' });
      expect(performance.now() - started).toBeLessThan(50 + 100 + 30);
      expect(await first).toMatch(/timed out/);
      resume();
      await limiter.importRecent({ sends: new Map(), keys: new Map() });
      if (held.ok) held.permit.release();
    } finally {
      flaky.disconnect();
    }
  });

  it('takes nothing for a grant whose taking back reached Redis first (over a new connection, say)', async () => {
    // A bucket of its own: a command of an earlier test may still run on a connection that Redis reads late.
    const log = '{roomgate:cancel-first}:log';
    const room = '{roomgate:cancel-first}:room:early';
    const mark = '{roomgate:cancel-first}:cancelled:m1';
    await r.redis.eval(CANCEL_SCRIPT, 3, log, room, mark, 'm1', '1', 60_000);
    const reply = await r.redis.eval(
      ACQUIRE_SCRIPT,
      5,
      log,
      room,
      '{roomgate:cancel-first}:pace',
      '{roomgate:cancel-first}:apart',
      mark,
      1,
      60_000_000,
      '1',
      'm1',
      '0',
      150_000,
      8,
      0,
    );
    expect(reply).toEqual([0, 'global', '0']);
    expect(await r.redis.zcard(log)).toBe(0);
    expect(await r.redis.exists(room)).toBe(0);
  });
});
