import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acquireRequests } from '../../test/acquire-requests.js';
import type { AcquireRequest, Admission, Permit } from './limiter.js';
import { createMemoryLimiter, type MemoryLimiter, type MemoryLimiterOptions } from './memory-limiter.js';

/**
 * Two kinds of clock. Decisions taken at once (maxWaitMs 0, refusals, hold/recent) run on a fake clock that
 * moves only when the test says so, and are checked exactly. Waits run on real timers, so those tests use
 * small windows on the real clock and check lower bounds only: a grant may come late, never early. Node's
 * timers themselves count whole milliseconds and may fire up to 1 ms before `performance.now()` says they
 * should; bounds that rest on a bare timer (deadlines, a retry's wait for its key) allow for that.
 */
const TIMER_SLACK_MS = 1;

function fakeClockLimiter(windowMs = 100, marginMs = 10, extra: Partial<MemoryLimiterOptions> = {}) {
  const clock = { t: 0 };
  const limiter = createMemoryLimiter({ windowMs, marginMs, now: () => clock.t, ...extra });
  return { limiter, clock, span: windowMs + marginMs };
}

const req = acquireRequests(2);

/** Acquires a permit that must be granted. */
async function grant(limiter: MemoryLimiter, request: AcquireRequest): Promise<Permit> {
  const admission = await limiter.acquire(request);
  if (!admission.ok) throw new Error(`expected a permit, got ${JSON.stringify(admission)}`);
  return admission.permit;
}

/** How an acquisition ends: admitted, refused, or rejected (with what). */
const settle = (admission: Promise<Admission>) =>
  admission.then(
    (value) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );

const granted = { ok: true, waitedMs: 0 } as const;

/** Floating-point rounding in `started + waitedMs`. */
const ROUNDING = 1e-9;

/**
 * A limiter on the real clock, read once per synchronous run: its decision to grant and the waitedMs it reports
 * carry the same reading, so `started + waitedMs` is exactly when it granted. Readings never run ahead of real
 * time, so lower bounds on them hold in real time too. `started()` is the reading that acquisitions made in the
 * same synchronous run start from.
 */
function exactGrantTimes(opts: Omit<MemoryLimiterOptions, 'now'>) {
  let reading: number | undefined;
  const now = () => {
    if (reading === undefined) {
      reading = performance.now();
      queueMicrotask(() => {
        reading = undefined;
      });
    }
    return reading;
  };
  return {
    limiter: createMemoryLimiter({ ...opts, now }),
    started: now,
    grantedAt: (started: number, admission: Admission & { ok: true }) => started + admission.waitedMs,
  };
}

describe('memory limiter, permits', () => {
  it('grants up to `limit` permits at once without waiting', async () => {
    const { limiter, span } = fakeClockLimiter();
    const permits = new Set<Permit>();
    for (let i = 0; i < 3; i++) {
      const admission = await limiter.acquire(req({ limit: 3 }));
      expect(admission).toMatchObject(granted);
      if (admission.ok) permits.add(admission.permit);
    }
    expect(permits.size).toBe(3);
    expect(await limiter.acquire(req({ limit: 3 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
  });

  it('refuses at once with a full span when every permit is still in flight', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    await grant(limiter, req());
    clock.t = 40;
    await grant(limiter, req());
    clock.t = 70;
    // An in-flight permit frees a span after its answer at the earliest, and the answer is not in yet.
    expect(await limiter.acquire(req())).toEqual({ ok: false, limit: 'global', retryAfterMs: span });
  });

  it('refuses at once with the time until the oldest released permit has cooled down', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    const a = await grant(limiter, req());
    const b = await grant(limiter, req());
    clock.t = 20;
    a.release(); // counts until 20 + span
    clock.t = 50;
    b.release(); // counts until 50 + span
    clock.t = 60;
    expect(await limiter.acquire(req())).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 20 + span - 60,
    });
    clock.t = 20 + span - 1;
    expect(await limiter.acquire(req())).toEqual({ ok: false, limit: 'global', retryAfterMs: 1 });
    clock.t = 20 + span;
    expect(await limiter.acquire(req())).toMatchObject(granted);
    expect(await limiter.acquire(req())).toEqual({ ok: false, limit: 'global', retryAfterMs: 30 });
  });

  it('keeps blocking with a permit that is never released, however long ago it was granted', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    await grant(limiter, req({ limit: 1 }));
    for (const t of [span, 10 * span, 1_000_000]) {
      clock.t = t;
      expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
        ok: false,
        limit: 'global',
        retryAfterMs: span,
      });
    }
  });

  it('starts the cool-down at release, not at grant', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    const permit = await grant(limiter, req({ limit: 1 }));
    clock.t = 500;
    permit.release();
    clock.t = 500 + span - 1;
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({ ok: false, limit: 'global', retryAfterMs: 1 });
    clock.t = 500 + span;
    expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject(granted);
  });

  it('refuses at once, without queueing, when the estimated wait exceeds maxWaitMs', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 0);
    const held = await grant(limiter, req({ limit: 1 }));
    // In flight: a span at least.
    expect(await limiter.acquire(req({ limit: 1, maxWaitMs: span - 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
    held.release(); // cools at `span`
    clock.t = 10;
    expect(await limiter.acquire(req({ limit: 1, maxWaitMs: span - 11 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span - 10,
    });
    // Nothing was queued by the refusals: the permit goes to the next request as soon as it has cooled.
    clock.t = span;
    expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject(granted);
  });

  it('reports a key as busy while a send of it is under way, not while a request for it only waits', async () => {
    const { limiter } = fakeClockLimiter();
    await grant(limiter, req({ limit: 1, key: 'sent' }));
    const waiting = limiter.acquire(req({ limit: 1, key: 'queued', maxWaitMs: 5000 }));
    expect(limiter.recent().keys.get('create_room')).toEqual(new Map([['sent', 0]]));
    await limiter.close();
    expect(await waiting).toMatchObject({ ok: false });
  });

  it('leaves a reserved permit and its key out of recent() until it is sent, though it counts here at once', async () => {
    const { limiter } = fakeClockLimiter();
    const reserved = limiter.reserve(req({ limit: 1, key: 'reserved' }));
    if (reserved instanceof Promise || !reserved.ok) throw new Error('expected a permit at once');
    // Handed to Redis, the reservation would hold its own RoomId there against its own shared admission.
    expect(limiter.recent()).toEqual({
      sends: new Map([['create_room', []]]),
      keys: new Map([['create_room', new Map()]]),
    });
    expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject({ ok: false, limit: 'global' });
    expect(await limiter.acquire(req({ limit: 2, key: 'reserved' }))).toMatchObject({
      ok: false,
      limit: 'room',
    });
    reserved.permit.sent();
    reserved.permit.sent();
    expect(limiter.recent().sends.get('create_room')).toEqual([0]);
    expect(limiter.recent().keys.get('create_room')).toEqual(new Map([['reserved', 0]]));
    reserved.permit.release();
    expect(limiter.recent().sends.get('create_room')).toEqual([0]);
    expect(limiter.recent().keys.get('create_room')).toEqual(new Map([['reserved', 0]]));
    // A reservation given back leaves nothing behind either.
    const unused = limiter.reserve(req({ limit: 2, key: 'unused' }));
    if (unused instanceof Promise || !unused.ok) throw new Error('expected a permit at once');
    unused.permit.cancel();
    expect(limiter.recent().sends.get('create_room')).toEqual([0]);
    expect(await limiter.acquire(req({ limit: 2, key: 'unused' }))).toMatchObject(granted);
  });

  it('reports a key a retry waits for as cooling from its last send, not as busy: the retry was not sent', async () => {
    const { limiter, clock } = fakeClockLimiter();
    (await grant(limiter, req({ key: 'k' }))).release();
    clock.t = 10;
    const leave = new AbortController();
    const retry = settle(
      limiter.acquire(req({ key: 'k', waitForKey: true, maxWaitMs: 5000, signal: leave.signal })),
    );
    expect(limiter.recent().keys.get('create_room')).toEqual(new Map([['k', 10]]));
    expect(limiter.recent().sends.get('create_room')).toEqual([10]);
    leave.abort(new Error('caller left'));
    expect(await retry).toMatchObject({ rejected: true });
  });

  it('takes a cancelled permit back at once, as if never granted: nothing cools, the key is free', async () => {
    const { limiter } = fakeClockLimiter();
    const a = await grant(limiter, req({ limit: 1, key: 'k' }));
    a.cancel?.();
    a.cancel?.();
    a.release();
    expect(limiter.recent().sends.get('create_room')).toEqual([]);
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toMatchObject(granted);
  });

  it('treats release as idempotent', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    const a = await grant(limiter, req({ key: 'k' }));
    await grant(limiter, req()); // stays in flight
    a.release();
    a.release();
    a.release();
    // One answered now, one under way (reported as if answered now): two, not four.
    expect(limiter.recent().sends.get('create_room')).toEqual([0, 0]);
    clock.t = span;
    // One permit is still in flight, so exactly one more fits, and the key is free once, not twice over.
    const b = await grant(limiter, req({ key: 'k' }));
    expect(await limiter.acquire(req())).toEqual({ ok: false, limit: 'global', retryAfterMs: span });
    expect(await limiter.acquire(req({ key: 'k' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span,
    });
    b.release();
    b.release();
    expect(limiter.recent().sends.get('create_room')).toEqual([0, 0]);
  });

  it('keeps buckets independent', async () => {
    const { limiter, span } = fakeClockLimiter();
    await grant(limiter, req({ bucket: 'create_room', limit: 1, key: 'r1' }));
    // A queued waiter in one bucket does not hold up another.
    const controller = new AbortController();
    const waiting = settle(
      limiter.acquire(req({ bucket: 'create_room', limit: 1, maxWaitMs: 5000, signal: controller.signal })),
    );
    expect(await limiter.acquire(req({ bucket: 'destroy_room', limit: 1, key: 'r1' }))).toMatchObject(
      granted,
    );
    expect(await limiter.acquire(req({ bucket: 'update_room', limit: 1 }))).toMatchObject(granted);
    expect(await limiter.acquire(req({ bucket: 'destroy_room', limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
    controller.abort();
    expect((await waiting).rejected).toBe(true);
  });
});

describe('memory limiter, waiting', () => {
  it('serves a waiter once the permit has cooled a span after its release', async () => {
    const windowMs = 60;
    const marginMs = 5;
    const span = windowMs + marginMs;
    const limiter = createMemoryLimiter({ windowMs, marginMs });
    const held = await grant(limiter, req({ limit: 1 }));
    const grantedAt = performance.now();
    const waiting = limiter.acquire(req({ limit: 1, maxWaitMs: 1000 }));
    const calledAt = performance.now();
    await delay(40);
    const releasedAt = performance.now();
    held.release();
    const admission = await waiting;
    const servedAt = performance.now();
    expect(admission.ok).toBe(true);
    // From the release, not from the grant (which was at least 40 ms earlier).
    expect(servedAt - releasedAt).toBeGreaterThanOrEqual(span);
    // The 40 ms delay is a bare timer, which may fire up to TIMER_SLACK_MS early.
    expect(servedAt - grantedAt).toBeGreaterThanOrEqual(40 - TIMER_SLACK_MS + span);
    if (admission.ok) expect(admission.waitedMs).toBeGreaterThanOrEqual(releasedAt + span - calledAt);
  });

  it('serves queued waiters in arrival order, each once a permit has cooled', async () => {
    const windowMs = 80;
    const limit = 2;
    const { limiter, started, grantedAt } = exactGrantTimes({ windowMs, marginMs: 0 });
    const held = [await grant(limiter, req({ limit })), await grant(limiter, req({ limit }))];
    const order: number[] = [];
    const servedAt: number[] = [];
    const t0 = started();
    const waiters = [0, 1, 2, 3, 4].map((i) =>
      limiter.acquire(req({ limit, maxWaitMs: 2000 })).then((admission) => {
        order.push(i);
        if (!admission.ok) return false;
        servedAt.push(grantedAt(t0, admission));
        // Each answer comes in at once, so its permit starts cooling right away.
        admission.permit.release();
        return true;
      }),
    );
    await Promise.resolve();
    const releasedAt = performance.now();
    for (const permit of held) permit.release();
    expect(await Promise.all(waiters)).toEqual([true, true, true, true, true]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(servedAt[0]).toBeGreaterThanOrEqual(releasedAt + windowMs);
    // Waiter j takes the permit released by waiter j - limit, a span after that one was served at the earliest.
    for (let j = limit; j < servedAt.length; j++) {
      expect(servedAt[j]).toBeGreaterThanOrEqual((servedAt[j - limit] as number) + windowMs - ROUNDING);
    }
  });

  it('paces a queue to one grant every span / limit, beyond a bounded catch-up burst', async () => {
    // Permits cooling together could all go at once; queued grants keep to a schedule one `span / limit`
    // apart instead, which may run at most CATCH_UP_GRANTS grants ahead (to make up for late timers).
    const CATCH_UP_GRANTS = 8; // as in memory-limiter.ts
    const windowMs = 160;
    const limit = 16;
    const interval = windowMs / limit;
    const { limiter, started, grantedAt } = exactGrantTimes({ windowMs, marginMs: 0 });
    const held: Permit[] = [];
    for (let i = 0; i < limit; i++) held.push(await grant(limiter, req({ limit })));
    const t0 = started();
    const waiters = Array.from({ length: limit }, () =>
      limiter.acquire(req({ limit, maxWaitMs: 2000 })).then((admission) => {
        if (!admission.ok) throw new Error('refused');
        return grantedAt(t0, admission);
      }),
    );
    await Promise.resolve();
    const releasedAt = performance.now();
    for (const permit of held) permit.release();
    const servedAt = await Promise.all(waiters);
    const first = servedAt[0] as number;
    expect(first).toBeGreaterThanOrEqual(releasedAt + windowMs);
    for (const [j, at] of servedAt.entries()) {
      if (j > 0) expect(at).toBeGreaterThanOrEqual(servedAt[j - 1] as number); // in arrival order
      expect(at).toBeGreaterThanOrEqual(first + (j - CATCH_UP_GRANTS) * interval - ROUNDING);
    }
    // So the whole queue is not served at one instant, although all its permits cooled at once.
    expect((servedAt.at(-1) as number) - first).toBeGreaterThanOrEqual(
      (limit - 1 - CATCH_UP_GRANTS) * interval - ROUNDING,
    );
  });

  it('refuses a waiter for the global limit when its maxWaitMs deadline passes, taking nothing', async () => {
    const windowMs = 30;
    const limiter = createMemoryLimiter({ windowMs, marginMs: 0 });
    const held = await grant(limiter, req({ limit: 1 }));
    const calledAt = performance.now();
    // The estimate (a span, as the permit is in flight) fits in maxWaitMs, but the answer never comes.
    const waiting = limiter.acquire(req({ limit: 1, key: 'k', maxWaitMs: 60 }));
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toMatchObject({ ok: false, limit: 'room' });
    const admission = await waiting;
    expect(performance.now() - calledAt).toBeGreaterThanOrEqual(60 - TIMER_SLACK_MS);
    expect(admission).toMatchObject({ ok: false, limit: 'global' });
    if (!admission.ok) expect(admission.retryAfterMs).toBeGreaterThanOrEqual(1);
    // Its key is free again: what stops the next request for it is the global limit.
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: expect.closeTo(windowMs, 6),
    });
    held.release();
    const releasedBy = performance.now();
    await delay(windowMs);
    while (performance.now() < releasedBy + windowMs) await delay(1);
    // The refused waiter holds no permit: exactly one is free.
    expect((await limiter.acquire(req({ limit: 1, key: 'k' }))).ok).toBe(true);
    expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject({ ok: false, limit: 'global' });
  });

  it('refuses at once when the queue already holds maxQueue waiters', async () => {
    const { limiter, span } = fakeClockLimiter(100, 0, { maxQueue: 2 });
    await grant(limiter, req({ limit: 1 }));
    const queue = (controller: AbortController) =>
      settle(limiter.acquire(req({ limit: 1, maxWaitMs: 5000, signal: controller.signal })));
    const [first, second] = [new AbortController(), new AbortController()];
    const b = queue(first);
    const c = queue(second);
    // b and c are queued; the next ones arrive while the queue is full and are refused, not left pending.
    expect(await limiter.acquire(req({ limit: 1, maxWaitMs: 5000 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
    expect(await limiter.acquire(req({ limit: 1, key: 'd', maxWaitMs: 5000 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
    // The refused one did not keep its key.
    expect(await limiter.acquire(req({ limit: 1, key: 'd' }))).toMatchObject({ ok: false, limit: 'global' });
    // A place freed by an abort can be taken again: the newcomer is queued (so an abort rejects it).
    first.abort();
    expect((await b).rejected).toBe(true);
    const third = new AbortController();
    const d = queue(third);
    third.abort();
    second.abort();
    expect((await d).rejected).toBe(true);
    expect((await c).rejected).toBe(true);
  });
});

describe('memory limiter, a standing queue', () => {
  /** What newcomers may wait; the queue stands once it is older than this plus a window. */
  const WAIT = 300;

  /** A waiter with a long budget, and the controller that takes it out again. */
  function queued(limiter: MemoryLimiter, maxWaitMs = 10_000) {
    const controller = new AbortController();
    const outcome = settle(limiter.acquire(req({ limit: 2, maxWaitMs, signal: controller.signal })));
    return { outcome, leave: () => controller.abort() };
  }
  const isPending = async (outcome: Promise<unknown>) =>
    (await Promise.race([outcome, delay(20).then(() => 'pending')])) === 'pending';

  it('absorbs a burst: newcomers queue for up to their maxWaitMs while the queue is younger than that and a window', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    await grant(limiter, req({ limit: 2 }));
    await grant(limiter, req({ limit: 2 }));
    const a = queued(limiter);
    clock.t = WAIT + span - 1;
    const b = queued(limiter, WAIT);
    expect(await isPending(b.outcome)).toBe(true);
    a.leave();
    b.leave();
    await Promise.all([a.outcome, b.outcome]);
    await limiter.close();
  });

  it('sheds load once the queue has stood: only arrivals that can go within one pacing interval (span / limit) wait', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    await grant(limiter, req({ limit: 2 }));
    await grant(limiter, req({ limit: 2 }));
    const a = queued(limiter);
    clock.t = WAIT + span;
    // A newcomer that would wait longer than span / limit is refused at once, with a wait it can use, instead
    // of joining a line that never gets shorter.
    const refused = await limiter.acquire(req({ limit: 2, maxWaitMs: WAIT }));
    expect(refused).toMatchObject({ ok: false, limit: 'global' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(span / 2);
    a.leave();
    await a.outcome;

    // The queue is empty now, but arrivals keep being refused for a window after the last refusal (they still
    // come faster than the limit), unless they could go within one pacing interval.
    clock.t += 10;
    expect(await limiter.acquire(req({ limit: 2, maxWaitMs: WAIT }))).toMatchObject({ ok: false });
    clock.t += span + 1;
    const later = queued(limiter, WAIT);
    expect(await isPending(later.outcome)).toBe(true);
    later.leave();
    await later.outcome;
    await limiter.close();
  });

  it('still queues, while shedding, an arrival whose permit frees within one pacing interval', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    const permit = await grant(limiter, req({ limit: 2 }));
    await grant(limiter, req({ limit: 2 }));
    const a = queued(limiter);
    clock.t = WAIT + span;
    expect(await limiter.acquire(req({ limit: 2, maxWaitMs: WAIT }))).toMatchObject({ ok: false });
    a.leave();
    await a.outcome;
    // The permit is answered now and cools one span from now; just before that, a newcomer is close enough.
    permit.release();
    clock.t += span - 5;
    const soon = queued(limiter, WAIT);
    expect(await isPending(soon.outcome)).toBe(true);
    soon.leave();
    await soon.outcome;
    await limiter.close();
  });
});

describe('memory limiter, refusing on arrival while shedding', () => {
  const WAIT = 300;
  const shedCheck = (limiter: MemoryLimiter) => limiter.refuseWhileShedding('create_room', 2, WAIT);

  it('answers nothing outside shedding, even where acquire would queue or refuse', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    expect(limiter.refuseWhileShedding('never-used', 2, WAIT)).toBeUndefined();
    await grant(limiter, req({ limit: 2 }));
    await grant(limiter, req({ limit: 2 }));
    // Both permits in flight, nothing queued: acquire refuses (no permit within maxWaitMs 0), or would queue.
    expect(await limiter.acquire(req({ limit: 2 }))).toMatchObject({ ok: false, limit: 'global' });
    expect(shedCheck(limiter)).toBeUndefined();
    // A queue younger than maxWaitMs + span absorbs a burst: still for acquire to decide.
    const controller = new AbortController();
    const waiting = settle(limiter.acquire(req({ limit: 2, maxWaitMs: 10_000, signal: controller.signal })));
    clock.t = WAIT + span - 1;
    expect(shedCheck(limiter)).toBeUndefined();
    controller.abort();
    await waiting;
    await limiter.close();
  });

  it('while shedding, gives the refusal acquire gives at the same instant, and keeps shedding a window after it', async () => {
    // Two limiters in the same state: what one refuses on arrival, the other's acquire refuses alike.
    const setups = [fakeClockLimiter(100, 10), fakeClockLimiter(100, 10)];
    const waiters = [];
    for (const { limiter } of setups) {
      await grant(limiter, req({ limit: 2 }));
      await grant(limiter, req({ limit: 2 }));
      const controller = new AbortController();
      waiters.push({
        controller,
        outcome: settle(limiter.acquire(req({ limit: 2, maxWaitMs: 10_000, signal: controller.signal }))),
      });
    }
    const [a, b] = setups as [(typeof setups)[0], (typeof setups)[0]];
    a.clock.t = b.clock.t = WAIT + a.span;
    const early = shedCheck(a.limiter);
    expect(early).toMatchObject({ ok: false, limit: 'global' });
    expect(await b.limiter.acquire(req({ limit: 2, maxWaitMs: WAIT }))).toEqual(early);
    for (const w of waiters) w.controller.abort();
    await Promise.all(waiters.map((w) => w.outcome));

    // The queue is empty now; like a refusal by acquire, the early one keeps the shedding on for a window.
    a.clock.t += a.span - 1;
    expect(shedCheck(a.limiter)).toMatchObject({ ok: false, limit: 'global' });
    a.clock.t += a.span + 1;
    expect(shedCheck(a.limiter)).toBeUndefined();
    await a.limiter.close();
    await b.limiter.close();
  });

  /** Shedding (a queue stood, then a refusal), nothing queued, and one permit released just now, cooling a span. */
  async function sheddingWithOneCooling() {
    const setup = fakeClockLimiter(100, 10);
    const { limiter, clock, span } = setup;
    const permit = await grant(limiter, req({ limit: 2 }));
    await grant(limiter, req({ limit: 2 }));
    const controller = new AbortController();
    const waiting = settle(limiter.acquire(req({ limit: 2, maxWaitMs: 10_000, signal: controller.signal })));
    clock.t = WAIT + span;
    expect(shedCheck(limiter)).toMatchObject({ ok: false });
    controller.abort();
    await waiting;
    permit.release();
    return setup;
  }

  it('while shedding, lets through an arrival that could go within one pacing interval, and takes nothing', async () => {
    const { limiter, clock, span } = await sheddingWithOneCooling();
    // The released permit cools one span from now; just before that, an arrival is close enough to wait for it.
    clock.t += span - 5;
    expect(shedCheck(limiter)).toBeUndefined();
    // Once it has cooled, an arrival finds it free: the check let it through without taking it.
    clock.t += 5;
    expect(shedCheck(limiter)).toBeUndefined();
    expect(await limiter.acquire(req({ limit: 2, maxWaitMs: WAIT }))).toMatchObject(granted);
    await limiter.close();
  });

  it('while shedding a flood, lets an arrival wait about two arrival gaps only, not a whole pacing interval', async () => {
    const { limiter, clock, span } = await sheddingWithOneCooling();
    const freeAt = clock.t + span;
    // Arrivals every millisecond while the permit cools: all refused.
    for (let t = clock.t + 1; t < freeAt - 5; t++) {
      clock.t = t;
      expect(shedCheck(limiter)).toMatchObject({ ok: false });
    }
    // 5 ms before it frees is within one pacing interval (55 ms here), which a lone arrival would wait for (the
    // test above), but with arrivals a millisecond apart the next ones would take the permit as soon: refused.
    clock.t = freeAt - 5;
    expect(shedCheck(limiter)).toMatchObject({ ok: false, limit: 'global' });
    expect(await limiter.acquire(req({ limit: 2, maxWaitMs: WAIT }))).toMatchObject({
      ok: false,
      limit: 'global',
    });
    // 1 ms before, within two arrival gaps: it may wait.
    clock.t = freeAt - 1;
    expect(shedCheck(limiter)).toBeUndefined();
    await limiter.close();
  });
});

describe('memory limiter, abort', () => {
  it('rejects an acquisition whose signal is already aborted, taking nothing', async () => {
    const { limiter } = fakeClockLimiter();
    const reason = new Error('client went away');
    await expect(
      limiter.acquire(req({ limit: 1, key: 'k', signal: AbortSignal.abort(reason) })),
    ).rejects.toBe(reason);
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toMatchObject(granted);
  });

  it("rejects a waiter with the signal's reason and removes it, so that it never takes a permit", async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    const held = await grant(limiter, req({ limit: 1 }));
    const controller = new AbortController();
    const waiting = limiter.acquire(req({ limit: 1, key: 'k', maxWaitMs: 5000, signal: controller.signal }));
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toMatchObject({ ok: false, limit: 'room' });
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // Its key is free: only the global limit stands in the way.
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
    held.release();
    clock.t = span;
    // The cooled permit goes to the next request at once, not to the aborted waiter.
    await grant(limiter, req({ limit: 1, key: 'k' }));
    expect(await limiter.acquire(req({ limit: 1 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
  });

  it('passes the permit of an aborted waiter to the one queued behind it', async () => {
    const windowMs = 40;
    const limiter = createMemoryLimiter({ windowMs, marginMs: 0 });
    const held = await grant(limiter, req({ limit: 1 }));
    const controller = new AbortController();
    const first = settle(limiter.acquire(req({ limit: 1, maxWaitMs: 1000, signal: controller.signal })));
    const second = limiter.acquire(req({ limit: 1, maxWaitMs: 1000 }));
    controller.abort();
    expect((await first).rejected).toBe(true);
    const releasedAt = performance.now();
    held.release();
    expect((await second).ok).toBe(true);
    expect(performance.now() - releasedAt).toBeGreaterThanOrEqual(windowMs);
    expect(await limiter.acquire(req({ limit: 1 }))).toMatchObject({ ok: false, limit: 'global' });
  });

  it('rejects a retry aborted while it waits for its key, and lets go of the key', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    const sent = await grant(limiter, req({ key: 'k' }));
    sent.release(); // the key frees at `span`
    const controller = new AbortController();
    const retry = settle(
      limiter.acquire(req({ key: 'k', waitForKey: true, maxWaitMs: 5000, signal: controller.signal })),
    );
    // Held by the waiting retry: busy for as long as that takes.
    expect(await limiter.acquire(req({ key: 'k' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span,
    });
    const reason = new Error('client went away');
    controller.abort(reason);
    const outcome = await retry;
    expect(outcome.rejected).toBe(true);
    if (outcome.rejected) {
      const error = outcome.error as { cause?: unknown };
      // The signal's reason, or an AbortError caused by it.
      expect(error === reason || error.cause === reason).toBe(true);
    }
    clock.t = 30;
    expect(await limiter.acquire(req({ key: 'k' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span - 30,
    });
    clock.t = span;
    expect(await limiter.acquire(req({ key: 'k' }))).toMatchObject(granted);
  });
});

describe('memory limiter, keys', () => {
  it('refuses a first attempt for a key in flight with room and a full span', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    await grant(limiter, req({ key: 'r1' }));
    clock.t = 10 * span;
    expect(await limiter.acquire(req({ key: 'r1', maxWaitMs: 100 * span }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span,
    });
  });

  it('keeps a key busy for a span after its release, then frees it', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    const permit = await grant(limiter, req({ key: 'r1', limit: 10 }));
    clock.t = 300;
    permit.release();
    clock.t = 350;
    expect(await limiter.acquire(req({ key: 'r1', limit: 10 }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: 300 + span - 350,
    });
    clock.t = 300 + span - 1;
    expect(await limiter.acquire(req({ key: 'r1', limit: 10 }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: 1,
    });
    clock.t = 300 + span;
    expect(await limiter.acquire(req({ key: 'r1', limit: 10 }))).toMatchObject(granted);
  });

  it('consumes no global permit with a room refusal', async () => {
    const { limiter, span } = fakeClockLimiter();
    await grant(limiter, req({ limit: 3, key: 'r1' }));
    for (let i = 0; i < 5; i++) {
      expect(await limiter.acquire(req({ limit: 3, key: 'r1' }))).toMatchObject({ ok: false, limit: 'room' });
    }
    // r1 took one permit of three, so exactly two more fit.
    await grant(limiter, req({ limit: 3, key: 'r2' }));
    await grant(limiter, req({ limit: 3, key: 'r3' }));
    expect(await limiter.acquire(req({ limit: 3, key: 'r4' }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: span,
    });
  });

  it('keeps keys within a bucket independent', async () => {
    const { limiter } = fakeClockLimiter();
    await grant(limiter, req({ key: 'r1' }));
    expect(await limiter.acquire(req({ key: 'r2' }))).toMatchObject(granted);
  });

  it('refuses a retry with room when its key frees later than maxWaitMs, or is still in flight', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    const permit = await grant(limiter, req({ key: 'r1' }));
    expect(await limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 100 * span }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span,
    });
    permit.release();
    clock.t = 10;
    expect(await limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: span - 11 }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span - 10,
    });
  });

  it('lets a retry wait for its key, holding it meanwhile, and then grants it', async () => {
    const windowMs = 60;
    const marginMs = 5;
    const span = windowMs + marginMs;
    const limiter = createMemoryLimiter({ windowMs, marginMs });
    const sent = await grant(limiter, req({ key: 'r1' }));
    const releasedAt = performance.now();
    sent.release();
    const retry = limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 1000 }));
    const calledAt = performance.now();
    // Nobody else gets the key while the retry waits for it, not even another retry.
    expect(await limiter.acquire(req({ key: 'r1' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span,
    });
    expect(await limiter.acquire(req({ key: 'r1', waitForKey: true, maxWaitMs: 1000 }))).toMatchObject({
      ok: false,
      limit: 'room',
    });
    // Other keys are not held up.
    expect(await limiter.acquire(req({ key: 'r2' }))).toMatchObject({ ok: true });
    const admission = await retry;
    expect(admission.ok).toBe(true);
    expect(performance.now() - releasedAt).toBeGreaterThanOrEqual(span - TIMER_SLACK_MS);
    if (admission.ok) {
      expect(admission.waitedMs).toBeGreaterThanOrEqual(releasedAt + span - calledAt - TIMER_SLACK_MS);
    }
    // Sent again: the key is in flight.
    expect(await limiter.acquire(req({ key: 'r1' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span,
    });
  });

  it("refuses a duplicate first attempt with room while the key's request is only queued", async () => {
    const windowMs = 50;
    const limiter = createMemoryLimiter({ windowMs, marginMs: 0 });
    const held = await grant(limiter, req({ limit: 1 }));
    const queued = limiter.acquire(req({ limit: 1, key: 'k', maxWaitMs: 1000 }));
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: windowMs,
    });
    expect(
      await limiter.acquire(req({ limit: 1, key: 'k', waitForKey: true, maxWaitMs: 1000 })),
    ).toMatchObject({
      ok: false,
      limit: 'room',
    });
    held.release();
    expect((await queued).ok).toBe(true);
    expect(await limiter.acquire(req({ limit: 1, key: 'k' }))).toMatchObject({ ok: false, limit: 'room' });
  });
});

describe('memory limiter, forgetting keys', () => {
  it('drops each key once its window has passed, whatever order the keys were used in', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    const many = req({ limit: 10_000 });
    for (let i = 0; i < 1000; i++) {
      clock.t = i / 10;
      (await grant(limiter, { ...many, key: `r${i % 500}-${i}` })).release();
    }
    expect(limiter.trackedKeys()).toBe(1000);
    // Halfway: the keys answered more than a span ago are gone, the others are kept.
    clock.t = 50 + span;
    await limiter.acquire(many);
    expect(limiter.trackedKeys()).toBe(499);
    clock.t = 100 + span;
    await limiter.acquire(many);
    expect(limiter.trackedKeys()).toBe(0);
  });

  it('keeps a key that is busy again when its earlier send stops counting', async () => {
    const { limiter, clock, span } = fakeClockLimiter();
    (await grant(limiter, req({ key: 'k' }))).release();
    clock.t = span;
    const again = await grant(limiter, req({ key: 'k' }));
    clock.t = 2 * span - 1;
    await limiter.acquire(req());
    expect(limiter.trackedKeys()).toBe(1);
    expect(await limiter.acquire(req({ key: 'k' }))).toMatchObject({ ok: false, limit: 'room' });
    again.release();
    clock.t = 3 * span;
    await limiter.acquire(req());
    expect(limiter.trackedKeys()).toBe(0);
  });

  it('drops the key of a queued wait given up (aborted or timed out) at once: it never cooled', async () => {
    const { limiter } = fakeClockLimiter();
    const held = await grant(limiter, req({ limit: 1 }));
    const controller = new AbortController();
    const aborted = settle(
      limiter.acquire(req({ limit: 1, key: 'a', maxWaitMs: 5000, signal: controller.signal })),
    );
    // Queued behind it (its estimate is a span away), and given up at its deadline (a real timer).
    const timedOut = limiter.acquire(req({ limit: 1, key: 't', maxWaitMs: 150 }));
    expect(limiter.trackedKeys()).toBe(2);
    controller.abort(new Error('gone'));
    expect((await aborted).rejected).toBe(true);
    expect(await timedOut).toMatchObject({ ok: false, limit: 'global' });
    expect(limiter.trackedKeys()).toBe(0);
    held.release();
  });

  it("drops the key of a retry that waited out the key's window and was then refused by the global limit", async () => {
    const { limiter, clock, span } = fakeClockLimiter(20, 0);
    (await grant(limiter, req({ limit: 2, key: 'k' }))).release();
    const first = await grant(limiter, req({ limit: 2 }));
    // The retry may wait exactly k's window (real timers), which leaves it no time to queue for a permit.
    const retry = limiter.acquire(req({ limit: 2, key: 'k', waitForKey: true, maxWaitMs: span }));
    clock.t = span;
    // k's send stops counting, and its permit goes to another request before the retry wakes up.
    const second = await grant(limiter, req({ limit: 2 }));
    expect(await retry).toMatchObject({ ok: false, limit: 'global' });
    expect(limiter.trackedKeys()).toBe(0);
    first.release();
    second.release();
  });
});

describe('memory limiter, hold, pause and recent', () => {
  it('holds a send admitted elsewhere, whatever its own count, and cools it for a span from its answer', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    clock.t = 1000;
    const held = limiter.hold('create_room', 2, 'k');
    expect(await limiter.acquire(req({ key: 'k' }))).toMatchObject({ ok: false, limit: 'room' });
    held.release();
    clock.t = 1030;
    expect(await limiter.acquire(req({ key: 'k' }))).toEqual({
      ok: false,
      limit: 'room',
      retryAfterMs: span - 30,
    });
    await grant(limiter, req());
    expect(await limiter.acquire(req())).toEqual({ ok: false, limit: 'global', retryAfterMs: span - 30 });
    clock.t = 1000 + span;
    expect(await limiter.acquire(req({ key: 'k' }))).toMatchObject(granted);
  });

  it('takes a held permit beyond its own limit, and grants nothing more until the excess has cooled', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    const over = [1, 2, 3, 4].map(() => limiter.hold('create_room', 2));
    expect(await limiter.acquire(req())).toMatchObject({ ok: false, limit: 'global' });
    clock.t = 10;
    for (const permit of over) permit.release();
    clock.t = 10 + span - 1;
    expect(await limiter.acquire(req())).toMatchObject({ ok: false, limit: 'global' });
    clock.t = 10 + span;
    expect(await limiter.acquire(req())).toMatchObject(granted);
  });

  it('grants nothing while paused, refuses what cannot wait, and grants what can when the pause ends', async () => {
    const { limiter, clock } = fakeClockLimiter(100, 10);
    clock.t = 1000;
    limiter.pause(300);
    expect(await limiter.acquire(req({ maxWaitMs: 100 }))).toEqual({
      ok: false,
      limit: 'global',
      retryAfterMs: 300,
    });
    clock.t = 1300;
    expect(await limiter.acquire(req())).toMatchObject(granted);

    const real = createMemoryLimiter({ windowMs: 100, marginMs: 10 });
    const started = performance.now();
    real.pause(150);
    const admission = await real.acquire(req({ maxWaitMs: 1000 }));
    expect(admission.ok).toBe(true);
    // Node's timers may fire up to 1 ms early; the pause is never cut short by more.
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    await real.close();
  });

  it('reports sends still counting, with how long ago they were answered (0 under way), and busy keys', async () => {
    const { limiter, clock, span } = fakeClockLimiter(100, 10);
    expect(limiter.recent()).toEqual({ sends: new Map(), keys: new Map() });
    const a = await grant(limiter, req({ limit: 5, key: 'a' }));
    await grant(limiter, req({ limit: 5, key: 'in-flight' }));
    clock.t = 20;
    a.release();
    clock.t = 50;
    limiter.hold('create_room', 5, 'b').release();
    limiter.hold('destroy_room', 1).release();
    clock.t = 60;
    // A send under way is reported as answered now, and its key as busy.
    expect(limiter.recent()).toEqual({
      sends: new Map([
        ['create_room', [40, 10, 0]],
        ['destroy_room', [10]],
      ]),
      keys: new Map([
        [
          'create_room',
          new Map([
            ['a', 40],
            ['in-flight', 0],
            ['b', 10],
          ]),
        ],
        ['destroy_room', new Map()],
      ]),
    });
    clock.t = 20 + span;
    expect(limiter.recent().sends.get('create_room')).toEqual([span - 30, 0]);
    expect(limiter.recent().keys.get('create_room')).toEqual(
      new Map([
        ['in-flight', 0],
        ['b', span - 30],
      ]),
    );
    clock.t = 50 + span;
    expect(limiter.recent()).toEqual({
      sends: new Map([
        ['create_room', [0]],
        ['destroy_room', []],
      ]),
      keys: new Map([
        ['create_room', new Map([['in-flight', 0]])],
        ['destroy_room', new Map()],
      ]),
    });
  });
});

describe('memory limiter, properties', () => {
  type Op =
    | { kind: 'tick'; dt: number }
    | { kind: 'acquire'; key: string | undefined; waitForKey: boolean; arrive: number }
    | { kind: 'release'; pick: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 250 }) }),
    fc.record({
      kind: fc.constant('acquire' as const),
      key: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      waitForKey: fc.boolean(),
      // Where between grant and release the request reaches the receiver: 0 is the grant, 1 the release.
      arrive: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    }),
    // Any permit granted so far, released or not: releasing twice must change nothing.
    fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  );

  interface Sent {
    key: string | undefined;
    grantedAt: number;
    releasedAt: number | undefined;
    arrive: number;
    permit: Permit;
  }

  /** At most `limit` arrivals in any window [x, x + windowMs), and no key twice in one. */
  function expectReceivingEndBound(
    arrivals: { at: number; key: string | undefined }[],
    windowMs: number,
    limit: number,
  ) {
    const sorted = [...arrivals].sort((x, y) => x.at - y.at);
    for (const [i, first] of sorted.entries()) {
      const inWindow = sorted.slice(i).filter((a) => a.at < first.at + windowMs);
      expect(inWindow.length).toBeLessThanOrEqual(limit);
      if (first.key !== undefined) expect(inWindow.filter((a) => a.key === first.key)).toHaveLength(1);
    }
  }

  it('holds at most `limit` permits and bounds arrivals per window, whenever requests arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(op, { maxLength: 60 }),
        async (limit, windowMs, marginMs, ops) => {
          const span = windowMs + marginMs;
          const clock = { t: 0 };
          const limiter = createMemoryLimiter({ windowMs, marginMs, now: () => clock.t });
          const sent: Sent[] = [];
          const held = () => sent.filter((s) => s.releasedAt === undefined || s.releasedAt + span > clock.t);

          for (const step of ops) {
            if (step.kind === 'tick') {
              clock.t += step.dt;
            } else if (step.kind === 'release') {
              const s = sent[step.pick % Math.max(sent.length, 1)];
              if (s) {
                s.permit.release();
                s.releasedAt ??= clock.t;
              }
            } else {
              const { key, waitForKey, arrive } = step;
              const admission = await limiter.acquire({ bucket: 'b', limit, key, maxWaitMs: 0, waitForKey });

              // The model's answer: the key first, then the permits; nothing ever waits with maxWaitMs 0.
              const last = key === undefined ? undefined : sent.findLast((s) => s.key === key);
              const keyFreeAt =
                last === undefined
                  ? Number.NEGATIVE_INFINITY
                  : last.releasedAt === undefined
                    ? Number.POSITIVE_INFINITY
                    : last.releasedAt + span;
              const holding = held();
              let expected: Admission | typeof granted;
              if (keyFreeAt > clock.t) {
                expected = {
                  ok: false,
                  limit: 'room',
                  retryAfterMs: Number.isFinite(keyFreeAt) ? keyFreeAt - clock.t : span,
                };
              } else if (holding.length >= limit) {
                const cooling = holding.flatMap((s) =>
                  s.releasedAt === undefined ? [] : [s.releasedAt + span],
                );
                const retryAfterMs = cooling.length > 0 ? Math.min(...cooling) - clock.t : span;
                expected = { ok: false, limit: 'global', retryAfterMs };
              } else {
                expected = granted;
              }
              if (expected.ok) expect(admission).toMatchObject(expected);
              else expect(admission).toEqual(expected);
              if (admission.ok) {
                sent.push({
                  key,
                  grantedAt: clock.t,
                  releasedAt: undefined,
                  arrive,
                  permit: admission.permit,
                });
              }
            }

            // (a) Never more than `limit` permits held, in flight or cooling.
            expect(held().length).toBeLessThanOrEqual(limit);
            // The limiter's own account of what is cooling agrees.
            const cooling = sent
              .filter((s) => s.releasedAt !== undefined && s.releasedAt + span > clock.t)
              .map((s) => clock.t - (s.releasedAt as number))
              .sort((x, y) => y - x); // in release order: the longest ago first
            // Then those under way, as if answered now.
            const underWay = sent.filter((s) => s.releasedAt === undefined).map(() => 0);
            expect(limiter.recent().sends.get('b') ?? []).toEqual([...cooling, ...underWay]);
          }

          // (b) The receiving end: each request arrives somewhere between its grant and its release (one
          // never released may arrive at any time until the end). Both extremes, and a mix of arrival times.
          const end = clock.t;
          const releasedAt = (s: Sent) => s.releasedAt ?? end;
          for (const at of [
            (s: Sent) => s.grantedAt,
            (s: Sent) => releasedAt(s),
            (s: Sent) => s.grantedAt + s.arrive * (releasedAt(s) - s.grantedAt),
          ]) {
            expectReceivingEndBound(
              sent.map((s) => ({ at: at(s), key: s.key })),
              windowMs,
              limit,
            );
          }
          await limiter.close();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('memory limiter, answers on the spot', () => {
  it('acquireNow answers a free permit and a refusal without a promise, and only a wait with one', async () => {
    const { limiter } = fakeClockLimiter();
    const first = limiter.acquireNow(req({ key: 'a' }));
    expect(first).not.toBeInstanceOf(Promise);
    expect(first).toMatchObject({ ok: true, waitedMs: 0 });
    const busyKey = limiter.acquireNow(req({ key: 'a' }));
    expect(busyKey).toEqual({ ok: false, limit: 'room', retryAfterMs: 110 });
    limiter.acquireNow(req({ key: 'b' }));
    const full = limiter.acquireNow(req({ key: 'c' }));
    expect(full).toMatchObject({ ok: false, limit: 'global' });

    const queued = limiter.acquireNow(req({ key: 'c', maxWaitMs: 5000 }));
    expect(queued).toBeInstanceOf(Promise);
    await limiter.close();
    expect(await queued).toMatchObject({ ok: false, limit: 'global' });
  });

  it('acquireNow throws at once for a caller already gone, where acquire rejects', async () => {
    const { limiter } = fakeClockLimiter();
    const signal = AbortSignal.abort(new Error('caller left'));
    expect(() => limiter.acquireNow(req({ signal }))).toThrow('caller left');
    await expect(limiter.acquire(req({ signal }))).rejects.toThrow('caller left');
  });
});
