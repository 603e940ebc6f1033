import { describe, expect, it } from 'vitest';
import type { AcquireRequest, Admission } from './limiter.js';
import { createMemoryLimiter, type RecentSends } from './memory-limiter.js';
import type { RedisLimiter } from './redis-limiter.js';
import { createResilientLimiter, type LimiterMode } from './resilient-limiter.js';

/** A shared limiter whose Redis can be switched off: the failure is what is under test here. */
function switchableShared() {
  const state = { up: true, imported: [] as RecentSends[], admitted: 0 };
  const backing = createMemoryLimiter({ marginMs: 0 });
  const shared: RedisLimiter = {
    async acquire(req) {
      if (!state.up) throw new Error('Command timed out');
      const admission = await backing.acquire(req);
      if (admission.ok) state.admitted++;
      return admission;
    },
    refuseWhileShedding: (bucket, limit, maxWaitMs) => backing.refuseWhileShedding(bucket, limit, maxWaitMs),
    async importRecent(recent) {
      if (!state.up) throw new Error('Connection is closed');
      state.imported.push(recent);
    },
    async close() {},
  };
  return { shared, state };
}

const req = (overrides: Partial<AcquireRequest> = {}): AcquireRequest => ({
  bucket: 'create_room',
  limit: 10,
  maxWaitMs: 0,
  waitForKey: false,
  ...overrides,
});

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
    const { shared, state } = switchableShared();
    const modes: LimiterMode[] = [];
    const limiter = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0 }),
      replicas: 4,
      onModeChange: (mode) => modes.push(mode),
    });
    expect(limiter.mode()).toBe('local');
    await limiter.reconnected();
    expect(limiter.mode()).toBe('shared');
    expect(await admitAll(limiter, 3)).toBe(3);
    expect(state.admitted).toBe(3);

    state.up = false;
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
    });
    expect(await admitAll(limiter, 10)).toBe(2);
    const lonely = createResilientLimiter({
      shared,
      local: createMemoryLimiter({ marginMs: 0 }),
      replicas: 50,
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
    });
    await limiter.reconnected();
    const controller = new AbortController();
    controller.abort(new Error('caller left'));
    await expect(limiter.acquire(req({ signal: controller.signal }))).rejects.toThrow('caller left');
    expect(limiter.mode()).toBe('shared');
  });
});
