import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

let sandbox: RunningSandbox;
let gateway: RunningGateway;
beforeEach(async () => {
  sandbox = await startSandbox();
  gateway = await startGateway(testConfig(sandbox));
});
afterEach(async () => {
  await gateway.close();
  await sandbox.close();
});

const readiness = async () => {
  const res = await request(`${gateway.url}/readyz`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
};
const create = (id: string) =>
  postRoom(gateway, { RoomInfo: { RoomId: id, SeatTemplate: 'VideoDynamicGrid9Seats' } });

describe('draining before a shutdown', () => {
  it('is ready and keeps connections alive until the drain begins', async () => {
    expect(await readiness()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { shutdown: { ok: true } } },
    });
    const res = await create(roomId('before-drain'));
    expect(res.status).toBe(201);
    expect(res.headers.get('connection')).toBe('keep-alive');
  });

  it('still serves requests while draining, but fails readiness and closes every connection after its answer', async () => {
    gateway.app.drain();
    const ready = await readiness();
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'unready',
      checks: {
        shutdown: { ok: false, reason: expect.stringContaining('shutting down') },
        limiter: { ok: true },
      },
    });
    const id = roomId('while-draining');
    const res = await create(id);
    expect(res.status).toBe(201);
    expect(res.headers.get('connection')).toBe('close');
    expect(sandbox.state.rooms.has(id)).toBe(true);
    // Refusals too: a caller that gets an error must not keep using this replica either.
    const refused = await postRoom(gateway, { RoomInfo: { RoomId: id } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('connection')).toBe('close');
  });

  it('answers what is in flight when the gateway closes, with Connection: close, and then stops accepting', async () => {
    sandbox.state.faults.add({ fault: { kind: 'delay', ms: 300 }, times: 1 });
    const id = roomId('in-flight');
    const pending = create(id);
    await new Promise((r) => setTimeout(r, 100));
    const closed = gateway.app.close();
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.headers.get('connection')).toBe('close');
    await closed;
    await expect(request(`${gateway.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
