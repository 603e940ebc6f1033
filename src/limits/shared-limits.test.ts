import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  busiestWindow,
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startSandbox,
  sustainedRate,
  testConfig,
} from '../../test/helpers.js';
import {
  PROCESS_API_KEY,
  type RunningProcess,
  type SandboxProcess,
  spawnGateway,
  spawnSandbox,
} from '../../test/processes.js';
import { type RunningRedis, redisBinary, startRedis } from '../../test/redis.js';

const auth = { authorization: `Bearer ${PROCESS_API_KEY.split(':')[1]}` };
const body = (id: string) => ({ RoomInfo: { RoomId: id, SeatTemplate: 'AudioSalon', MaxSeatCount: 6 } });

describe.skipIf(!redisBinary)('limits shared by three gateway processes through one Redis', () => {
  let redis: RunningRedis;
  let sandbox: SandboxProcess;
  let replicas: RunningProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await spawnSandbox();
    replicas = await Promise.all(
      [1, 2, 3].map(() =>
        spawnGateway(sandbox, { REDIS_URL: redis.url, ROOMGATE_REPLICAS: '3', ROOMGATE_QUEUE_MS: '10000' }),
      ),
    );
    // Each replica reports ready once its limiter shares through Redis.
    for (const replica of replicas) {
      for (let i = 0; i < 100 && (await fetch(`${replica.url}/readyz`)).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await fetch(`${replica.url}/readyz`)).status).toBe(200);
    }
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await sandbox?.stop();
    await redis?.stop();
  });
  beforeEach(async () => {
    await sandbox.reset();
  });

  it('keeps 1,000 rooms sent through three replicas at once to 200 in any 1,000 ms, at 190 per second or more', async () => {
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        postRoom(replicas[i % 3] as RunningProcess, body(roomId()), auth),
      ),
    );
    // No replica fell back to its local share during the burst (a slow Redis answer is not an outage).
    for (const replica of replicas) expect(replica.output()).not.toContain('no longer shared');
    expect(answers.filter((a) => a.status !== 201).map((a) => a.body)).toEqual([]);
    const arrivals = await sandbox.arrivals();
    expect(arrivals.filter((a) => a.outcome !== 0)).toEqual([]);
    const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
    expect(busiestWindow(times)).toBeLessThanOrEqual(200);
    // After the first burst the shared queue keeps Tencent's quota busy: at least 190 per second.
    expect(sustainedRate(times)).toBeGreaterThanOrEqual(190);
  });

  it('lets exactly one of concurrent duplicates of a RoomId through, across replicas', async () => {
    const id = roomId('shared-dup');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => postRoom(replicas[i % 3] as RunningProcess, body(id), auth)),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 429 && a.body.limit === 'room')).toHaveLength(29);
    expect((await sandbox.arrivals()).filter((a) => a.roomId === id)).toHaveLength(1);
  });
});

describe.skipIf(!redisBinary)('when Redis goes away and comes back', () => {
  let redis: RunningRedis;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  const readiness = async () => {
    const res = await fetch(`${gateway.url}/readyz`);
    return {
      status: res.status,
      body: (await res.json()) as { checks: Record<string, { reason?: string }> },
    };
  };
  const waitForReadiness = async (status: number) => {
    for (let i = 0; i < 200 && (await readiness()).status !== status; i++)
      await new Promise((r) => setTimeout(r, 50));
    return readiness();
  };

  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await startSandbox();
    gateway = await startGateway({
      ...testConfig(sandbox, { limits: { globalPerSecond: 10, queueMs: 0, replicas: 2, marginMs: 25 } }),
      redisUrl: redis.url,
    });
    expect((await waitForReadiness(200)).status).toBe(200);
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  it('falls back to its share of the limit at once, reports unready, and returns to shared limits', async () => {
    await redis.kill();
    const down = await waitForReadiness(503);
    expect(down.status).toBe(503);
    expect(down.body.checks.limiter?.reason).toMatch(/Redis/);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('roomgate_limiter_shared 0');

    // Requests neither hang nor fail: each replica keeps 1/2 of the limit of 10 per second.
    await new Promise((r) => setTimeout(r, 1100));
    sandbox.state.reset();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 10 }, () => postRoom(gateway, body(roomId()))));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    const warning = gateway.logs.lines.find((l) => String(l.msg).includes('no longer shared'));
    expect(warning).toMatchObject({ level: 40 });

    await redis.restart();
    expect((await waitForReadiness(200)).status).toBe(200);
    const back = performance.now();
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('roomgate_limiter_shared 1');
    // The five sends made alone were handed to Redis: they still count until their window ends.
    const right = await Promise.all(Array.from({ length: 10 }, () => postRoom(gateway, body(roomId()))));
    expect(right.filter((a) => a.status === 201).length).toBeLessThanOrEqual(5);
    // For a window and the replicas' reconnect spread (3 s) it also keeps to its share; then the whole limit.
    await new Promise((r) => setTimeout(r, back + 1025 + 3000 + 1100 - performance.now()));
    const later = await Promise.all(Array.from({ length: 10 }, () => postRoom(gateway, body(roomId()))));
    expect(later.filter((a) => a.status === 201)).toHaveLength(10);
    expect(gateway.logs.lines.some((l) => String(l.msg).includes('shared through Redis again'))).toBe(true);
  });
});

describe.skipIf(!redisBinary)('two replicas across a Redis outage', () => {
  let redis: RunningRedis;
  let sandbox: RunningSandbox;
  let a: RunningGateway;
  let b: RunningGateway;
  const LIMIT = 10;

  const ready = async (gateway: RunningGateway) => {
    for (let i = 0; i < 200 && (await fetch(`${gateway.url}/readyz`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 25));
    return (await fetch(`${gateway.url}/readyz`)).status;
  };
  const creates = (gateway: RunningGateway, ids: string[]) => ids.map((id) => postRoom(gateway, body(id)));
  const fresh = (n: number) => Array.from({ length: n }, () => roomId('edge'));

  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await startSandbox();
    const config = {
      ...testConfig(sandbox, { limits: { globalPerSecond: LIMIT, queueMs: 0, replicas: 2, marginMs: 25 } }),
      redisUrl: redis.url,
    };
    [a, b] = await Promise.all([startGateway(config), startGateway(config)]);
    expect([await ready(a), await ready(b)]).toEqual([200, 200]);
    // Past the grace period that follows every connection to Redis, the first included.
    await new Promise((r) => setTimeout(r, 1025 + 3000));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  it('never lets Tencent see more than the limit in a second, nor a RoomId twice, as Redis fails and returns', async () => {
    sandbox.state.reset();
    // The whole limit through one replica, each send held 600 ms upstream: under way when Redis dies.
    sandbox.state.faults.add({ fault: { kind: 'delay', ms: 600 }, times: LIMIT, command: 'create_room' });
    const first = fresh(LIMIT);
    const underWay = creates(a, first);
    for (let i = 0; i < 100 && sandbox.state.arrivals.length < LIMIT; i++)
      await new Promise((r) => setTimeout(r, 10));
    await redis.kill();
    const killedAt = performance.now();
    // At once both replicas are asked for more, and the first for the RoomIds it has under way.
    const onEdge = [
      ...creates(a, fresh(LIMIT)),
      ...creates(b, fresh(LIMIT)),
      ...creates(a, first.slice(0, 3)),
    ];
    await Promise.all(underWay);
    // Nothing goes on its own for a window after the fallback (queueMs 0: refused, not queued).
    expect((await Promise.all(onEdge)).map((x) => x.status)).toEqual(onEdge.map(() => 429));
    // Then each keeps to its share: B sends five, A nothing yet, as its own ten (answered ~600 ms after the
    // fallback) still count for a window.
    await new Promise((r) => setTimeout(r, killedAt + 1150 - performance.now()));
    const alone = await Promise.all([...creates(a, fresh(LIMIT)), ...creates(b, fresh(LIMIT))]);
    expect(alone.slice(0, LIMIT).filter((x) => x.status === 201)).toHaveLength(0);
    expect(alone.slice(LIMIT).filter((x) => x.status === 201)).toHaveLength(LIMIT / 2);

    await redis.restart();
    expect([await ready(a), await ready(b)]).toEqual([200, 200]);
    // Back: what they sent alone still counts, and for a while each keeps to its share as well.
    await Promise.all([...creates(a, fresh(LIMIT)), ...creates(b, fresh(LIMIT))]);
    await new Promise((r) => setTimeout(r, 1100));
    const again = await Promise.all([...creates(a, fresh(LIMIT)), ...creates(b, fresh(LIMIT))]);
    expect(again.filter((x) => x.status === 201)).toHaveLength(LIMIT);

    const arrivals = sandbox.state.arrivals.filter((x) => x.command === 'create_room');
    expect(arrivals.filter((x) => x.outcome !== 0 && x.outcome !== 'delay')).toEqual([]);
    expect(busiestWindow(arrivals.map((x) => x.at))).toBeLessThanOrEqual(LIMIT);
    // Every RoomId arrived once: the three sent again while under way never left the gateway.
    expect(new Set(arrivals.map((x) => x.roomId)).size).toBe(arrivals.length);
    expect(arrivals.length).toBe(LIMIT + LIMIT / 2 + LIMIT);
  });
});
