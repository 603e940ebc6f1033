import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningRedis, redisBinary, startRedis } from '../../test/redis.js';
import type { AcquireRequest, Permit } from './limiter.js';
import { createMemoryLimiter } from './memory-limiter.js';
import { createRedisLimiter } from './redis-limiter.js';
import { createResilientLimiter } from './resilient-limiter.js';

/** The resilient limiter over a real redis-server, across the edges of an outage. */
describe.skipIf(!redisBinary)('resilient limiter against a real redis-server, as Redis blips', () => {
  let server: RunningRedis;
  let redis: Redis;
  let other: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
    other = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    other?.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  const WINDOW = 200;
  const req = (overrides: Partial<AcquireRequest> = {}): AcquireRequest => ({
    bucket: 'create_room',
    limit: 3,
    maxWaitMs: 0,
    waitForKey: false,
    ...overrides,
  });

  it('never refuses a request its own RoomId after a hand-over while it held its share and waited for Redis', async () => {
    const limiter = createResilientLimiter({
      shared: createRedisLimiter({ redis, marginMs: 0, windowMs: WINDOW }),
      local: createMemoryLimiter({ marginMs: 0, windowMs: WINDOW }),
      replicas: 3,
      spanMs: WINDOW,
      reconnectSpreadMs: 3000,
    });
    await limiter.reconnected(); // shared, in its grace period: the share first, then Redis
    // The other replicas hold the whole shared limit for now.
    const others = createRedisLimiter({ redis: other, marginMs: 0, windowMs: WINDOW });
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
    expect(await redis.pttl('{roomgate:create_room}:room:fresh')).toBeLessThan(0);
    for (const p of held) p.release();
    // The first and only request for the RoomId goes once the others' permits have cooled.
    const admission = await first;
    expect(admission).toMatchObject({ ok: true });
    if (admission.ok) admission.permit.release();
    await limiter.close();
  });
});
