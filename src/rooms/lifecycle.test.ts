import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BILLING,
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

async function call(
  gateway: RunningGateway,
  method: 'GET' | 'DELETE' | 'PATCH',
  path: string,
  body?: unknown,
  headers: Record<string, string> = BILLING,
) {
  const res = await request(`${gateway.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    contentType: res.headers['content-type'],
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
  };
}

const create = (gateway: RunningGateway, id: string, extra: Record<string, unknown> = {}) =>
  postRoom(gateway, { RoomInfo: { RoomId: id, SeatTemplate: 'VideoDynamicGrid9Seats', ...extra } });
const path = (id: string) => `/rooms/${encodeURIComponent(id)}`;

let sandbox: RunningSandbox;
let gateway: RunningGateway;

beforeAll(async () => {
  sandbox = await startSandbox({ perSecond: 100_000 });
  gateway = await startGateway(testConfig(sandbox, { upstreamTimeoutMs: 400 }));
});
afterAll(async () => {
  await gateway.close();
  await sandbox.close();
});
beforeEach(() => sandbox.state.faults.clear());

describe('a room from creation to dismissal', () => {
  it('is created, read, changed, read changed, listed, dismissed, then gone', async () => {
    const id = roomId('life');
    expect((await create(gateway, id, { Owner_Account: 'host1', RoomName: 'before' })).status).toBe(201);

    const read = await call(gateway, 'GET', path(id));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      RoomInfo: { RoomId: id, RoomName: 'before', Owner_Account: 'host1', RoomType: 'Live' },
      upstreamRequestId: expect.stringMatching(/^Id-/),
    });

    const patched = await call(gateway, 'PATCH', path(id), { RoomInfo: { RoomName: 'after', Notice: 'hi' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ roomId: id, upstreamRequestId: expect.stringMatching(/^Id-/) });

    const changed = await call(gateway, 'GET', path(id));
    expect(changed.body).toMatchObject({ RoomInfo: { RoomId: id, RoomName: 'after', Notice: 'hi' } });

    const rooms: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(
        gateway,
        'GET',
        `/rooms?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      rooms.push(...(page.body.rooms as Record<string, unknown>[]));
      cursor = page.body.next as string | undefined;
    } while (cursor);
    expect(rooms.find((r) => r.RoomId === id)).toMatchObject({ RoomName: 'after' });

    const dismissed = await call(gateway, 'DELETE', path(id));
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({ roomId: id, upstreamRequestId: expect.stringMatching(/^Id-/) });

    const gone = await call(gateway, 'GET', path(id));
    expect(gone.status).toBe(404);
    expect(gone.contentType).toBe('application/problem+json');
    expect(gone.body).toMatchObject({ type: '/problems/room-not-found', upstream: { errorCode: 100004 } });

    const again = await call(gateway, 'DELETE', path(id));
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ type: '/problems/room-not-found' });
  });

  it("returns Tencent's Statistic as sent when dismissing", async () => {
    const id = roomId('stats');
    await create(gateway, id);
    const room = sandbox.state.rooms.get(id) as Record<string, unknown>;
    room.TotalViewers = 42;
    const dismissed = await call(gateway, 'DELETE', path(id));
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.statistic).toMatchObject({ TotalViewers: expect.any(Number) });
  });

  it.each([
    ['application/json', 'a session whose default headers label every request JSON'],
    ['text/plain', 'a client that labels every request with some type'],
  ])('dismisses with an empty body labelled %s (%s)', async (contentType) => {
    const id = roomId('labelled');
    await create(gateway, id);
    // Python's requests sends Content-Length: 0 with a DELETE that has no body; so does undici here.
    const res = await request(`${gateway.url}${path(id)}`, {
      method: 'DELETE',
      headers: { ...BILLING, 'content-type': contentType, 'content-length': '0' },
    });
    expect(res.statusCode, await res.body.text()).toBe(200);
    expect(sandbox.state.rooms.has(id)).toBe(false);
  });

  it('still reads a body where a route takes one: an empty create is a 400 naming the body', async () => {
    const res = await request(`${gateway.url}/rooms`, {
      method: 'POST',
      headers: { ...BILLING, 'content-type': 'application/json', 'content-length': '0' },
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({
      type: '/problems/validation-failed',
      errors: [{ path: '', message: 'the body is empty; send a JSON object' }],
    });
  });
});

describe('RoomId in the path', () => {
  it.each(['a/b', 'what?', 'tag#1', '直播间 1', '%41'])('is percent-decoded: %s', async (raw) => {
    const id = `${raw}-${roomId()}`.slice(0, 40);
    expect((await create(gateway, id)).status).toBe(201);
    const read = await call(gateway, 'GET', path(id));
    expect(read.status).toBe(200);
    expect((read.body.RoomInfo as { RoomId: string }).RoomId).toBe(id);
    // It travelled upstream only inside the JSON body: the sandbox saw it there, and the URL had no trace of it.
    const arrival = sandbox.state.arrivals.findLast((a) => a.command === 'get_room_info');
    expect(arrival?.roomId).toBe(id);
  });

  it('is validated like RoomId: 1 to 48 bytes, a 400 naming roomId, nothing sent', async () => {
    const before = sandbox.state.arrivals.length;
    const tooLong = await call(gateway, 'GET', path('直'.repeat(17)));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({
      type: '/problems/validation-failed',
      errors: [{ path: 'roomId', message: 'must be 1 to 48 bytes of UTF-8 (got 51)' }],
    });
    expect(sandbox.state.arrivals.length).toBe(before);
  });

  it.each([
    ['101 characters', `/rooms/${'a'.repeat(101)}`, 'must be 1 to 48 bytes of UTF-8 (got 101)'],
    [
      '2,000 characters',
      `/rooms/${'a'.repeat(2000)}`,
      'is longer than the 1024 characters the gateway reads',
    ],
    ['a broken percent-escape', '/rooms/%ZZ', 'is not valid percent-encoded UTF-8'],
    ['percent-encoded bytes that are not UTF-8', '/rooms/%E0%A4', 'is not valid percent-encoded UTF-8'],
  ])(
    'answers a problem naming roomId for %s, with the request ID, nothing sent',
    async (_what, url, message) => {
      const before = sandbox.state.arrivals.length;
      const res = await call(gateway, 'GET', url, undefined, { ...BILLING, 'x-request-id': 'bad-path-1' });
      expect(res.status).toBe(400);
      expect(res.contentType).toBe('application/problem+json');
      expect(res.body).toMatchObject({
        type: '/problems/validation-failed',
        requestId: 'bad-path-1',
        errors: [{ path: 'roomId', message }],
      });
      expect(sandbox.state.arrivals.length).toBe(before);
      const raw = await request(`${gateway.url}${url}`, {
        headers: { ...BILLING, 'x-request-id': 'bad-path-2' },
      });
      await raw.body.dump();
      expect(raw.headers['x-request-id']).toBe('bad-path-2');
    },
  );
});

describe('PATCH /rooms/{roomId} validation', () => {
  it.each([
    [{ RoomInfo: { RoomId: 'x' } }, 'RoomInfo.RoomId'],
    [{ RoomInfo: { Owner_Account: 'x' } }, 'RoomInfo.Owner_Account'],
    [{ RoomInfo: { RoomName: 'n'.repeat(101) } }, 'RoomInfo.RoomName'],
    [{ RoomInfo: { Notice: '通'.repeat(34) } }, 'RoomInfo.Notice'],
    [{ RoomInfo: { MaxMemberCount: 0 } }, 'RoomInfo.MaxMemberCount'],
    [{ RoomInfo: { Category: [1, 2, 3, 4] } }, 'RoomInfo.Category'],
    [{ RoomInfo: {} }, 'RoomInfo'],
    [{ RoomName: 'x' }, 'RoomName'],
  ])('refuses %j naming %s, sending nothing', async (body, field) => {
    const before = sandbox.state.arrivals.length;
    const res = await call(gateway, 'PATCH', path('any-room'), body);
    expect(res.status).toBe(400);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
    expect(sandbox.state.arrivals.length).toBe(before);
  });

  it('answers 404 for a room that does not exist', async () => {
    const res = await call(gateway, 'PATCH', path(roomId('nope')), { RoomInfo: { RoomName: 'x' } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: '/problems/room-not-found' });
  });
});

describe('GET /rooms', () => {
  it.each([
    ['limit=0', 'limit'],
    ['limit=21', 'limit'],
    ['limit=abc', 'limit'],
    ['page=2', 'page'],
  ])('refuses %s naming %s', async (query, field) => {
    const res = await call(gateway, 'GET', `/rooms?${query}`);
    expect(res.status).toBe(400);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toEqual([field]);
  });

  it.each([
    ['limit=0x10', 'must be a whole number from 1 to 20'],
    ['limit=1e1', 'must be a whole number from 1 to 20'],
    ['limit=', 'must be a whole number from 1 to 20'],
    ['limit=%205', 'must be a whole number from 1 to 20'],
    ['limit=2.5', 'must be a whole number from 1 to 20'],
    ['limit=1&limit=2', 'must be given once'],
  ])('takes limit only as plain decimal digits: %s is a 400 saying %s', async (query, message) => {
    const res = await call(gateway, 'GET', `/rooms?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'limit', message }]);
  });

  it('pages by 20 when limit is absent, and by the number given otherwise', async () => {
    await Promise.all(Array.from({ length: 21 }, () => create(gateway, roomId('count'))));
    const sizes: number[] = [];
    for (const query of ['', '?limit=7', '?limit=007']) {
      const res = await call(gateway, 'GET', `/rooms${query}`);
      expect(res.status).toBe(200);
      expect(res.body.next).toEqual(expect.any(String));
      sizes.push((res.body.rooms as unknown[]).length);
    }
    expect(sizes).toEqual([20, 7, 7]);
  });

  it('pages through every room with next, which is absent on the last page', async () => {
    const ids = Array.from({ length: 7 }, () => roomId('page'));
    for (const id of ids) await create(gateway, id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await call(
        gateway,
        'GET',
        `/rooms?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const rooms = res.body.rooms as { RoomId: string }[];
      expect(rooms.length).toBeLessThanOrEqual(3);
      seen.push(...rooms.map((r) => r.RoomId));
      cursor = res.body.next as string | undefined;
      pages++;
    } while (cursor && pages < 100);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('is limited to 10 per second, as Tencent allows for get_room_list', async () => {
    // From a fresh window: the tests above listed rooms too.
    const last = Math.max(
      0,
      ...sandbox.state.arrivals.filter((a) => a.command === 'get_room_list').map((a) => a.at),
    );
    await new Promise((r) =>
      setTimeout(r, Math.max(0, last + 1100 - (performance.timeOrigin + performance.now()))),
    );
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(`${gateway.url}/rooms?limit=1`, { headers: BILLING }).then(async (r) => {
          await r.body.text();
          return r.statusCode;
        }),
      ),
    );
    // Ten go at once; the rest wait for their turn (up to ROOMGATE_QUEUE_MS) or are refused; none is a 60007.
    expect(answers.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(answers.every((s) => s === 200 || s === 429)).toBe(true);
    expect(sandbox.state.arrivals.some((a) => a.command === 'get_room_list' && a.outcome === 60007)).toBe(
      false,
    );
  });
});

describe('errors of the other commands', () => {
  it.each([
    ['DELETE', 100006, 502, 'upstream-failure'],
    ['GET', 100001, 502, 'upstream-failure'],
    ['DELETE', 100002, 400, 'invalid-parameters'],
    ['GET', 60007, 429, 'upstream-rate-limited'],
  ] as const)('%s maps Tencent %i to %i %s', async (method, code, status, slug) => {
    const id = roomId();
    await create(gateway, id);
    sandbox.state.faults.add({ fault: { kind: 'code', code }, times: 3 });
    const res = await call(gateway, method, path(id));
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ type: `/problems/${slug}`, upstream: { errorCode: code } });
  });

  it('retries a broken connection; a dismissal that had gone through then answers 404', async () => {
    const id = roomId();
    await create(gateway, id);
    sandbox.state.faults.add({
      fault: { kind: 'reset', processed: true },
      times: 1,
      command: 'destroy_room',
    });
    const res = await call(gateway, 'DELETE', path(id));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: '/problems/room-not-found', upstream: { errorCode: 100004 } });
    expect(sandbox.state.rooms.has(id)).toBe(false);
  });

  it('retries a connection reset for a read, which then succeeds', async () => {
    const id = roomId();
    await create(gateway, id);
    sandbox.state.faults.add({ fault: { kind: 'reset' }, times: 1, command: 'get_room_info' });
    const res = await call(gateway, 'GET', path(id));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ RoomInfo: { RoomId: id } });
  });

  it('needs an API key', async () => {
    const res = await call(gateway, 'GET', path('x'), undefined, {});
    expect(res.status).toBe(401);
  });
});

describe("normalizing Tencent's room descriptions", () => {
  let legacy: RunningSandbox;
  let viaLegacy: RunningGateway;
  beforeAll(async () => {
    legacy = await startSandbox({ legacyTakeSeatMode: true, numericAccounts: true, perSecond: 100_000 });
    viaLegacy = await startGateway(testConfig(legacy));
  });
  afterAll(async () => {
    await viaLegacy.close();
    await legacy.close();
  });

  it('reads an account number beyond 2^53 as its exact digits and TakeSeatMode as its name', async () => {
    const id = roomId('big');
    const created = await create(viaLegacy, id, {
      Owner_Account: '144115233775727695',
      TakeSeatMode: 'ApplyToTake',
    });
    expect(created.status).toBe(201);
    // The sandbox really sends a bare JSON number and an integer mode, as older Tencent pages show.
    const read = await call(viaLegacy, 'GET', path(id));
    expect(read.status).toBe(200);
    expect(read.text).toContain('"Owner_Account":"144115233775727695"');
    expect(read.body.RoomInfo).toMatchObject({
      Owner_Account: '144115233775727695',
      TakeSeatMode: 'ApplyToTake',
    });

    const list = await call(viaLegacy, 'GET', '/rooms');
    const listed = (list.body.rooms as Record<string, unknown>[]).find((r) => r.RoomId === id);
    expect(listed).toMatchObject({ Owner_Account: '144115233775727695', TakeSeatMode: 'ApplyToTake' });
  });

  /** A room the sandbox describes with Tencent's texts `asWritten` (numbers no JavaScript number holds). */
  async function roomWritten(asWritten: Record<string, string>): Promise<string> {
    const id = roomId('exact');
    expect((await create(viaLegacy, id)).status).toBe(201);
    const room = legacy.state.rooms.get(id);
    if (!room) throw new Error('not created');
    room.asWritten = asWritten;
    return id;
  }

  it('answers numbers beyond 2^53 in any field as JSON numbers with exactly the digits Tencent sent', async () => {
    const id = await roomWritten({
      CreateTime: '12345678901234567890',
      ViewCount: '9007199254740993',
      MaxMemberCount: '1.50',
      GiftTotal: '-0',
    });
    const read = await call(viaLegacy, 'GET', path(id));
    expect(read.status).toBe(200);
    expect(read.contentType).toBe('application/json; charset=utf-8');
    expect(read.text).toContain('"CreateTime":12345678901234567890,');
    expect(read.text).toContain('"ViewCount":9007199254740993,');
    expect(read.text).toContain('"MaxMemberCount":1.50,');
    expect(read.text).toContain('"GiftTotal":-0');
    expect(read.text).toContain(`"RoomId":${JSON.stringify(id)}`);

    const list = await call(viaLegacy, 'GET', '/rooms');
    expect(list.status).toBe(200);
    expect(list.text).toContain('"CreateTime":12345678901234567890,');
    expect(list.text).toContain('"ViewCount":9007199254740993,');
  });

  it("answers Owner_Account sent as a number in any form as a string of Tencent's own text", async () => {
    const id = await roomWritten({ Owner_Account: '-12345678901234567890.5e3' });
    const read = await call(viaLegacy, 'GET', path(id));
    expect(read.text).toContain('"Owner_Account":"-12345678901234567890.5e3"');
    const small = await roomWritten({ Owner_Account: '1.5e3' });
    expect((await call(viaLegacy, 'GET', path(small))).text).toContain('"Owner_Account":"1.5e3"');
  });

  it("answers DELETE's Statistic with Tencent's numbers as sent, beyond 2^53 included", async () => {
    const id = await roomWritten({ TotalViewers: '12345678901234567890', TotalGiftCoins: '1e3' });
    const dismissed = await call(viaLegacy, 'DELETE', path(id));
    expect(dismissed.status).toBe(200);
    expect(dismissed.contentType).toBe('application/json; charset=utf-8');
    expect(dismissed.text).toContain('"TotalViewers":12345678901234567890,');
    expect(dismissed.text).toContain('"TotalGiftCoins":1e3,');
  });
});
