import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BILLING,
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startGatewayWith,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';
import { CREATE_ROOM_EXAMPLES } from './schemas.js';

/** The Create Room page's two examples (as the OpenAPI document carries them), each with its own RoomId. */
const showroomLive = (id: string) => ({
  RoomInfo: { ...CREATE_ROOM_EXAMPLES.showroomLive.value.RoomInfo, RoomId: id },
});
const voiceChat = (id: string) => ({
  RoomInfo: { ...CREATE_ROOM_EXAMPLES.voiceChatRoom.value.RoomInfo, RoomId: id },
});
const minimal = (id: string) => ({ RoomInfo: { RoomId: id, SeatTemplate: 'VideoDynamicGrid9Seats' } });

let sandbox: RunningSandbox;
let gateway: RunningGateway;

beforeAll(async () => {
  sandbox = await startSandbox();
  // Many upstream faults in a row: a circuit breaker opening would hide them (it has tests of its own).
  gateway = await startGatewayWith(testConfig(sandbox, { upstreamTimeoutMs: 400 }), {
    breaker: { failures: 1000 },
  });
});
afterAll(async () => {
  await gateway.close();
  await sandbox.close();
});
beforeEach(() => sandbox.state.reset());

describe('POST /rooms, created', () => {
  it.each([
    ['Showroom Live', showroomLive],
    ['Voice Chat Room', voiceChat],
  ])(
    'creates the %s example of the Create Room page and answers 201 with Location',
    async (_name, example) => {
      const id = roomId('live');
      const res = await postRoom(gateway, example(id));
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/rooms/${id}`);
      expect(res.body).toEqual({
        roomId: id,
        created: true,
        upstreamRequestId: expect.stringMatching(/^Id-/),
      });
      const stored = sandbox.state.rooms.get(id);
      expect(stored).toMatchObject({ ...example(id).RoomInfo, Owner_Account: 'testA' });
    },
  );

  it('sends exactly the documented query, a JSON content type and the validated fields with RoomType set', async () => {
    const id = roomId();
    await postRoom(gateway, minimal(id));
    const [arrival] = sandbox.state.arrivals;
    expect(arrival).toMatchObject({ command: 'create_room', roomId: id, outcome: 0 });
    expect(arrival?.contentType).toBe('application/json');
    expect(Number(arrival?.random)).toBeGreaterThanOrEqual(0);
    expect(Number(arrival?.random)).toBeLessThanOrEqual(4294967295);
    expect(sandbox.state.rooms.get(id)).toEqual({
      RoomId: id,
      RoomType: 'Live',
      SeatTemplate: 'VideoDynamicGrid9Seats',
      Owner_Account: 'administrator',
      CreateTime: expect.any(Number),
    });
  });

  it('percent-encodes the RoomId in Location', async () => {
    const id = `直播 ${roomId()}/?#`;
    const res = await postRoom(gateway, minimal(id));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/rooms/${encodeURIComponent(id)}`);
    expect(res.body.roomId).toBe(id);
  });

  it('answers 200 created:false when Tencent says the room exists with the same owner (100010)', async () => {
    const id = roomId();
    sandbox.state.rooms.set(id, { RoomId: id, RoomType: 'Live', Owner_Account: 'testA', CreateTime: 1 });
    const res = await postRoom(gateway, showroomLive(id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      roomId: id,
      created: false,
      upstreamRequestId: expect.stringMatching(/^Id-/),
    });
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('POST /rooms, validation', () => {
  it.each([
    ['RoomId', { RoomId: '\ud800', SeatTemplate: 'AudioSalon' }],
    ['RoomName', { RoomId: 'ok', SeatTemplate: 'AudioSalon', RoomName: 'a\udc00b' }],
  ])('refuses a lone surrogate in %s (no UTF-8 form) before anything is sent', async (field, info) => {
    const res = await postRoom(gateway, `{"RoomInfo":${JSON.stringify(info)}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: `RoomInfo.${field}`, message: 'must be valid Unicode (it has a lone surrogate)' },
    ]);
    expect(sandbox.state.arrivals).toHaveLength(0);
  });

  it("explains the documentation's // comments instead of a bare parse error", async () => {
    const res = await postRoom(
      gateway,
      '{\n"RoomInfo": {\n"RoomId": "live-room",\n"RoomType": "Live",\n// Other fields\n}\n}',
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/problems/validation-failed', errors: [{ path: '' }] });
    const [error] = res.body.errors as { message: string }[];
    expect(error?.message).toContain('line 5 column 1');
    expect(error?.message).toContain('JSON has no comments');
  });

  it.each([
    [
      'a form',
      'application/x-www-form-urlencoded',
      'RoomId=x',
      'the body is "application/x-www-form-urlencoded", not JSON',
    ],
    // curl -d without -H, or fetch with a string body, which labels it text/plain: JSON inside, but not said so.
    ['text', 'text/plain;charset=UTF-8', JSON.stringify(minimal('x')), 'the body is "text/plain", not JSON'],
    ['no label', undefined, JSON.stringify(minimal('x')), 'the body has no Content-Type'],
  ])(
    'answers 400 validation-failed naming the body for %s, as for any body that is not JSON',
    async (_what, contentType, body, message) => {
      // A Blob without a type makes fetch send no Content-Type at all.
      const res = await fetch(`${gateway.url}/rooms`, {
        method: 'POST',
        headers: { ...BILLING, ...(contentType ? { 'content-type': contentType } : {}) },
        body: contentType ? body : new Blob([body]),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: '/problems/validation-failed',
        errors: [{ path: '', message: `${message}; send JSON with Content-Type: application/json` }],
      });
      expect(sandbox.state.arrivals).toHaveLength(0);
    },
  );

  it.each([
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json; charset=utf8',
    'Application/JSON',
  ])('takes JSON sent as %s, as many HTTP clients label it', async (contentType) => {
    const id = roomId();
    const res = await fetch(`${gateway.url}/rooms`, {
      method: 'POST',
      headers: { ...BILLING, 'content-type': contentType },
      body: JSON.stringify(minimal(id)),
    });
    expect(res.status).toBe(201);
    expect(sandbox.state.rooms.has(id)).toBe(true);
  });

  it.each([
    ['no body at all', undefined],
    ['the JSON null', 'null'],
  ])('answers 400 naming the body for %s, saying a JSON object is wanted', async (_what, body) => {
    const res = await fetch(`${gateway.url}/rooms`, {
      method: 'POST',
      headers: { ...BILLING, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: '/problems/validation-failed',
      errors: [
        {
          path: '',
          message: 'the body is missing (or null); send a JSON object with Content-Type: application/json',
        },
      ],
    });
  });

  it.each([
    ['application/json; charset=iso-8859-1', 'JSON must be UTF-8, with no other charset'],
    ['application/json; charset=utf-16', 'JSON must be UTF-8, with no other charset'],
    ['text/json', 'the body is "text/json", not JSON'],
    ['application/jsonx', 'the body is "application/jsonx", not JSON'],
  ])('answers 400 for %s, nothing sent', async (contentType, message) => {
    const res = await fetch(`${gateway.url}/rooms`, {
      method: 'POST',
      headers: { ...BILLING, 'content-type': contentType },
      body: JSON.stringify(minimal(roomId())),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: '/problems/validation-failed',
      errors: [{ path: '', message: `${message}; send JSON with Content-Type: application/json` }],
    });
    expect(sandbox.state.arrivals).toHaveLength(0);
  });

  it('refuses a body that is not valid UTF-8 instead of creating a room under a mangled RoomId', async () => {
    const json = Buffer.from('{"RoomInfo":{"RoomId":"\u0000\u0000","SeatTemplate":"AudioSalon"}}');
    json[json.indexOf(0)] = 0xff;
    json[json.indexOf(0)] = 0xfe;
    const res = await fetch(`${gateway.url}/rooms`, {
      method: 'POST',
      headers: { ...BILLING, 'content-type': 'application/json' },
      body: json,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: '/problems/validation-failed',
      errors: [{ path: '', message: 'the body is not valid UTF-8; send JSON as UTF-8' }],
    });
    expect(sandbox.state.arrivals).toHaveLength(0);
  });

  it('names the Content-Encoding of a compressed body, which it does not decode, sending nothing', async () => {
    const res = await fetch(`${gateway.url}/rooms`, {
      method: 'POST',
      headers: { ...BILLING, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"RoomInfo":{"RoomId":"zipped","SeatTemplate":"AudioSalon"}}'),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: '/problems/validation-failed',
      errors: [
        {
          path: '',
          message:
            'the body is sent with Content-Encoding: gzip, which the gateway does not decode; send the JSON uncompressed',
        },
      ],
    });
    expect(sandbox.state.arrivals).toHaveLength(0);
  });

  it('answers 413 payload-too-large for a body over 16 KiB', async () => {
    const res = await postRoom(gateway, {
      RoomInfo: { RoomId: 'x', SeatTemplate: 'Karaoke', RoomName: 'n'.repeat(17_000) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ type: '/problems/payload-too-large' });
  });

  it('answers 400 for an empty body', async () => {
    const res = await postRoom(gateway, '');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [{ path: '' }] });
  });
});

describe('POST /rooms, Tencent refusals as problems', () => {
  it('answers 409 room-id-taken for 100003 with the upstream envelope', async () => {
    const id = roomId();
    sandbox.state.rooms.set(id, {
      RoomId: id,
      RoomType: 'Live',
      Owner_Account: 'someoneElse',
      CreateTime: 1,
    });
    const res = await postRoom(gateway, showroomLive(id));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toEqual({
      type: '/problems/room-id-taken',
      title: 'Room ID already exists',
      status: 409,
      detail: 'Tencent answered 100003 (room ID already exists).',
      requestId: res.headers.get('x-request-id'),
      instance: '/rooms',
      upstream: {
        errorCode: 100003,
        errorInfo: 'room ID already exists',
        requestId: expect.stringMatching(/^Id-/),
      },
    });
  });

  it('answers 409 room-id-reserved-by-chat for 100011', async () => {
    const res = await postRoom(gateway, minimal(`@TGS#${roomId()}`));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      type: '/problems/room-id-reserved-by-chat',
      upstream: { errorCode: 100011 },
    });
  });

  it('answers 422 sensitive-content for 100026', async () => {
    const body = minimal(roomId());
    const res = await postRoom(gateway, {
      RoomInfo: { ...body.RoomInfo, RoomName: 'a sensitive-word here' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: '/problems/sensitive-content', upstream: { errorCode: 100026 } });
  });

  it.each([
    [100002, 400, 'invalid-parameters'],
    [100007, 502, 'upstream-failure'],
    [60004, 502, 'upstream-failure'],
    [70009, 502, 'upstream-failure'],
    [70016, 502, 'upstream-failure'],
    [123456, 502, 'upstream-failure'],
  ])('maps Tencent %i to %i %s, carrying upstream.errorCode', async (code, status, slug) => {
    sandbox.state.faults.add({ fault: { kind: 'code', code, info: `said ${code}` }, times: 1 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({
      type: `/problems/${slug}`,
      status,
      upstream: { errorCode: code, errorInfo: `said ${code}`, requestId: expect.stringMatching(/^Id-/) },
    });
    expect(sandbox.state.arrivals).toHaveLength(1);
  });

  it('tells the operator what to check when Tencent refuses the credentials', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 70016 }, times: 1 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.body.detail).toContain('TENCENT_REGION');
  });

  it.each([100012, 60007, 60011, 60018, 60019])(
    'maps Tencent %i to 429 upstream-rate-limited with Retry-After 1',
    async (code) => {
      sandbox.state.faults.add({ fault: { kind: 'code', code }, times: 1 });
      const res = await postRoom(gateway, minimal(roomId()));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toMatchObject({
        type: '/problems/upstream-rate-limited',
        upstream: { errorCode: code },
      });
    },
  );
});

describe('POST /rooms, a gateway that has just started', () => {
  it('sends nothing for its first window: the process it replaces may have sent in it', async () => {
    const startedAt = performance.timeOrigin + performance.now();
    // The default start-up pause (the test helpers turn it off for every other test).
    const fresh = await startGatewayWith(testConfig(sandbox), { startupPauseMs: undefined });
    try {
      // An arrival in the pause's first 10 ms would wait over ROOMGATE_QUEUE_MS (1,000 ms) and get a 429, as
      // README's Start-up says; on a quick start the first request can come that early after the limiter.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const id = roomId('fresh');
      const res = await postRoom(fresh, minimal(id));
      expect(res.status).toBe(201);
      const arrival = sandbox.state.arrivals.find((a) => a.roomId === id);
      // One window (1,000 ms and the 10 ms margin) after the limiter was made; timers may fire 1 ms early.
      expect((arrival?.at ?? 0) - startedAt).toBeGreaterThanOrEqual(1009);
    } finally {
      await fresh.close();
    }
  });
});

describe('POST /rooms, retries', () => {
  it('retries 100001 with the same RoomId no sooner than a second later, then succeeds', async () => {
    const id = roomId();
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100001 }, times: 1 });
    const res = await postRoom(gateway, minimal(id));
    expect(res.status).toBe(201);
    const [first, second] = sandbox.state.arrivals;
    expect(first?.outcome).toBe(100001);
    expect(second?.outcome).toBe(0);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(second?.random).not.toBe(first?.random);
  });

  it('answers 502 upstream-failure when 100001 persists after two retries', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 100001 }, times: 5 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ type: '/problems/upstream-failure', upstream: { errorCode: 100001 } });
    expect(res.body.detail).toContain('after 3 attempts');
    expect(sandbox.state.arrivals.map((a) => a.outcome)).toEqual([100001, 100001, 100001]);
  });

  it('does not retry 60008: only connection failures and 100001 are, as the contract says', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 60008 }, times: 3 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ type: '/problems/upstream-failure', upstream: { errorCode: 60008 } });
    expect(sandbox.state.arrivals.map((a) => a.outcome)).toEqual([60008]);
  });

  it.each([
    ['reset', { kind: 'reset' }],
    ['half-closed mid-answer', { kind: 'half-close' }],
  ] as const)(
    'retries a connection %s like one that never opened, a second later, then succeeds',
    async (_name, fault) => {
      sandbox.state.faults.add({ fault, times: 1 });
      const res = await postRoom(gateway, minimal(roomId()));
      expect(res.status).toBe(201);
      expect(res.body.created).toBe(true);
      const [first, second] = sandbox.state.arrivals;
      expect([first?.outcome, second?.outcome]).toEqual([fault.kind, 0]);
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    },
  );

  it('answers 200 created:false when the broken attempt had created the room (the retry gets 100010)', async () => {
    const id = roomId();
    sandbox.state.faults.add({ fault: { kind: 'reset', processed: true }, times: 1 });
    const res = await postRoom(gateway, minimal(id));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roomId: id, created: false });
    expect(sandbox.state.arrivals.map((a) => a.outcome)).toEqual(['reset', 100010]);
  });

  it('says how many attempts a connection that keeps breaking got', async () => {
    sandbox.state.faults.add({ fault: { kind: 'reset' }, times: 3 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(502);
    expect(res.body.detail).toContain('(3 attempts)');
    expect(sandbox.state.arrivals).toHaveLength(3);
  });

  it('does not retry a timeout: the answer is a 504 after one attempt', async () => {
    sandbox.state.faults.add({ fault: { kind: 'hang' }, times: 1 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(504);
    expect(sandbox.state.arrivals).toHaveLength(1);
  });

  it('regenerates the UserSig after 70001 and retries once with the new one', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 70001 }, times: 1 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(201);
    expect(sandbox.state.arrivals.map((a) => a.outcome)).toEqual([70001, 0]);
  });

  it('answers 502 when 70001 comes back after the regeneration too', async () => {
    sandbox.state.faults.add({ fault: { kind: 'code', code: 70001 }, times: 2 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ upstream: { errorCode: 70001 } });
    expect(sandbox.state.arrivals).toHaveLength(2);
  });
});

describe('POST /rooms, upstream answers that are not envelopes', () => {
  it.each([
    ['an HTML 502 page', { kind: 'http-status', status: 502 } as const, 'HTTP status 502'],
    ['a non-JSON 200', { kind: 'non-json' } as const, 'without its JSON envelope'],
    ['JSON without ErrorCode', { kind: 'no-error-code' } as const, 'without its JSON envelope'],
    ['a connection reset on every attempt', { kind: 'reset' } as const, 'connection to Tencent broke'],
    [
      'a connection half-closed mid-body on every attempt',
      { kind: 'half-close' } as const,
      'connection to Tencent broke',
    ],
  ])('answers 502 upstream-failure without `upstream` for %s', async (_name, fault, detail) => {
    // Three of each: a broken connection is retried (twice), the others are not.
    sandbox.state.faults.add({ fault, times: 3 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(502);
    expect(res.body.type).toBe('/problems/upstream-failure');
    expect(res.body.detail).toContain(detail);
    expect(res.body).not.toHaveProperty('upstream');
  });

  it("answers 502 upstream-failure with `upstream` for Tencent's envelope under HTTP 503", async () => {
    sandbox.state.faults.add({
      fault: { kind: 'http-status', status: 503, code: 60008, info: 'service timeout' },
      times: 1,
    });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      type: '/problems/upstream-failure',
      upstream: { errorCode: 60008, errorInfo: 'service timeout', requestId: expect.stringMatching(/^Id-/) },
    });
    expect(res.body.detail).toContain('Tencent answered HTTP 503 with ErrorCode 60008');
    expect(res.body.detail).not.toContain('not its JSON envelope');
  });

  it.each([100001, 100010, 100003])(
    'answers 502 for an envelope with ErrorCode %i under HTTP 500, sent once',
    async (code) => {
      sandbox.state.faults.add({ fault: { kind: 'http-status', status: 500, code }, times: 3 });
      const res = await postRoom(gateway, minimal(roomId()));
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ type: '/problems/upstream-failure', upstream: { errorCode: code } });
      expect(sandbox.state.arrivals).toHaveLength(1);
    },
  );

  it('answers 504 upstream-timeout when Tencent does not answer within the deadline', async () => {
    sandbox.state.faults.add({ fault: { kind: 'hang' }, times: 1 });
    const started = performance.now();
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ type: '/problems/upstream-timeout', status: 504 });
    expect(res.body).not.toHaveProperty('upstream');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers 504 when the body arrives too slowly', async () => {
    sandbox.state.faults.add({ fault: { kind: 'slow-body', ms: 1500 }, times: 1 });
    const res = await postRoom(gateway, minimal(roomId()));
    expect(res.status).toBe(504);
  });
});

describe('POST /rooms, local limits', () => {
  it('refuses a second create of the same RoomId within a second with 429 limit room, sending nothing', async () => {
    const id = roomId();
    expect((await postRoom(gateway, minimal(id))).status).toBe(201);
    const res = await postRoom(gateway, minimal(id));
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ type: '/problems/rate-limited', limit: 'room' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(sandbox.state.arrivals).toHaveLength(1);
  });

  it('refuses requests over the global limit with 429 limit global when the queue is off', async () => {
    const limited = await startGateway(
      testConfig(sandbox, { limits: { globalPerSecond: 3, queueMs: 0, replicas: 1, marginMs: 25 } }),
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => postRoom(limited, minimal(roomId()))),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.body).toMatchObject({ type: '/problems/rate-limited', limit: 'global' });
      expect(refused?.headers.get('ratelimit-limit')).toBe('3');
      expect(sandbox.state.arrivals).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });

  it('paces requests over the global limit into the next second instead of refusing them', async () => {
    const paced = await startGateway(
      testConfig(sandbox, { limits: { globalPerSecond: 3, queueMs: 1500, replicas: 1, marginMs: 25 } }),
    );
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => postRoom(paced, minimal(roomId()))));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
      const times = sandbox.state.arrivals.map((a) => a.at).sort((a, b) => a - b);
      expect((times[3] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1000);
    } finally {
      await paced.close();
    }
  });
});

describe('POST /rooms, authentication', () => {
  it.each([
    ['no header', {}],
    ['an unknown key', { authorization: 'Bearer not-a-key' }],
    ['another scheme', { authorization: 'Basic YmlsbGluZzpzZWNyZXQ=' }],
  ])('answers 401 unauthorized for %s and sends nothing upstream', async (_name, headers) => {
    const res = await postRoom(gateway, minimal(roomId()), headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="roomgate"');
    expect(res.body).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    expect(sandbox.state.arrivals).toHaveLength(0);
  });

  it('checks the key before the body, so an unknown caller learns nothing about validation', async () => {
    const res = await postRoom(gateway, '{not json', {});
    expect(res.status).toBe(401);
  });

  it('attaches the caller name to the request log line', async () => {
    const id = roomId();
    await postRoom(gateway, minimal(id), { authorization: 'Bearer studio-secret-9876543210' });
    const line = gateway.logs.requestLines().find((l) => l.roomId === id);
    expect(line).toMatchObject({ caller: 'studio', status: 201 });
  });
});

describe('POST /rooms, request IDs and the log line', () => {
  it('echoes a sane X-Request-Id on the answer and in the problem', async () => {
    const res = await postRoom(
      gateway,
      { RoomInfo: {} },
      { ...BILLING, 'x-request-id': 'trace:abc-123.Z_9' },
    );
    expect(res.headers.get('x-request-id')).toBe('trace:abc-123.Z_9');
    expect(res.body.requestId).toBe('trace:abc-123.Z_9');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'has space'],
    ['with a slash', 'a/b'],
  ])('replaces an X-Request-Id that is %s', async (_name, value) => {
    const res = await postRoom(gateway, minimal(roomId()), { ...BILLING, 'x-request-id': value });
    const id = res.headers.get('x-request-id');
    expect(id).not.toBe(value);
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });

  it('accepts an X-Request-Id of exactly 128 characters', async () => {
    const value = 'b'.repeat(128);
    const res = await postRoom(gateway, minimal(roomId()), { ...BILLING, 'x-request-id': value });
    expect(res.headers.get('x-request-id')).toBe(value);
  });

  it('logs one line per request with caller, RoomId, outcome, Tencent code, upstream RequestId and latency', async () => {
    const id = roomId();
    const res = await postRoom(gateway, minimal(id), { ...BILLING, 'x-request-id': `log-${id}` });
    const lines = gateway.logs.lines.filter((l) => l.requestId === `log-${id}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request',
      method: 'POST',
      route: '/rooms',
      status: 201,
      caller: 'billing',
      roomId: id,
      outcome: 'created',
      tencentCode: 0,
      upstreamRequestId: res.body.upstreamRequestId,
      latencyMs: expect.any(Number),
    });
  });
});
