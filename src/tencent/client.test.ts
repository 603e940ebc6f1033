import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, type RunningSandbox, roomId, SDKAPPID, startSandbox } from '../../test/helpers.js';
import { createLimiterGate } from '../limits/gate.js';
import { createMemoryLimiter } from '../limits/memory-limiter.js';
import { createUpstreamBreaker } from './breaker.js';
import { createTencentClient, type TencentClient, type TencentClientOptions } from './client.js';
import { COMMANDS, type CommandName } from './commands.js';
import { CircuitOpen, LimitRefusal, TransportError, UpstreamError } from './errors.js';
import { signUserSig } from './usersig.js';
import { createUserSigCache } from './usersig-cache.js';

/** A Create Room body the sandbox accepts, as the Create Room page requires it. */
const create = (id: string) => ({
  RoomInfo: { RoomId: id, RoomType: 'Live' as const, SeatTemplate: 'VideoDynamicGrid9Seats' },
});

let sandbox: RunningSandbox;
let client: TencentClient;
const clients: TencentClient[] = [];

/** Each command at Tencent's own quota, create_room at 200, with the real in-process limiter in front. */
const limits = Object.fromEntries(
  Object.entries(COMMANDS).map(([name, spec]) => [
    name,
    {
      perSecond: name === 'create_room' ? 200 : spec.perSecond,
      perRoomOncePerSecond: spec.perRoomOncePerSecond,
    },
  ]),
) as Record<CommandName, { perSecond: number; perRoomOncePerSecond: boolean }>;

/** A client in front of the sandbox, signing with its key, with the real limiter; closed after the tests. */
function clientWith(options: Partial<TencentClientOptions>): TencentClient {
  const made = createTencentClient({
    baseUrl: sandbox.url,
    sdkAppId: SDKAPPID,
    adminId: ADMIN,
    userSig: createUserSigCache({
      sign: (expireSeconds) =>
        signUserSig({ sdkAppId: SDKAPPID, secretKey: sandbox.secretKey, identifier: ADMIN, expireSeconds }),
      validitySeconds: 86400,
    }),
    timeoutMs: 400,
    // Short enough that a retry cannot wait out the once-per-second rule for its RoomId.
    totalTimeoutMs: 700,
    queueMs: 0,
    gate: createLimiterGate(createMemoryLimiter({ marginMs: 10 }), limits),
    logger: pino({ level: 'silent' }),
    ...options,
  });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  sandbox = await startSandbox();
  client = clientWith({});
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sandbox.close();
});
beforeEach(() => sandbox.state.reset());

describe('TencentClient.call and the limits', () => {
  it('resolves with a LimitRefusal when the limits refuse its first attempt, and sends nothing', async () => {
    const id = roomId();
    const created = await client.call('create_room', create(id), { roomId: id });
    expect(created).not.toBeInstanceOf(LimitRefusal);
    const again = await client.call('create_room', create(id), { roomId: id });
    expect(again).toBeInstanceOf(LimitRefusal);
    expect(again).toMatchObject({ limit: 'room', perSecond: 200 });
    expect((again as LimitRefusal).retryAfterMs).toBeGreaterThan(0);
    expect(sandbox.state.arrivals).toHaveLength(1);
  });

  it('answers a retry the limits refuse with the failure that caused it, not a refusal', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100001 }, times: 1 });
    const id = roomId();
    const call = client.call('create_room', create(id), { roomId: id });
    await expect(call).rejects.toBeInstanceOf(UpstreamError);
    await expect(call).rejects.toMatchObject({ code: 100001, attempts: 1 });
    expect(sandbox.state.arrivals.map((a) => a.outcome)).toEqual([100001]);
  });
});

describe('TencentClient.call and broken connections', () => {
  /** Long enough for a retry of the same RoomId, which waits out Tencent's second. */
  const patient = () => clientWith({ totalTimeoutMs: 4000 });

  it.each([
    ['reset', { kind: 'reset' }],
    ['half-closed mid-answer', { kind: 'half-close' }],
  ] as const)(
    'retries a connection %s, through the limiter, a second later for the same RoomId',
    async (_name, fault) => {
      sandbox.state.faults.add({ fault, times: 1 });
      const id = roomId();
      const result = await patient().call('create_room', create(id), { roomId: id });
      expect(result).toMatchObject({ attempts: 2, envelope: { ErrorCode: 0 } });
      const [first, second] = sandbox.state.arrivals;
      expect([first?.outcome, second?.outcome]).toEqual([fault.kind, 0]);
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    },
  );

  it('gives up with the broken connection after two retries', async () => {
    sandbox.state.faults.add({ fault: { kind: 'reset' }, times: 5 });
    const id = roomId();
    const call = clientWith({ totalTimeoutMs: 6000 }).call('create_room', create(id), { roomId: id });
    await expect(call).rejects.toMatchObject({ kind: 'reset', attempts: 3 });
    expect(sandbox.state.arrivals).toHaveLength(3);
  });

  it('answers with the broken connection when its retry cannot wait out the RoomId second in time', async () => {
    sandbox.state.faults.add({ fault: { kind: 'reset' }, times: 1 });
    const id = roomId();
    await expect(client.call('create_room', create(id), { roomId: id })).rejects.toMatchObject({
      kind: 'reset',
      attempts: 1,
    });
    expect(sandbox.state.arrivals).toHaveLength(1);
  });

  it('does not retry a timeout', async () => {
    sandbox.state.faults.add({ fault: { kind: 'hang' }, times: 1 });
    const id = roomId();
    await expect(patient().call('get_room_info', { RoomId: id }, { roomId: id })).rejects.toMatchObject({
      kind: 'timeout',
      attempts: 1,
    });
    expect(sandbox.state.arrivals).toHaveLength(1);
  });
});

describe('TencentClient.call and answers that are not HTTP 200', () => {
  it("keeps Tencent's envelope sent under HTTP 503 on the failure, does not retry it, and the breaker counts it", async () => {
    const breaking = clientWith({
      totalTimeoutMs: 3000,
      breaker: createUpstreamBreaker({ failures: 1, cooldownMs: 60_000 }),
    });
    sandbox.state.faults.add({ fault: { kind: 'http-status', status: 503, code: 100001 }, times: 1 });
    const id = roomId();
    const err = await breaking.call('create_room', create(id), { roomId: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({
      kind: 'bad-status',
      httpStatus: 503,
      attempts: 1,
      envelope: { ErrorCode: 100001, ActionStatus: 'FAIL', RequestId: expect.stringMatching(/^Id-/) },
    });
    expect(sandbox.state.arrivals).toHaveLength(1);
    const next = roomId();
    expect(await breaking.call('create_room', create(next), { roomId: next })).toBeInstanceOf(CircuitOpen);
  });

  it('keeps no envelope for an HTML error page', async () => {
    sandbox.state.faults.add({ fault: { kind: 'http-status', status: 502 }, times: 1 });
    const id = roomId();
    const err = await client.call('create_room', create(id), { roomId: id }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'bad-status', httpStatus: 502, envelope: undefined });
  });
});

describe('TencentClient.call and the circuit breaker', () => {
  it('answers a retry the open circuit stops with the failure that opened it, then resolves CircuitOpen without sending', async () => {
    const breaking = clientWith({
      totalTimeoutMs: 3000,
      breaker: createUpstreamBreaker({ failures: 1, cooldownMs: 60_000 }),
    });
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100001 }, times: 1 });
    const id = roomId();
    const failed = breaking.call('create_room', create(id), { roomId: id });
    await expect(failed).rejects.toBeInstanceOf(UpstreamError);
    await expect(failed).rejects.toMatchObject({ code: 100001, attempts: 1 });
    const next = roomId();
    const paused = await breaking.call('create_room', create(next), { roomId: next });
    expect(paused).toBeInstanceOf(CircuitOpen);
    expect((paused as CircuitOpen).retryAfterMs).toBeGreaterThan(50_000);
    expect(sandbox.state.arrivals).toHaveLength(1);
  });

  it('resolves CircuitOpen for a call that waited for the probe when the probe fails', async () => {
    const breaker = createUpstreamBreaker({ failures: 1, cooldownMs: 100 });
    const breaking = clientWith({ totalTimeoutMs: 3000, breaker });
    sandbox.state.faults.add({ fault: { kind: 'reset' }, times: 1 });
    const first = roomId();
    await expect(breaking.call('create_room', create(first), { roomId: first })).rejects.toBeInstanceOf(
      TransportError,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The probe hangs until its 400 ms deadline; a call arriving meanwhile waits for its answer.
    sandbox.state.faults.add({ fault: { kind: 'hang' }, times: 1 });
    const probeId = roomId();
    const probe = breaking.call('create_room', create(probeId), { roomId: probeId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiterId = roomId();
    const waiter = breaking.call('create_room', create(waiterId), { roomId: waiterId });
    await expect(probe).rejects.toMatchObject({ kind: 'timeout' });
    expect(await waiter).toBeInstanceOf(CircuitOpen);
    expect(sandbox.state.arrivals.map((a) => a.roomId)).not.toContain(waiterId);
  });
});
