import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BILLING,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

let sandbox: RunningSandbox;
let gateway: RunningGateway;
/** This file's own connections, destroyed before the gateway closes (it waits for its callers to go). */
const client = new Agent();

beforeAll(async () => {
  sandbox = await startSandbox();
  // One create per second, with a queue long enough that a second request waits instead of being refused.
  gateway = await startGateway(
    testConfig(sandbox, { limits: { globalPerSecond: 1, queueMs: 3000, replicas: 1, marginMs: 10 } }),
  );
});

afterAll(async () => {
  await client.destroy();
  await gateway.close();
  await sandbox.close();
});

/** POST /rooms; `signal` lets the caller hang up. */
const post = (id: string, signal?: AbortSignal) =>
  request(`${gateway.url}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...BILLING },
    body: JSON.stringify(body(id)),
    signal,
    dispatcher: client,
  }).then(async (res) => {
    await res.body.dump();
    return res.statusCode;
  });

const body = (id: string) => ({ RoomInfo: { RoomId: id, SeatTemplate: 'VideoDynamicGrid9Seats' } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates room `id` and closes the connection `afterMs` later, whatever the gateway is doing with it then. */
async function hangUp(id: string, afterMs: number): Promise<void> {
  const controller = new AbortController();
  const abandoned = post(id, controller.signal).catch((err: unknown) => err);
  await sleep(afterMs);
  controller.abort();
  await abandoned;
}

/** The request for `id` got exactly one log line, at info level, saying its caller went; nothing else was logged as an error. */
function expectOneCallerGoneLine(id: string, fields: Record<string, unknown> = {}): void {
  const lines = gateway.logs.lines.filter((l) => l.roomId === id || l.msg === 'unexpected error');
  expect(lines).toEqual([
    expect.objectContaining({ level: 30, msg: 'request', status: 499, outcome: 'caller-gone', ...fields }),
  ]);
}

const arrivalsOf = (id: string) => sandbox.state.arrivals.filter((a) => a.roomId === id);

describe('a caller that hangs up while queued', () => {
  it('gives its place back: its request is never sent, and the next caller is served in its slot', async () => {
    const first = roomId('first');
    const gone = roomId('gone');
    const next = roomId('next');
    expect(await post(first)).toBe(201);

    // The second waits for the one permit; its caller gives up and closes the connection.
    await hangUp(gone, 200);

    const started = performance.now();
    expect(await post(next)).toBe(201);
    // It took the slot the abandoned request would have had, not the one after it.
    expect(performance.now() - started).toBeLessThan(1500);

    expect(arrivalsOf(first)).toHaveLength(1);
    expect(arrivalsOf(next)).toHaveLength(1);
    expect(arrivalsOf(gone)).toHaveLength(0);
    // Its line says so, at info level: a caller hanging up is not the gateway's error.
    await sleep(50);
    expectOneCallerGoneLine(gone, { caller: 'billing' });
  });

  it('is logged once, at info level, when it hangs up while its request is with Tencent', async () => {
    const id = roomId('inflight');
    sandbox.state.faults.add({ fault: { kind: 'delay', ms: 400 }, times: 1, roomId: id });
    // The permit of the first test's last request must have cooled down first.
    await sleep(1100);
    await hangUp(id, 150);
    // The request had left: Tencent gets it and answers, into the void.
    await sleep(500);
    expect(arrivalsOf(id)).toHaveLength(1);
    expectOneCallerGoneLine(id);
  });

  it('is logged once, at info level, when it hangs up while its request waits to be retried', async () => {
    const id = roomId('retrying');
    // Tencent asks for a retry; the gateway pauses, then waits out the RoomId's second before sending again.
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100001 }, times: 1, roomId: id });
    await sleep(1100);
    await hangUp(id, 60);
    await sleep(1500);
    // Only the first attempt went out: the retry was dropped with its caller.
    expect(arrivalsOf(id)).toHaveLength(1);
    expectOneCallerGoneLine(id);
  });
});
