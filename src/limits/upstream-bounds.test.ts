import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { busiestWindow, postRoom, roomId, sustainedRate } from '../../test/helpers.js';
import {
  PROCESS_API_KEY,
  type RunningProcess,
  type SandboxProcess,
  spawnGateway,
  spawnSandbox,
} from '../../test/processes.js';

/**
 * Tencent's limits measured where Tencent measures them: on arrival at the sandbox, from its own log. The
 * sandbox and the gateway run as processes of their own, so neither's clock carries the other's lag.
 */
const auth = { authorization: `Bearer ${PROCESS_API_KEY.split(':')[1]}` };
const body = (id: string) => ({ RoomInfo: { RoomId: id, SeatTemplate: 'VideoDynamicGrid9Seats' } });
const burst = (gateway: RunningProcess, n: number) =>
  Promise.all(Array.from({ length: n }, () => postRoom(gateway, body(roomId()), auth)));

let sandbox: SandboxProcess;
let gateway: RunningProcess | undefined;
const startGateway = async (queueMs: number) => {
  gateway = await spawnGateway(sandbox, { ROOMGATE_QUEUE_MS: String(queueMs) });
  // A new gateway sends nothing for its first window (create-limits.ts); these bursts are about what follows.
  await new Promise((r) => setTimeout(r, 1010));
  return gateway;
};

beforeAll(async () => {
  sandbox = await spawnSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(async () => {
  await sandbox.reset();
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('upstream bounds, one gateway process', () => {
  it('lets no more than 200 arrive in any 1,000 ms of a 1,000-room burst, yet at least 190 per second', async () => {
    const g = await startGateway(10_000);
    const answers = await burst(g, 1000);
    expect(answers.filter((a) => a.status !== 201).map((a) => a.body)).toEqual([]);
    const arrivals = await sandbox.arrivals();
    expect(arrivals.filter((a) => a.outcome !== 0)).toEqual([]);
    const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
    expect(busiestWindow(times)).toBeLessThanOrEqual(200);
    // After the first burst the queue is paced: the 800 queued sends go out at no less than 190 per second
    // (the bound allows 200 × 1000 / (1000 + margin + round trip)).
    expect(sustainedRate(times)).toBeGreaterThanOrEqual(190);
  });

  it('keeps the bound for a second burst aimed just before the first one leaves the window', async () => {
    const g = await startGateway(3000);
    const first = burst(g, 200);
    await new Promise((r) => setTimeout(r, 990));
    const answers = [...(await first), ...(await burst(g, 200))];
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const arrivals = await sandbox.arrivals();
    expect(arrivals.filter((a) => a.outcome !== 0)).toEqual([]);
    expect(busiestWindow(arrivals.map((a) => a.at))).toBeLessThanOrEqual(200);
  });

  it('lets one of many concurrent duplicates of a RoomId through, and later ones a second apart at least', async () => {
    const g = await startGateway(1000);
    const id = roomId('dup');
    const answers = await Promise.all(Array.from({ length: 20 }, () => postRoom(g, body(id), auth)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(19);
    expect(refused.every((a) => a.body.limit === 'room')).toBe(true);
    // Keep asking for the same room for 2.5 s: arrivals are never closer than a second.
    const until = performance.now() + 2500;
    while (performance.now() < until) {
      await postRoom(g, body(id), auth);
      await new Promise((r) => setTimeout(r, 50));
    }
    const times = (await sandbox.arrivals()).filter((a) => a.roomId === id).map((a) => a.at);
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);
    }
  });

  it('serves a 400-request burst completely within about 2 s when it may queue for 2 s', async () => {
    const g = await startGateway(2000);
    const started = performance.now();
    const answers = await burst(g, 400);
    expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2600);
    expect(busiestWindow((await sandbox.arrivals()).map((a) => a.at))).toBeLessThanOrEqual(200);
  });

  it('refuses the excess of a 400-request burst with 429 global when it may not queue', async () => {
    const g = await startGateway(0);
    const answers = await burst(g, 400);
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 429);
    // The burst takes the client a while to send: requests arriving after the first permits cooled may pass.
    expect(created.length + refused.length).toBe(400);
    expect(created.length).toBeGreaterThanOrEqual(200);
    expect(refused.length).toBeGreaterThanOrEqual(100);
    for (const r of refused) {
      expect(r.body).toMatchObject({ type: '/problems/rate-limited', limit: 'global' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('ratelimit-limit')).toBe('200');
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
    }
    const arrivals = await sandbox.arrivals();
    expect(arrivals).toHaveLength(created.length);
    expect(busiestWindow(arrivals.map((a) => a.at))).toBeLessThanOrEqual(200);
  });
});
