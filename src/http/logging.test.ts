import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

/** Every path through the gateway that could leak a secret, logged at the most verbose level. */
describe('secrets never reach logs or answers', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let unreachable: RunningGateway;
  const answers: string[] = [];
  const config = () => testConfig(sandbox, { logLevel: 'trace', upstreamTimeoutMs: 300 });
  const minimal = () => ({ RoomInfo: { RoomId: roomId(), SeatTemplate: 'AudioSalon' } });

  beforeAll(async () => {
    sandbox = await startSandbox();
    gateway = await startGateway(config());
    unreachable = await startGateway({
      ...config(),
      tencent: { ...config().tencent, baseUrl: 'http://127.0.0.1:1' },
    });
    const record = async (p: Promise<{ body: unknown; headers: Headers }>) => {
      const res = await p;
      answers.push(JSON.stringify(res.body), JSON.stringify([...res.headers]));
    };
    await record(postRoom(gateway, minimal()));
    for (const fault of [
      { kind: 'code', code: 70001 },
      { kind: 'code', code: 70009 },
      { kind: 'http-status', status: 502 },
      { kind: 'reset' },
      { kind: 'hang' },
    ] as const) {
      sandbox.state.faults.add({ fault, times: 1 });
      await record(postRoom(gateway, minimal()));
    }
    await record(postRoom(gateway, minimal(), { authorization: 'Bearer wrong-secret-value' }));
    await record(
      postRoom(gateway, '{"RoomInfo": // comment', { authorization: 'Bearer studio-secret-9876543210' }),
    );
    await record(postRoom(unreachable, minimal()));
  });
  afterAll(async () => {
    await unreachable.close();
    await gateway.close();
    await sandbox.close();
  });

  it('exercises the paths it claims to (the sandbox saw signed requests and the log is verbose)', () => {
    expect(sandbox.state.arrivals.length).toBeGreaterThanOrEqual(6);
    expect(gateway.logs.lines.some((l) => l.level === 20)).toBe(true);
    expect(unreachable.logs.requestLines()[0]).toMatchObject({ status: 502 });
  });

  it('reuses one UserSig across requests and renews it only after 70001', () => {
    const sigs = [...new Set(sandbox.state.arrivals.map((a) => a.userSig))];
    expect(sigs).toHaveLength(2);
  });

  it('keeps the secret key, every UserSig and every API key out of the logs', () => {
    const secrets = [
      sandbox.secretKey,
      'billing-secret-0123456789',
      'studio-secret-9876543210',
      'wrong-secret-value',
      ...sandbox.state.arrivals.map((a) => a.userSig as string),
    ];
    for (const log of [gateway.logs.raw, unreachable.logs.raw]) {
      expect(log.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(log).not.toContain(secret);
    }
  });

  it('keeps them out of the answers too', () => {
    const all = answers.join('\n');
    for (const secret of [sandbox.secretKey, 'billing-secret-0123456789', 'studio-secret-9876543210']) {
      expect(all).not.toContain(secret);
    }
    for (const arrival of sandbox.state.arrivals) expect(all).not.toContain(arrival.userSig);
  });
});

describe('operator alerts', () => {
  it('logs a burst of credential refusals at error level once, the rest at warn', async () => {
    const sandbox = await startSandbox();
    const gateway = await startGateway(testConfig(sandbox));
    try {
      sandbox.state.faults.add({ fault: { kind: 'code', code: 70009 }, times: 5 });
      for (let i = 0; i < 5; i++) {
        const res = await postRoom(gateway, { RoomInfo: { RoomId: roomId(), SeatTemplate: 'Karaoke' } });
        expect(res.body.detail).toContain('TENCENT_SECRET_KEY');
      }
      const alerts = gateway.logs.lines.filter(
        (l) => l.msg === 'Tencent refuses the gateway itself: operator action needed',
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ level: 50, upstream: { errorCode: 70009 } });
      expect(gateway.logs.lines.filter((l) => l.msg === 'upstream failure' && l.level === 40)).toHaveLength(
        4,
      );
    } finally {
      await gateway.close();
      await sandbox.close();
    }
  });
});
