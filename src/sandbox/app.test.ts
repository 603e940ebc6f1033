import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, type RunningSandbox, roomId, SDKAPPID, startSandbox } from '../../test/helpers.js';
import { signUserSig } from '../tencent/usersig.js';

const CREATE_ROOM = '/v4/live_engine_http_srv/create_room';

/** The clock the sandbox stamps arrivals with (same process, same origin). */
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (t: number) => sleep(Math.max(0, t - nowMs()));

/** Encodes a UserSig document by the documented steps: zlib, standard base64, then `+/=` → `*-_`. */
function encodeDoc(doc: unknown): string {
  return deflateSync(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc), 'utf8'))
    .toString('base64')
    .replace(/\+/g, '*')
    .replace(/\//g, '-')
    .replace(/=/g, '_');
}

interface DocFields {
  key: string;
  identifier?: string;
  sdkappid?: number;
  time?: number;
  expire?: number;
}

/** A TLSSigAPIv2 document signed by hand (HMAC-SHA256 over the documented string), not by the code under test. */
function handDoc({ key, identifier = ADMIN, sdkappid = SDKAPPID, time, expire = 86400 }: DocFields) {
  const t = time ?? Math.floor(Date.now() / 1000);
  const content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkappid}\nTLS.time:${t}\nTLS.expire:${expire}\n`;
  return {
    'TLS.ver': '2.0',
    'TLS.identifier': identifier,
    'TLS.sdkappid': sdkappid,
    'TLS.time': t,
    'TLS.expire': expire,
    'TLS.sig': createHmac('sha256', Buffer.from(key, 'utf8')).update(content, 'utf8').digest('base64'),
  };
}

const handSig = (fields: DocFields) => encodeDoc(handDoc(fields));

const adminSig = (sb: RunningSandbox, expireSeconds = 86400) =>
  signUserSig({ sdkAppId: SDKAPPID, secretKey: sb.secretKey, identifier: ADMIN, expireSeconds });

type Query = Record<string, string | undefined>;

/** The documented query for an administrator, with overrides (undefined removes a parameter). */
function goodQuery(sb: RunningSandbox, overrides: Query = {}): string {
  const query: Query = {
    sdkappid: String(SDKAPPID),
    identifier: ADMIN,
    usersig: adminSig(sb),
    random: String(randomInt(0, 2 ** 32)),
    contenttype: 'json',
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
  return params.toString();
}

const minimalBody = (id = roomId()) => ({
  RoomInfo: { RoomId: id, RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats' },
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

interface CallOptions {
  path?: string;
  /** Overrides of the documented query, or a raw query string. */
  query?: Query | string;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  method?: string;
  signal?: AbortSignal;
}

async function call(sb: RunningSandbox, options: CallOptions = {}): Promise<Answer> {
  const { path = CREATE_ROOM, method = 'POST', signal } = options;
  const query = typeof options.query === 'string' ? options.query : goodQuery(sb, options.query);
  const body = options.body === undefined ? minimalBody() : options.body;
  const res = await fetch(`${sb.url}${path}?${query}`, {
    method,
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Tencent's failure envelope: HTTP 200, ActionStatus FAIL, the code, a reason and a RequestId. */
function expectFail(answer: Answer, code: number): void {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.json).toEqual({
    ActionStatus: 'FAIL',
    ErrorCode: code,
    ErrorInfo: expect.stringMatching(/\S/),
    RequestId: expect.stringMatching(/^Id-/),
  });
}

function expectCreated(answer: Answer, id: string): void {
  expect(answer.status).toBe(200);
  expect(answer.json).toEqual({
    ActionStatus: 'OK',
    ErrorCode: 0,
    ErrorInfo: '',
    RequestId: expect.stringMatching(/^Id-/),
    RoomId: id,
  });
}

async function control(sb: RunningSandbox, path: string, body?: unknown) {
  return fetch(`${sb.url}/__sandbox/${path}`, {
    method: body === undefined && path !== 'reset' ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

let sb: RunningSandbox;

beforeAll(async () => {
  // Generous per-second limit: these tests are about everything but the global limit.
  sb = await startSandbox({ perSecond: 100_000 });
});
afterAll(async () => {
  await sb.close();
});

describe('sandbox create_room, success', () => {
  it('answers HTTP 200 with the OK envelope and the RoomId for a correct request', async () => {
    const id = roomId();
    const answer = await call(sb, { body: minimalBody(id) });
    expectCreated(answer, id);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('accepts a UserSig signed by hand by the documented algorithm', async () => {
    const id = roomId();
    expectCreated(
      await call(sb, { query: { usersig: handSig({ key: sb.secretKey }) }, body: minimalBody(id) }),
      id,
    );
  });

  it('gives every answer its own RequestId', async () => {
    const a = await call(sb);
    const b = await call(sb);
    expect(a.json?.RequestId).not.toBe(b.json?.RequestId);
  });

  it('accepts both documented examples of the Create Room page', async () => {
    const live = roomId('live');
    const voice = roomId('voice');
    expectCreated(
      await call(sb, {
        body: {
          RoomInfo: {
            RoomId: live,
            RoomType: 'Live',
            Owner_Account: 'testA',
            TakeSeatMode: 'ApplyToTake',
            SeatTemplate: 'VideoDynamicGrid9Seats',
            IsPublicVisible: true,
            RoomName: 'Happy new year',
            CoverURL: 'cover url',
          },
        },
      }),
      live,
    );
    expectCreated(
      await call(sb, {
        body: {
          RoomInfo: {
            RoomId: voice,
            RoomType: 'Live',
            Owner_Account: 'testA',
            TakeSeatMode: 'FreeToTake',
            MaxSeatCount: 10,
            SeatTemplate: 'AudioSalon',
            IsPublicVisible: true,
            RoomName: 'Happy new year',
            CoverURL: 'cover url',
            Category: ['music', 7],
            ActivityStatus: 1,
          },
        },
      }),
      voice,
    );
  });

  it('accepts random values at both ends of the uint32 range', async () => {
    expect((await call(sb, { query: { random: '0' } })).json?.ErrorCode).toBe(0);
    expect((await call(sb, { query: { random: '4294967295' } })).json?.ErrorCode).toBe(0);
  });

  it('accepts a RoomId of exactly 48 bytes of multi-byte UTF-8', async () => {
    const id = '直'.repeat(16);
    expect(Buffer.byteLength(id)).toBe(48);
    const fresh = await startSandbox();
    try {
      expectCreated(await call(fresh, { body: minimalBody(id) }), id);
    } finally {
      await fresh.close();
    }
  });
});

describe('sandbox create_room, query checks', () => {
  it('answers 60012 when sdkappid is missing or empty', async () => {
    expectFail(await call(sb, { query: { sdkappid: undefined } }), 60012);
    expectFail(await call(sb, { query: { sdkappid: '' } }), 60012);
  });

  it('answers 70020 for another sdkappid', async () => {
    expectFail(await call(sb, { query: { sdkappid: String(SDKAPPID + 1) } }), 70020);
  });

  it('answers 60002 for a sdkappid that is not a number', async () => {
    expectFail(await call(sb, { query: { sdkappid: 'abc' } }), 60002);
  });

  it.each([
    ['usersig', { usersig: undefined }],
    ['identifier', { identifier: undefined }],
    ['both', { usersig: undefined, identifier: undefined }],
    ['an empty usersig', { usersig: '' }],
  ])('answers 60004 when %s is missing', async (_name, query) => {
    expectFail(await call(sb, { query }), 60004);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not numeric', 'abc'],
    ['negative', '-1'],
    ['a fraction', '1.5'],
    ['hexadecimal', '0x10'],
    ['just above uint32', '4294967296'],
    ['far above uint32', '99999999999'],
  ])('answers 60002 when random is %s', async (_name, random) => {
    expectFail(await call(sb, { query: { random } }), 60002);
  });

  it.each([
    ['missing', undefined],
    ['xml', 'xml'],
    ['JSON in capitals', 'JSON'],
  ])('answers 60002 when contenttype is %s', async (_name, contenttype) => {
    expectFail(await call(sb, { query: { contenttype } }), 60002);
  });

  it('answers 60002 for an unexpected extra query parameter', async () => {
    expectFail(await call(sb, { query: { debug: '1' } }), 60002);
  });

  it('answers 60002 when a parameter is given twice', async () => {
    const query = `${goodQuery(sb)}&random=${randomInt(0, 2 ** 32)}`;
    expectFail(await call(sb, { query }), 60002);
  });
});

describe('sandbox create_room, UserSig checks', () => {
  it('answers 70009 for a UserSig signed with another key', async () => {
    const usersig = handSig({ key: randomBytes(32).toString('hex') });
    expectFail(await call(sb, { query: { usersig } }), 70009);
  });

  it('answers 70009 for a genuine UserSig whose document was altered after signing', async () => {
    const doc = handDoc({ key: sb.secretKey });
    expectFail(
      await call(sb, { query: { usersig: encodeDoc({ ...doc, 'TLS.expire': doc['TLS.expire'] + 1 }) } }),
      70009,
    );
    const sig = doc['TLS.sig'];
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expectFail(await call(sb, { query: { usersig: encodeDoc({ ...doc, 'TLS.sig': flipped }) } }), 70009);
  });

  it('answers 70009 or 70003 for a library-made UserSig with one character changed', async () => {
    const sig = adminSig(sb);
    const i = Math.floor(sig.length / 2);
    const tampered = `${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
    const answer = await call(sb, { query: { usersig: tampered } });
    expect(answer.status).toBe(200);
    expect([70009, 70003]).toContain(answer.json?.ErrorCode);
    expect(answer.json?.ActionStatus).toBe('FAIL');
  });

  it.each([
    ['plain text', 'not-a-usersig'],
    ['characters outside the alphabet', 'abc+/=='],
    ['base64 that is not zlib', Buffer.from('hello world').toString('base64').replace(/=/g, '_')],
    ['zlib of something that is not JSON', encodeDoc('TLS.ver:2.0')],
    ['zlib of a JSON array', encodeDoc([1, 2, 3])],
    ['a document without TLS.sig', encodeDoc({ 'TLS.ver': '2.0', 'TLS.identifier': ADMIN })],
    ['a document of another version', encodeDoc({ 'TLS.ver': '1.0', 'TLS.sig': 'x' })],
  ])('answers 70003 for garbage: %s', async (_name, usersig) => {
    expectFail(await call(sb, { query: { usersig } }), 70003);
  });

  it('answers 70003 for a document whose TLS.sdkappid is a string, not a JSON number', async () => {
    const doc = handDoc({ key: sb.secretKey });
    expectFail(
      await call(sb, { query: { usersig: encodeDoc({ ...doc, 'TLS.sdkappid': String(SDKAPPID) }) } }),
      70003,
    );
  });

  it('answers 70013 when the identifier differs from the UserSig one', async () => {
    const usersig = handSig({ key: sb.secretKey, identifier: 'someone-else' });
    expectFail(await call(sb, { query: { usersig } }), 70013);
    const libSig = signUserSig({
      sdkAppId: SDKAPPID,
      secretKey: sb.secretKey,
      identifier: 'administrator2',
      expireSeconds: 600,
    });
    expectFail(await call(sb, { query: { usersig: libSig } }), 70013);
  });

  it('answers 70014 when the UserSig was signed for another sdkappid', async () => {
    const usersig = handSig({ key: sb.secretKey, sdkappid: SDKAPPID + 1 });
    expectFail(await call(sb, { query: { usersig } }), 70014);
  });

  it('answers 60010 for a correctly signed identifier that is not an administrator', async () => {
    const usersig = signUserSig({
      sdkAppId: SDKAPPID,
      secretKey: sb.secretKey,
      identifier: 'bob',
      expireSeconds: 600,
    });
    expectFail(await call(sb, { query: { identifier: 'bob', usersig } }), 60010);
  });

  it('answers 70001 for a hand-made UserSig whose TLS.time + expire is in the past', async () => {
    const usersig = handSig({ key: sb.secretKey, time: Math.floor(Date.now() / 1000) - 1000, expire: 10 });
    expectFail(await call(sb, { query: { usersig } }), 70001);
  });

  it('answers 60004 for a missing identifier even when the usersig is garbage', async () => {
    expectFail(await call(sb, { query: { identifier: undefined, usersig: 'garbage' } }), 60004);
  });
});

describe('sandbox create_room, UserSig expiry on an injected clock', () => {
  const clock = { now: 1_700_000_000 };
  let aged: RunningSandbox;

  beforeAll(async () => {
    aged = await startSandbox({ perSecond: 100_000, nowSeconds: () => clock.now });
  });
  afterAll(async () => {
    await aged.close();
  });

  it('accepts a UserSig up to and including the second TLS.time + expire', async () => {
    const usersig = handSig({ key: aged.secretKey, time: 1_700_000_000, expire: 60 });
    clock.now = 1_700_000_000;
    expect((await call(aged, { query: { usersig } })).json?.ErrorCode).toBe(0);
    clock.now = 1_700_000_060;
    expect((await call(aged, { query: { usersig } })).json?.ErrorCode).toBe(0);
  });

  it('answers 70001 one second after TLS.time + expire', async () => {
    const usersig = handSig({ key: aged.secretKey, time: 1_700_000_000, expire: 60 });
    clock.now = 1_700_000_061;
    expectFail(await call(aged, { query: { usersig } }), 70001);
  });

  it('answers 70001 for a library-made UserSig with a tiny expire once the clock is far ahead', async () => {
    const usersig = signUserSig({
      sdkAppId: SDKAPPID,
      secretKey: aged.secretKey,
      identifier: ADMIN,
      expireSeconds: 1,
    });
    clock.now = Math.floor(Date.now() / 1000);
    expect((await call(aged, { query: { usersig } })).json?.ErrorCode).toBe(0);
    clock.now = Math.floor(Date.now() / 1000) + 3600;
    expectFail(await call(aged, { query: { usersig } }), 70001);
  });
});

describe('sandbox create_room, body checks', () => {
  it.each([
    ['not JSON', '{"RoomInfo": {'],
    ['JSON with // comments', '{"RoomInfo": {"RoomId": "x", // the room\n"SeatTemplate": "AudioSalon"}}'],
    ['empty', ''],
  ])('answers 60003 for a body that is %s', async (_name, body) => {
    expectFail(await call(sb, { body }), 60003);
  });

  const bad = (patch: Record<string, unknown>, drop: string[] = []) => {
    const info: Record<string, unknown> = { ...minimalBody().RoomInfo, ...patch };
    for (const key of drop) delete info[key];
    return { RoomInfo: info };
  };

  it.each([
    ['a JSON array', [minimalBody()]],
    ['a JSON string', '"RoomInfo"'],
    ['no RoomInfo', {}],
    ['RoomInfo not an object', { RoomInfo: 'room' }],
    ['an unknown field beside RoomInfo', { ...minimalBody(), Extra: 1 }],
    ['missing RoomType', bad({}, ['RoomType'])],
    ['RoomType other than Live', bad({ RoomType: 'Meeting' })],
    ['missing RoomId', bad({}, ['RoomId'])],
    ['a numeric RoomId', bad({ RoomId: 42 })],
    ['an empty RoomId', bad({ RoomId: '' })],
    ['a RoomId of 49 bytes', bad({ RoomId: `a${'直'.repeat(16)}` })],
    ['an unknown field in RoomInfo', bad({ Owner_account: 'testA' })],
    ['missing SeatTemplate', bad({}, ['SeatTemplate'])],
    ['an unknown SeatTemplate', bad({ SeatTemplate: 'Grid4' })],
    ['MaxSeatCount with a video template', bad({ MaxSeatCount: 4 })],
    ['MaxSeatCount of 0', bad({ SeatTemplate: 'AudioSalon', MaxSeatCount: 0 })],
    ['an Owner_Account of 33 bytes', bad({ Owner_Account: 'o'.repeat(33) })],
    ['a RoomName of 101 bytes', bad({ RoomName: `${'é'.repeat(50)}x` })],
    ['a CoverURL of 201 bytes', bad({ CoverURL: 'c'.repeat(201) })],
    ['an unknown TakeSeatMode', bad({ TakeSeatMode: 'Free' })],
    ['a string IsPublicVisible', bad({ IsPublicVisible: 'true' })],
    ['four Category tags', bad({ Category: ['a', 'b', 'c', 'd'] })],
    ['an empty Category tag', bad({ Category: [''] })],
    ['a fractional ActivityStatus', bad({ ActivityStatus: 1.5 })],
  ])('answers 100002 for %s', async (_name, body) => {
    expectFail(await call(sb, { body: typeof body === 'string' ? body : JSON.stringify(body) }), 100002);
  });

  it('answers 100011 for a RoomId with the @TGS# prefix of Chat groups', async () => {
    expectFail(await call(sb, { body: minimalBody(`@TGS#${roomId()}`) }), 100011);
  });

  it('answers 100026 for a RoomName containing a sensitive word', async () => {
    const body = minimalBody();
    expectFail(
      await call(sb, { body: { RoomInfo: { ...body.RoomInfo, RoomName: 'a sensitive-word here' } } }),
      100026,
    );
  });

  it('answers 100026 for a CoverURL containing a sensitive word', async () => {
    const body = minimalBody();
    expectFail(
      await call(sb, { body: { RoomInfo: { ...body.RoomInfo, CoverURL: 'https://x/sensitive-word.png' } } }),
      100026,
    );
  });

  it('honours the sensitiveWords option', async () => {
    const picky = await startSandbox({ sensitiveWords: ['forbidden'] });
    try {
      const body = minimalBody();
      expectFail(
        await call(picky, { body: { RoomInfo: { ...body.RoomInfo, RoomName: 'a forbidden name' } } }),
        100026,
      );
      const other = minimalBody();
      const answer = await call(picky, {
        body: { RoomInfo: { ...other.RoomInfo, RoomName: 'sensitive-word' } },
      });
      expect(answer.json?.ErrorCode).toBe(0);
    } finally {
      await picky.close();
    }
  });

  it('stores nothing for a refused body', async () => {
    const id = roomId();
    await call(sb, { body: { RoomInfo: { ...minimalBody(id).RoomInfo, Unknown: 1 } } });
    expect(sb.state.rooms.has(id)).toBe(false);
  });
});

describe('sandbox create_room, room memory', () => {
  const sameDefault = roomId('default');
  const sameExplicit = roomId('explicit');
  const otherOwner = roomId('other');
  const implicitAdmin = roomId('implicit');

  beforeAll(async () => {
    expect((await call(sb, { body: minimalBody(sameDefault) })).json?.ErrorCode).toBe(0);
    for (const id of [sameExplicit, otherOwner]) {
      const body = { RoomInfo: { ...minimalBody(id).RoomInfo, Owner_Account: 'alice' } };
      expect((await call(sb, { body })).json?.ErrorCode).toBe(0);
    }
    const body = { RoomInfo: { ...minimalBody(implicitAdmin).RoomInfo, Owner_Account: ADMIN } };
    expect((await call(sb, { body })).json?.ErrorCode).toBe(0);
    // Past the once-per-second rule for every one of these RoomIds.
    const last = Math.max(...sb.state.arrivals.map((a) => a.at));
    await sleepUntil(last + 1050);
  });

  it('defaults Owner_Account to the identifier and keeps what was sent', async () => {
    const rooms = (await (await control(sb, 'rooms')).json()) as Record<string, unknown>[];
    expect(rooms.find((r) => r.RoomId === sameDefault)).toEqual({
      RoomId: sameDefault,
      RoomType: 'Live',
      SeatTemplate: 'VideoDynamicGrid9Seats',
      Owner_Account: ADMIN,
      CreateTime: expect.any(Number),
    });
    expect(sb.state.rooms.get(sameExplicit)?.Owner_Account).toBe('alice');
  });

  it('answers 100010 for the same RoomId and the same (defaulted) owner more than a second later', async () => {
    expectFail(await call(sb, { body: minimalBody(sameDefault) }), 100010);
  });

  it('answers 100010 for the same RoomId and the same explicit owner', async () => {
    const body = { RoomInfo: { ...minimalBody(sameExplicit).RoomInfo, Owner_Account: 'alice' } };
    expectFail(await call(sb, { body }), 100010);
  });

  it('answers 100003 for the same RoomId with another owner', async () => {
    const body = { RoomInfo: { ...minimalBody(otherOwner).RoomInfo, Owner_Account: 'bob' } };
    expectFail(await call(sb, { body }), 100003);
  });

  it('treats an absent Owner_Account as the identifier when comparing owners', async () => {
    expectFail(await call(sb, { body: minimalBody(implicitAdmin) }), 100010);
  });
});

describe('sandbox create_room, per-RoomId frequency', () => {
  it('answers 100012 to the second of two arrivals of the same RoomId within 1,000 ms', async () => {
    const id = roomId();
    expect((await call(sb, { body: minimalBody(id) })).json?.ErrorCode).toBe(0);
    expectFail(await call(sb, { body: minimalBody(id) }), 100012);
  });

  it('answers 100012 to an arrival of the same RoomId 800 ms after the previous one', async () => {
    const id = roomId();
    expectCreated(await call(sb, { body: minimalBody(id) }), id);
    const at = sb.state.arrivals.filter((a) => a.roomId === id).at(-1)?.at ?? nowMs();
    await sleepUntil(at + 800);
    const answer = await call(sb, { body: minimalBody(id) });
    const again = sb.state.arrivals.filter((a) => a.roomId === id).at(-1)?.at ?? 0;
    // Only meaningful when it arrived inside the second.
    expect(again - at).toBeLessThan(1000);
    expectFail(answer, 100012);
  });

  it('answers 100012 to one of two simultaneous arrivals of the same RoomId', async () => {
    const id = roomId();
    const answers = await Promise.all([
      call(sb, { body: minimalBody(id) }),
      call(sb, { body: minimalBody(id) }),
    ]);
    expect(answers.map((a) => a.json?.ErrorCode).sort()).toEqual([0, 100012]);
  });

  it('counts an arrival whose body was refused', async () => {
    const id = roomId();
    const refused = { RoomInfo: { ...minimalBody(id).RoomInfo, Unknown: true } };
    expectFail(await call(sb, { body: refused }), 100002);
    expectFail(await call(sb, { body: minimalBody(id) }), 100012);
  });

  it('does not count an arrival refused at the access layer', async () => {
    const id = roomId();
    expectFail(await call(sb, { query: { usersig: 'garbage' }, body: minimalBody(id) }), 70003);
    expectCreated(await call(sb, { body: minimalBody(id) }), id);
  });

  it('lets the same RoomId through again once a full second has passed', async () => {
    const id = roomId();
    const first = { RoomInfo: { ...minimalBody(id).RoomInfo, Unknown: true } };
    expectFail(await call(sb, { body: first }), 100002);
    const at = sb.state.arrivals.filter((a) => a.roomId === id).at(-1)?.at ?? nowMs();
    await sleepUntil(at + 1010);
    expectCreated(await call(sb, { body: minimalBody(id) }), id);
  });
});

describe('sandbox create_room, global per-second limit', () => {
  let limited: RunningSandbox;

  beforeAll(async () => {
    limited = await startSandbox({ perSecond: 5 });
  });
  beforeEach(() => limited.state.reset());
  afterAll(async () => {
    await limited.close();
  });

  it('answers 60007 to exactly one of six simultaneous requests, then lets requests pass a second later', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(limited)));
    const codes = answers.map((a) => a.json?.ErrorCode);
    expect(codes.filter((c) => c === 60007)).toHaveLength(1);
    expect(codes.filter((c) => c === 0)).toHaveLength(5);
    const refused = answers.find((a) => a.json?.ErrorCode === 60007) as Answer;
    expectFail(refused, 60007);

    const last = Math.max(...limited.state.arrivals.map((a) => a.at));
    await sleepUntil(last + 1020);
    expect((await call(limited)).json?.ErrorCode).toBe(0);
  });

  it('counts over a sliding 1,000 ms window, not a fixed second', async () => {
    // 3 at t0, 2 at t0+500: then at t0+1020 the first 3 have left the window but the 2 have not, so only 3
    // more fit. t0 is 300 ms into a clock second, so that a window fixed to clock seconds (which would restart
    // between the 2 and the next 3) is caught as well as one fixed to the first arrival (restarting at t0+1000).
    await sleep((1300 - (nowMs() % 1000)) % 1000);
    await Promise.all(Array.from({ length: 3 }, () => call(limited)));
    const firstBatch = limited.state.arrivals.map((a) => a.at);
    await sleepUntil(Math.min(...firstBatch) + 500);
    await Promise.all(Array.from({ length: 2 }, () => call(limited)));
    const secondStart = Math.min(...limited.state.arrivals.slice(3).map((a) => a.at));
    expect(limited.state.arrivals.map((a) => a.outcome)).toEqual([0, 0, 0, 0, 0]);

    await sleepUntil(Math.max(...firstBatch) + 1020);
    const third = await Promise.all(Array.from({ length: 3 }, () => call(limited)));
    expect(third.map((a) => a.json?.ErrorCode)).toEqual([0, 0, 0]);
    const over = await call(limited);
    // Only meaningful while the second batch is still inside the window.
    expect(nowMs()).toBeLessThan(secondStart + 1000);
    expectFail(over, 60007);
  });

  it('judges the limit by arrival: a request whose body comes late still counts where its headers came', async () => {
    await Promise.all(Array.from({ length: 5 }, () => call(limited)));
    const firstBatch = limited.state.arrivals.map((a) => a.at);
    // The sixth arrives 500 ms after the five, inside their second, but its body follows only once they have
    // left it. Judged by when it was handled it would pass; Tencent judges arrival.
    await sleepUntil(Math.min(...firstBatch) + 500);
    const late = new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(`${limited.url}${CREATE_ROOM}?${goodQuery(limited)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      req.on('error', reject);
      req.on('response', async (res) => {
        let text = '';
        for await (const chunk of res) text += chunk;
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers, text, json: JSON.parse(text) });
      });
      req.flushHeaders();
      sleepUntil(Math.max(...firstBatch) + 1100).then(() => req.end(JSON.stringify(minimalBody())));
    });
    expectFail(await late, 60007);
    const sixth = limited.state.arrivals.at(-1);
    expect(sixth?.at).toBeLessThan(Math.max(...firstBatch) + 1000);
  });

  it('keeps a separate window per command', async () => {
    await Promise.all(Array.from({ length: 5 }, () => call(limited)));
    const other = await call(limited, {
      path: '/v4/live_engine_http_srv/get_room_info',
      body: { RoomId: roomId('absent') },
    });
    expectFail(other, 100004);
  });

  it('does not count requests refused before the frequency check', async () => {
    await Promise.all(Array.from({ length: 5 }, () => call(limited, { query: { usersig: 'garbage' } })));
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(limited)));
    expect(answers.map((a) => a.json?.ErrorCode)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('sandbox faults, arrivals and reset (control routes)', () => {
  let ctl: RunningSandbox;

  beforeAll(async () => {
    ctl = await startSandbox({ perSecond: 100_000 });
  });
  beforeEach(async () => {
    expect((await control(ctl, 'reset')).status).toBe(204);
  });
  afterAll(async () => {
    await ctl.close();
  });

  const addFault = async (rule: unknown) => {
    const res = await control(ctl, 'faults', rule);
    expect(res.status).toBe(204);
  };

  it.each([
    [{ fault: { kind: 'explode' }, times: 1 }, 'fault.kind must be one of'],
    [{ fault: { kind: 'http-status' }, times: 1 }, 'needs status'],
    [{ fault: { kind: 'code' }, times: 1 }, 'needs an integer code'],
    [{ fault: { kind: 'delay', ms: -1 }, times: 1 }, 'needs ms'],
    [{ times: 1 }, 'fault must be an object'],
    [{ fault: { kind: 'hang' }, times: 0 }, 'times must be a positive integer'],
    [{ fault: { kind: 'reset', processed: 'yes' }, times: 1 }, 'processed, a boolean'],
    [{ fault: { kind: 'http-status', status: 503, code: '60008' }, times: 1 }, 'takes code, an integer'],
  ])('refuses the unusable fault rule %j with a 400 that says why', async (rule, reason) => {
    const res = await control(ctl, 'faults', rule);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(reason);
    expect(ctl.state.faults.pending()).toHaveLength(0);
  });

  it('applies a code fault once, then answers normally', async () => {
    await addFault({ fault: { kind: 'code', code: 100001 }, times: 1 });
    expectFail(await call(ctl), 100001);
    const id = roomId();
    expectCreated(await call(ctl, { body: minimalBody(id) }), id);
  });

  it('uses the given ErrorInfo and applies a fault as many times as asked', async () => {
    await addFault({ fault: { kind: 'code', code: 70001, info: 'sig expired' }, times: 2 });
    for (let i = 0; i < 2; i++) {
      const answer = await call(ctl);
      expectFail(answer, 70001);
      expect(answer.json?.ErrorInfo).toBe('sig expired');
    }
    expect((await call(ctl)).json?.ErrorCode).toBe(0);
  });

  it('creates nothing when a code fault answers instead', async () => {
    const id = roomId();
    await addFault({ fault: { kind: 'code', code: 100001 }, times: 1 });
    expectFail(await call(ctl, { body: minimalBody(id) }), 100001);
    expect(ctl.state.rooms.has(id)).toBe(false);
  });

  it('applies a fault only to the requests its rule matches', async () => {
    const target = roomId('target');
    await addFault({ fault: { kind: 'code', code: 100001 }, times: 1, roomId: target });
    await addFault({ fault: { kind: 'code', code: 100007 }, times: 1, command: 'get_room_info' });
    expect((await call(ctl)).json?.ErrorCode).toBe(0);
    expectFail(await call(ctl, { body: minimalBody(target) }), 100001);
    expect(ctl.state.faults.pending()).toHaveLength(1);
  });

  it('does not spend a fault on a request refused at the access layer', async () => {
    await addFault({ fault: { kind: 'code', code: 100001 }, times: 1 });
    expectFail(await call(ctl, { query: { sdkappid: undefined } }), 60012);
    expectFail(await call(ctl), 100001);
  });

  it('answers an HTML page with the HTTP status of an http-status fault', async () => {
    await addFault({ fault: { kind: 'http-status', status: 502 }, times: 1 });
    const answer = await call(ctl);
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('<html>');
    expect(answer.json).toBeUndefined();
  });

  it("answers Tencent's envelope under the HTTP status of an http-status fault with a code", async () => {
    await addFault({ fault: { kind: 'http-status', status: 503, code: 60008, info: 'busy' }, times: 1 });
    const answer = await call(ctl);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 60008, ErrorInfo: 'busy' });
  });

  it('answers HTTP 200 with a body that is not JSON for a non-json fault', async () => {
    await addFault({ fault: { kind: 'non-json' }, times: 1 });
    const answer = await call(ctl);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.json).toBeUndefined();
  });

  it('answers JSON without ErrorCode for a no-error-code fault', async () => {
    await addFault({ fault: { kind: 'no-error-code' }, times: 1 });
    const answer = await call(ctl);
    expect(answer.status).toBe(200);
    expect(answer.json).toBeDefined();
    expect(answer.json).not.toHaveProperty('ErrorCode');
  });

  it('breaks the connection for a reset fault, so fetch rejects', async () => {
    await addFault({ fault: { kind: 'reset' }, times: 1 });
    await expect(call(ctl)).rejects.toThrow();
    expect((await call(ctl)).json?.ErrorCode).toBe(0);
  });

  it('breaks the connection after the command took effect for a processed reset fault', async () => {
    await addFault({ fault: { kind: 'reset', processed: true }, times: 1 });
    const id = roomId();
    await expect(call(ctl, { body: minimalBody(id) })).rejects.toThrow();
    expect(ctl.state.rooms.has(id)).toBe(true);
  });

  it('never answers for a hang fault', async () => {
    await addFault({ fault: { kind: 'hang' }, times: 1 });
    await expect(call(ctl, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
  });

  it('answers normally, only later, for a delay fault', async () => {
    await addFault({ fault: { kind: 'delay', ms: 300 }, times: 1 });
    const id = roomId();
    const started = nowMs();
    const answer = await call(ctl, { body: minimalBody(id) });
    expect(nowMs() - started).toBeGreaterThanOrEqual(290);
    expectCreated(answer, id);
    expect(ctl.state.rooms.has(id)).toBe(true);
  });

  it('sends the whole answer, slowly, for a slow-body fault', async () => {
    await addFault({ fault: { kind: 'slow-body', ms: 300 }, times: 1 });
    const id = roomId();
    const started = nowMs();
    const answer = await call(ctl, { body: minimalBody(id) });
    expect(nowMs() - started).toBeGreaterThanOrEqual(290);
    expectCreated(answer, id);
  });

  it.each([
    ['times of 0', { fault: { kind: 'code', code: 100001 }, times: 0 }],
    ['no times', { fault: { kind: 'code', code: 100001 } }],
    ['a body that is not JSON', '{"fault":'],
  ])('refuses a fault rule with %s (HTTP 400)', async (_name, rule) => {
    const res = await control(ctl, 'faults', rule);
    expect(res.status).toBe(400);
    expect(ctl.state.faults.pending()).toHaveLength(0);
  });

  it('records every arrival with at, command, roomId, random and outcome, whatever its answer', async () => {
    const ok = roomId('ok');
    const faulted = roomId('faulted');
    const before = nowMs();
    await call(ctl, { body: minimalBody(ok), query: { random: '123' } });
    await call(ctl, { body: minimalBody(roomId('noapp')), query: { sdkappid: undefined, random: '7' } });
    await addFault({ fault: { kind: 'code', code: 100001 }, times: 1 });
    await call(ctl, { body: minimalBody(faulted), query: { random: '4294967295' } });
    await addFault({ fault: { kind: 'non-json' }, times: 1 });
    await call(ctl, { query: { random: '9' } });
    await call(ctl, {
      path: '/v4/live_engine_http_srv/no_such_command',
      body: { RoomId: 'x' },
      query: { random: '1' },
    });
    await call(ctl, { body: 'not json', query: { random: '2' } });
    const after = nowMs();

    const res = await control(ctl, 'arrivals');
    expect(res.status).toBe(200);
    const arrivals = (await res.json()) as Record<string, unknown>[];
    expect(arrivals).toHaveLength(6);
    expect(arrivals.map((a) => [a.command, a.random, a.outcome])).toEqual([
      ['create_room', '123', 0],
      ['create_room', '7', 60012],
      ['create_room', '4294967295', 100001],
      ['create_room', '9', 'non-json'],
      ['no_such_command', '1', 60009],
      ['create_room', '2', 60003],
    ]);
    expect(arrivals[0]?.roomId).toBe(ok);
    expect(arrivals[2]?.roomId).toBe(faulted);
    expect(arrivals[4]).not.toHaveProperty('roomId');
    const times = arrivals.map((a) => a.at as number);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(before - 1);
      expect(t).toBeLessThanOrEqual(after + 1);
    }
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(arrivals[0]?.contentType).toBe('application/json');
  });

  it('clears rooms, arrivals, faults and the RoomId windows on reset', async () => {
    const id = roomId();
    expectCreated(await call(ctl, { body: minimalBody(id) }), id);
    await addFault({ fault: { kind: 'code', code: 100001 }, times: 3 });

    expect((await control(ctl, 'reset')).status).toBe(204);
    expect(await (await control(ctl, 'arrivals')).json()).toEqual([]);
    expect(await (await control(ctl, 'rooms')).json()).toEqual([]);
    expect(ctl.state.faults.pending()).toHaveLength(0);

    // The same RoomId at once: no 100012 (windows cleared), no 100010 (rooms cleared), no fault.
    expectCreated(await call(ctl, { body: minimalBody(id) }), id);
  });
});

describe('sandbox, unknown resources', () => {
  it('answers 60009 for an unknown command of live_engine_http_srv', async () => {
    expectFail(await call(sb, { path: '/v4/live_engine_http_srv/no_such_command' }), 60009);
  });

  it('answers 60009 for a path outside live_engine_http_srv', async () => {
    expectFail(await call(sb, { path: '/v4/im_open_login_svc/account_import' }), 60009);
    expectFail(await call(sb, { path: '/' }), 60009);
  });

  it('answers 60009 for a GET of a command', async () => {
    expectFail(await call(sb, { method: 'GET' }), 60009);
  });

  it('records what reached a path it does not serve', async () => {
    sb.state.reset();
    await call(sb, { path: '/v4/im_open_login_svc/account_import' });
    expect(sb.state.arrivals).toEqual([
      expect.objectContaining({ command: '/v4/im_open_login_svc/account_import', outcome: 60009 }),
    ]);
  });

  it('checks access before the command, like Tencent', async () => {
    expectFail(
      await call(sb, { path: '/v4/live_engine_http_srv/no_such_command', query: { usersig: 'garbage' } }),
      70003,
    );
  });
});
