import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AcquireRequest, Admission } from './limiter.js';
import { createMemoryLimiter } from './memory-limiter.js';

/** A limiter on a clock that moves only when the test says so (1,000 ms window + 25 ms margin). */
function fakeClockLimiter(windowMs = 1000, marginMs = 25) {
  const clock = { t: 0 };
  const limiter = createMemoryLimiter({ windowMs, marginMs, now: () => clock.t });
  return { limiter, clock, span: windowMs + marginMs };
}

const req = (overrides: Partial<AcquireRequest> = {}): AcquireRequest => ({
  bucket: 'create_room',
  limit: 3,
  maxWaitMs: 0,
  waitForKey: false,
  ...overrides,
});

describe('memory limiter, global limit', () => {
  it('admits `limit` requests at once without waiting', async () => {
    const { limiter } = fakeClockLimiter();
    for (let i = 0; i < 5; i++) {
      expect(await limiter.acquire(req({ limit: 5 }))).toEqual({ ok: true, waitedMs: 0 });
    }
  });

  it('refuses the next one when it may not wait, saying when the oldest slot leaves the window', async () => {
    const { limiter, clock } = fakeClockLimiter();
    for (let i = 0; i < 3; i++) {
      await limiter.acquire(req());
      clock.t += 10;
    }
    clock.t = 100;
    expect(await limiter.acquire(req())).toEqual({ ok: false, limit: 'global', retryAfterMs: 1025 - 100 });
  });

  it('refuses when the slot is further away than maxWaitMs', async () => {
    const { limiter } = fakeClockLimiter();
    await limiter.acquire(req({ limit: 1 }));
    expect(await limiter.acquire(req({ limit: 1, maxWaitMs: 1024 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 1025,
    });
  });

  it('reserves nothing for a refused request', async () => {
    const { limiter, clock } = fakeClockLimiter();
    await limiter.acquire(req({ limit: 1 }));
    for (let i = 0; i < 10; i++) {
      clock.t += 50;
      expect((await limiter.acquire(req({ limit: 1 }))).ok).toBe(false);
    }
    clock.t = 1025;
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({ ok: true, waitedMs: 0 });
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 1025,
    });
  });

  it('counts a sliding window, not fixed one-second windows', async () => {
    const { limiter, clock } = fakeClockLimiter(1000, 0);
    const two = req({ limit: 2 });
    await limiter.acquire(two); // t = 0
    clock.t = 900;
    await limiter.acquire(two);
    clock.t = 1000;
    expect((await limiter.acquire(two)).ok).toBe(true); // the one at 0 has left
    clock.t = 1100;
    // A fixed window [1000, 2000) would still have room; the span (100, 1100] already holds two.
    expect(await limiter.acquire(two)).toEqual({ ok: false, limit: 'global', retryAfterMs: 800 });
  });

  it('keeps buckets apart', async () => {
    const { limiter } = fakeClockLimiter();
    expect((await limiter.acquire(req({ bucket: 'create_room', limit: 1 }))).ok).toBe(true);
    expect((await limiter.acquire(req({ bucket: 'destroy_room', limit: 1 }))).ok).toBe(true);
    expect((await limiter.acquire(req({ bucket: 'create_room', limit: 1 }))).ok).toBe(false);
  });

  it('waits for the oldest slot to leave the window plus margin when it may', async () => {
    const limiter = createMemoryLimiter({ windowMs: 150, marginMs: 20 });
    const first = performance.now();
    await limiter.acquire(req({ limit: 2 }));
    await limiter.acquire(req({ limit: 2 }));
    const admission = await limiter.acquire(req({ limit: 2, maxWaitMs: 1000 }));
    const admittedAt = performance.now();
    expect(admission.ok).toBe(true);
    expect(admittedAt - first).toBeGreaterThanOrEqual(170 - 2);
    expect(admission.ok && admission.waitedMs).toBeGreaterThanOrEqual(165);
    expect(admission.ok && admission.waitedMs).toBeLessThan(600);
  });

  it('paces queued waiters one window apart, each no earlier than its reserved slot', async () => {
    const limiter = createMemoryLimiter({ windowMs: 60, marginMs: 5 });
    const one = req({ limit: 1, maxWaitMs: 2000 });
    const start = performance.now();
    const times = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const admission = await limiter.acquire(one);
        expect(admission.ok).toBe(true);
        return performance.now() - start;
      }),
    );
    // Timers may fire late (which the margin absorbs) but never before the slot: k spans after the first.
    for (const [k, at] of times.entries()) expect(at).toBeGreaterThanOrEqual(k * 65 - 1);
  });
});

describe('memory limiter, per key', () => {
  it('refuses the same key within the window as a room refusal', async () => {
    const { limiter, clock } = fakeClockLimiter();
    await limiter.acquire(req({ key: 'r1' }));
    clock.t = 300;
    expect(await limiter.acquire(req({ key: 'r1', maxWaitMs: 5000 }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: 725,
    });
  });

  it('does not spend a global slot on a room refusal', async () => {
    const { limiter } = fakeClockLimiter();
    expect((await limiter.acquire(req({ key: 'r1' }))).ok).toBe(true);
    for (let i = 0; i < 5; i++)
      expect(await limiter.acquire(req({ key: 'r1' }))).toMatchObject({ limit: 'room' });
    // limit is 3: r1 used one, so exactly two more fit, and then the global limit is reached.
    expect((await limiter.acquire(req({ key: 'r2' }))).ok).toBe(true);
    expect((await limiter.acquire(req({ key: 'r3' }))).ok).toBe(true);
    expect(await limiter.acquire(req({ key: 'r4' }))).toMatchObject({ ok: false, limit: 'global' });
  });

  it('admits the key again exactly one window plus margin later', async () => {
    const { limiter, clock } = fakeClockLimiter();
    await limiter.acquire(req({ key: 'r1' }));
    clock.t = 1024;
    expect(await limiter.acquire(req({ key: 'r1' }))).toEqual({ ok: false, limit: 'room', retryAfterMs: 1 });
    clock.t = 1025;
    expect(await limiter.acquire(req({ key: 'r1' }))).toEqual({ ok: true, waitedMs: 0 });
  });

  it('does not mark a key whose request was refused for the global limit', async () => {
    const { limiter, clock } = fakeClockLimiter();
    await limiter.acquire(req({ limit: 1, key: 'a' }));
    clock.t = 500;
    expect(await limiter.acquire(req({ limit: 1, key: 'b' }))).toMatchObject({ ok: false, limit: 'global' });
    clock.t = 1025;
    expect((await limiter.acquire(req({ limit: 1, key: 'b' }))).ok).toBe(true);
  });

  it('refuses at once when the key frees up later than maxWaitMs, even for a retry', async () => {
    const { limiter, clock } = fakeClockLimiter();
    await limiter.acquire(req({ key: 'r1' }));
    clock.t = 25;
    expect(await limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 999 }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: 1000,
    });
  });

  it('lets a retry wait out the key window and then admits it', async () => {
    const limiter = createMemoryLimiter({ windowMs: 100, marginMs: 10 });
    await limiter.acquire(req({ key: 'r1' }));
    const first = performance.now();
    const admission = await limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 1000 }));
    expect(admission.ok).toBe(true);
    expect(performance.now() - first).toBeGreaterThanOrEqual(110 - 2);
    expect(admission.ok && admission.waitedMs).toBeGreaterThanOrEqual(105);
  });

  it('holds the key while a retry waits for it, refusing other requests for it', async () => {
    const limiter = createMemoryLimiter({ windowMs: 100, marginMs: 10 });
    await limiter.acquire(req({ key: 'r1' }));
    const retry = limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 1000 }));
    expect(await limiter.acquire(req({ key: 'r1', waitForKey: false, maxWaitMs: 1000 }))).toMatchObject({
      ok: false,
      limit: 'room',
    });
    expect(await limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 1000 }))).toMatchObject({
      ok: false,
      limit: 'room',
    });
    expect((await retry).ok).toBe(true);
    // The retry was just sent, so the key is busy for another window.
    expect(await limiter.acquire(req({ key: 'r1' }))).toMatchObject({ ok: false, limit: 'room' });
  });

  it('admits a retry whose key wait used its whole budget when a global slot is free', async () => {
    const { limiter, clock } = fakeClockLimiter(100, 0);
    await limiter.acquire(req({ key: 'k', limit: 10 }));
    // The key frees at 100; the fake clock jumps past it during the wait, as a late timer would.
    const retry = limiter.acquire(req({ key: 'k', limit: 10, waitForKey: true, maxWaitMs: 100 }));
    clock.t = 101;
    expect(await retry).toMatchObject({ ok: true });
  });

  it('does not invite an early retry while the key is held by a waiting retry', async () => {
    const { limiter, span } = fakeClockLimiter();
    await limiter.acquire(req({ key: 'k' }));
    const retry = limiter.acquire(req({ key: 'k', waitForKey: true, maxWaitMs: 5000 }));
    const refused = await limiter.acquire(req({ key: 'k' }));
    expect(refused).toEqual({ ok: false, limit: 'room', retryAfterMs: 2 * span });
    void retry.catch(() => undefined);
  });

  it('tells a request for a key whose send is queued in the future to wait until a window after it', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    await limiter.acquire(req({ limit: 1 }));
    clock.t = 10;
    const queued = limiter.acquire(req({ limit: 1, key: 'k', maxWaitMs: 5000 }));
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span + span - 10,
    });
    void queued.catch(() => undefined);
  });

  it('keeps keys apart', async () => {
    const { limiter } = fakeClockLimiter();
    expect((await limiter.acquire(req({ key: 'r1' }))).ok).toBe(true);
    expect((await limiter.acquire(req({ key: 'r2' }))).ok).toBe(true);
    expect((await limiter.acquire(req({ key: 'r1', bucket: 'destroy_room' }))).ok).toBe(true);
  });
});

describe('memory limiter, abort', () => {
  it('rejects an already aborted acquisition without reserving anything', async () => {
    const { limiter } = fakeClockLimiter();
    await expect(limiter.acquire(req({ limit: 1, signal: AbortSignal.abort() }))).rejects.toThrow();
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({ ok: true, waitedMs: 0 });
  });

  it('rejects an aborted wait and gives its slot back when it was the newest reservation', async () => {
    const { limiter } = fakeClockLimiter(200, 0);
    await limiter.acquire(req({ limit: 1 })); // slot 0
    const controller = new AbortController();
    const waiting = limiter.acquire(req({ limit: 1, maxWaitMs: 1000, signal: controller.signal })); // slot 200
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 400,
    });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    // Slot 200 is free again: the next request would get it, not 400.
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 200,
    });
  });

  it('keeps the slot of an aborted wait that others already queued behind', async () => {
    const { limiter } = fakeClockLimiter(200, 0);
    await limiter.acquire(req({ limit: 1 })); // slot 0
    const b = new AbortController();
    const c = new AbortController();
    const waitingB = limiter.acquire(req({ limit: 1, maxWaitMs: 1000, signal: b.signal })); // slot 200
    const waitingC = limiter.acquire(req({ limit: 1, maxWaitMs: 1000, signal: c.signal })); // slot 400
    b.abort();
    await expect(waitingB).rejects.toMatchObject({ name: 'AbortError' });
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 600,
    });
    c.abort();
    await expect(waitingC).rejects.toMatchObject({ name: 'AbortError' });
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 400,
    });
  });

  it('frees the key of an aborted wait', async () => {
    const { limiter } = fakeClockLimiter(200, 0);
    await limiter.acquire(req({ limit: 1, key: 'a' }));
    const controller = new AbortController();
    const waiting = limiter.acquire(req({ limit: 1, key: 'k', maxWaitMs: 1000, signal: controller.signal }));
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toMatchObject({ ok: false, limit: 'room' });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 200,
    });
  });

  it('restores the key of a retry aborted while it waited for that key', async () => {
    const { limiter, clock } = fakeClockLimiter(200, 0);
    await limiter.acquire(req({ key: 'k' })); // key sent at 0
    const controller = new AbortController();
    const retry = limiter.acquire(
      req({ key: 'k', waitForKey: true, maxWaitMs: 1000, signal: controller.signal }),
    );
    controller.abort();
    await expect(retry).rejects.toMatchObject({ name: 'AbortError' });
    clock.t = 50;
    // Busy until 200 because of the send at 0, not held for a retry that left.
    expect(await limiter.acquire(req({ key: 'k' }))).toEqual({ ok: false, limit: 'room', retryAfterMs: 150 });
    clock.t = 200;
    expect((await limiter.acquire(req({ key: 'k' }))).ok).toBe(true);
  });
});

describe('memory limiter, properties', () => {
  const arrival = fc.record({
    dt: fc.integer({ min: 0, max: 400 }),
    key: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
    waitForKey: fc.boolean(),
  });

  it('never admits more than `limit` in any span, nor a key twice in one, and refuses only with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 100, max: 1000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.array(arrival, { maxLength: 80 }),
        async (limit, windowMs, marginMs, arrivals) => {
          const span = windowMs + marginMs;
          const clock = { t: 0 };
          const limiter = createMemoryLimiter({ windowMs, marginMs, now: () => clock.t });
          const admitted: { t: number; key: string | undefined }[] = [];
          for (const { dt, key, waitForKey } of arrivals) {
            clock.t += dt;
            const result: Admission = await limiter.acquire({
              bucket: 'b',
              limit,
              key,
              maxWaitMs: 0,
              waitForKey,
            });

            // A reference model of the same rules, judged from the admissions so far.
            const lastOfKey = key === undefined ? undefined : admitted.findLast((a) => a.key === key);
            const limitBack = admitted.length >= limit ? admitted[admitted.length - limit] : undefined;
            let expected: Admission;
            if (lastOfKey && lastOfKey.t + span > clock.t) {
              expected = { ok: false, limit: 'room', retryAfterMs: lastOfKey.t + span - clock.t };
            } else if (limitBack && limitBack.t + span > clock.t) {
              expected = { ok: false, limit: 'global', retryAfterMs: limitBack.t + span - clock.t };
            } else {
              expected = { ok: true, waitedMs: 0 };
            }
            expect(result).toEqual(expected);
            if (result.ok) admitted.push({ t: clock.t, key });
          }

          for (const [i, a] of admitted.entries()) {
            const inSpan = admitted.slice(i).filter((b) => b.t - a.t < span);
            expect(inSpan.length).toBeLessThanOrEqual(limit);
            if (a.key !== undefined) expect(inSpan.filter((b) => b.key === a.key)).toHaveLength(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
