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

describe('GET /metrics after a mixed workload', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let text: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    gateway = await startGateway(testConfig(sandbox));
    const body = (id: string) => ({ RoomInfo: { RoomId: id, SeatTemplate: 'AudioSalon' } });
    const id = roomId();
    await postRoom(gateway, body(id)); // 201
    await postRoom(gateway, body(id)); // 429, limit room
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100003 }, times: 1 });
    await postRoom(gateway, body(roomId())); // 409
    sandbox.state.faults.add({ fault: { kind: 'non-json' }, times: 1 });
    await postRoom(gateway, body(roomId())); // 502
    await postRoom(gateway, body(roomId()), {}); // 401
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    text = await res.text();
  });
  afterAll(async () => {
    await gateway.close();
    await sandbox.close();
  });

  it('counts requests by route, status and caller', () => {
    expect(text).toContain('roomgate_http_requests_total{route="/rooms",status="201",caller="billing"} 1');
    expect(text).toContain('roomgate_http_requests_total{route="/rooms",status="429",caller="billing"} 1');
    expect(text).toContain('roomgate_http_requests_total{route="/rooms",status="401",caller="anonymous"} 1');
    expect(text).toMatch(
      /roomgate_http_request_duration_seconds_bucket\{le="[\d.]+",route="\/rooms",status="201"\}/,
    );
  });

  it('records upstream latency and outcomes by Tencent code or transport failure', () => {
    expect(text).toContain('roomgate_upstream_responses_total{command="create_room",outcome="0"} 1');
    expect(text).toContain('roomgate_upstream_responses_total{command="create_room",outcome="100003"} 1');
    expect(text).toContain('roomgate_upstream_responses_total{command="create_room",outcome="bad-body"} 1');
    expect(text).toMatch(/roomgate_upstream_duration_seconds_count\{command="create_room",outcome="0"\} 1/);
  });

  it('reports limiter admissions, waits, refusals and whether limits are shared', () => {
    expect(text).toContain('roomgate_limiter_admissions_total{command="create_room"} 3');
    expect(text).toContain('roomgate_limiter_refusals_total{command="create_room",limit="room"} 1');
    expect(text).toMatch(/roomgate_limiter_wait_seconds_count\{command="create_room"\} 3/);
    expect(text).toContain('roomgate_limiter_shared 0');
  });

  it('counts UserSig renewals and exposes process metrics', () => {
    expect(text).toContain('roomgate_usersig_renewals_total{reason="initial"} 1');
    expect(text).toContain('roomgate_process_cpu_seconds_total');
    expect(text).toContain('roomgate_nodejs_eventloop_lag_seconds');
  });
});
