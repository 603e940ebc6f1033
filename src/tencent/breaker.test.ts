import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGatewayWith,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

const body = () => ({ RoomInfo: { RoomId: roomId('cb'), SeatTemplate: 'Karaoke' } });

describe('the upstream circuit breaker', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  beforeAll(async () => {
    sandbox = await startSandbox();
    gateway = await startGatewayWith(testConfig(sandbox), { breaker: { failures: 3, cooldownMs: 600 } });
  });
  afterAll(async () => {
    await gateway.close();
    await sandbox.close();
  });

  it('opens after repeated failures, fails fast with 503, then lets a probe through and closes', async () => {
    sandbox.state.faults.add({ fault: { kind: 'http-status', status: 502 }, times: 100 });
    for (let i = 0; i < 3; i++) expect((await postRoom(gateway, body())).status).toBe(502);
    const sent = sandbox.state.arrivals.length;

    const started = performance.now();
    const refused = await postRoom(gateway, body());
    expect(performance.now() - started).toBeLessThan(100);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ type: '/problems/upstream-unavailable', status: 503 });
    expect(refused.body).not.toHaveProperty('upstream');
    expect(sandbox.state.arrivals.length).toBe(sent);
    const ready = (await (await fetch(`${gateway.url}/readyz`)).json()) as {
      checks: { upstream: { reason: string } };
    };
    expect(ready.checks.upstream.reason).toMatch(/circuit open/);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain(
      'roomgate_upstream_circuit_state 1',
    );
    expect(gateway.logs.lines.filter((l) => String(l.msg).includes('circuit open'))).toHaveLength(1);

    // Still failing after the cool-down: the one probe fails and the circuit opens again.
    await new Promise((r) => setTimeout(r, 650));
    expect((await postRoom(gateway, body())).status).toBe(502);
    expect((await postRoom(gateway, body())).status).toBe(503);

    // Tencent recovers: the next probe succeeds and traffic flows again.
    sandbox.state.faults.clear();
    await new Promise((r) => setTimeout(r, 650));
    expect((await postRoom(gateway, body())).status).toBe(201);
    expect((await postRoom(gateway, body())).status).toBe(201);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain(
      'roomgate_upstream_circuit_state 0',
    );
  });

  it('keeps the circuit closed for business refusals such as 100003', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100003 }, times: 5 });
    for (let i = 0; i < 5; i++) expect((await postRoom(gateway, body())).status).toBe(409);
    expect((await postRoom(gateway, body())).status).toBe(201);
  });
});
