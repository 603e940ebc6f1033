import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, type RunningSandbox, roomId, SDKAPPID, startSandbox } from '../../test/helpers.js';
import { createLimiterGate } from '../limits/gate.js';
import { createMemoryLimiter } from '../limits/memory-limiter.js';
import { createTencentClient, type TencentClient } from './client.js';
import { COMMANDS, type CommandName } from './commands.js';
import { LimitRefusal, UpstreamError } from './errors.js';
import { signUserSig } from './usersig.js';
import { createUserSigCache } from './usersig-cache.js';

/** A Create Room body the sandbox accepts, as the Create Room page requires it. */
const create = (id: string) => ({
  RoomInfo: { RoomId: id, RoomType: 'Live' as const, SeatTemplate: 'VideoDynamicGrid9Seats' },
});

let sandbox: RunningSandbox;
let client: TencentClient;

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

beforeAll(async () => {
  sandbox = await startSandbox();
  client = createTencentClient({
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
  });
});
afterAll(async () => {
  await client.close();
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
