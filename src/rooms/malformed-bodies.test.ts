import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  gatewayStackForTests,
  postRoom,
  type RunningGateway,
  type RunningSandbox,
  startGateway,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

/**
 * Property-based: thousands of bodies that break the contract's POST /rooms rules, each thrown at the real
 * gateway over HTTP. Every one must be a 400 validation-failed problem naming the field, and none may reach
 * the sandbox. The rules are restated here from CONTRACT.md, independently of the gateway's zod schema.
 */

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const VIDEO_TEMPLATES = [
  'VideoDynamicGrid9Seats',
  'VideoDynamicFloat7Seats',
  'VideoFixedGrid9Seats',
  'VideoFixedFloat7Seats',
] as const;
const VOICE_TEMPLATES = ['AudioSalon', 'Karaoke'] as const;
const TEMPLATES: readonly string[] = [...VIDEO_TEMPLATES, ...VOICE_TEMPLATES];
const INFO_FIELDS = [
  'RoomId',
  'RoomType',
  'Owner_Account',
  'TakeSeatMode',
  'SeatTemplate',
  'MaxSeatCount',
  'IsMessageDisabled',
  'IsPublicVisible',
  'RoomName',
  'CoverURL',
  'Category',
  'ActivityStatus',
] as const;
type InfoField = (typeof INFO_FIELDS)[number];
type Info = Partial<Record<InfoField, unknown>>;

// ---- the contract's rules, one predicate per field (true = the value is acceptable) ----

const byteString = (min: number, max: number) => (v: unknown) =>
  typeof v === 'string' && bytes(v) >= min && bytes(v) <= max;
const isTag = (v: unknown) =>
  (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

const ACCEPTS: Record<InfoField, (v: unknown) => boolean> = {
  RoomId: byteString(1, 48),
  RoomType: (v) => v === 'Live',
  Owner_Account: byteString(1, 32),
  TakeSeatMode: (v) => v === 'FreeToTake' || v === 'ApplyToTake',
  SeatTemplate: (v) => typeof v === 'string' && TEMPLATES.includes(v),
  MaxSeatCount: (v) => typeof v === 'number' && Number.isInteger(v) && v > 0,
  IsMessageDisabled: (v) => typeof v === 'boolean',
  IsPublicVisible: (v) => typeof v === 'boolean',
  RoomName: byteString(0, 100),
  CoverURL: byteString(0, 200),
  Category: (v) => Array.isArray(v) && v.length <= 3 && v.every(isTag),
  ActivityStatus: (v) => typeof v === 'number' && Number.isInteger(v),
};

// ---- generators ----

/** Graphemes (multi-byte, composite) joined while they fit in `max` bytes; at least `min` bytes. */
function textWithin(max: number, min = 0): fc.Arbitrary<string> {
  const boundary = fc.constantFrom('直', '😀', 'é', 'a').map((c) => c.repeat(Math.floor(max / bytes(c))));
  const random = fc
    .array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), { maxLength: max })
    .map((units) => {
      let s = '';
      for (const u of units) if (bytes(s) + bytes(u) <= max) s += u;
      return s;
    });
  return fc.oneof(random, boundary).filter((s) => bytes(s) >= min);
}

/** Strings of more than `max` bytes: random graphemes, multi-byte runs, and exactly `max + 1` bytes. */
function textOver(max: number): fc.Arbitrary<string> {
  const wide = fc.constantFrom('直', '播', '間', '😀', '🎉', 'é', 'ß', '👩‍👩‍👧');
  return fc
    .oneof(
      // Each grapheme is at least one byte, so max + 1 graphemes are always over.
      fc.string({ unit: 'grapheme', minLength: max + 1, maxLength: max + 30 }),
      fc.string({ unit: wide, minLength: Math.ceil(max / 2), maxLength: max + 1 }),
      // Exactly one byte over, with 2-, 3- or 4-byte characters.
      fc.constantFrom('é', '直', '😀').map((c) => {
        const n = Math.floor((max + 1) / bytes(c));
        return c.repeat(n) + 'x'.repeat(max + 1 - n * bytes(c));
      }),
    )
    .filter((s) => bytes(s) > max);
}

const tag = fc.oneof(textWithin(20, 1), fc.nat());

/** A body valid by every rule of the contract (RoomId without a prefix: callers add one). */
const validInfo: fc.Arbitrary<Info> = fc
  .tuple(
    fc.record(
      {
        RoomId: textWithin(40, 1),
        RoomType: fc.constant('Live'),
        Owner_Account: textWithin(32, 1),
        TakeSeatMode: fc.constantFrom('FreeToTake', 'ApplyToTake'),
        IsMessageDisabled: fc.boolean(),
        IsPublicVisible: fc.boolean(),
        RoomName: textWithin(100),
        CoverURL: textWithin(200),
        Category: fc.array(tag, { maxLength: 3 }),
        ActivityStatus: fc.integer(),
      },
      { requiredKeys: ['RoomId'] },
    ),
    fc.oneof(
      fc.record({ SeatTemplate: fc.constantFrom(...VIDEO_TEMPLATES) }),
      fc.record(
        {
          SeatTemplate: fc.constantFrom(...VOICE_TEMPLATES),
          MaxSeatCount: fc.integer({ min: 1, max: 1000 }),
        },
        { requiredKeys: ['SeatTemplate'] },
      ),
    ),
  )
  .map(([fields, seats]): Info => ({ ...fields, ...seats }))
  // Keep clear of the sandbox's business refusals (Chat prefix, sensitive words): those are not validation.
  .filter(
    (info) =>
      !String(info.RoomId).startsWith('@TGS#') &&
      !`${info.RoomName ?? ''} ${info.CoverURL ?? ''}`.includes('sensitive-word'),
  );

/** Any JSON value, round-tripped so that what is checked is what is sent (NaN → null, -0 → 0). */
const anyJson: fc.Arbitrary<unknown> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(
      '',
      'Live',
      'live',
      ' Live',
      'FreeToTake',
      'freeToTake',
      'AudioSalon',
      'audiosalon',
      'true',
      '1',
      0,
      -1,
      1.5,
      [],
      {},
      [''],
      [-1],
      ['a', 'b', 'c', 'd'],
      [1, 2, 3, 4],
    ),
  )
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** A value the contract refuses for `field`. */
const wrongValue = (field: InfoField) => anyJson.filter((v) => !ACCEPTS[field](v));

interface Case {
  body: string;
  /** A path that must appear in `errors` exactly. */
  path?: string;
  /** Or: a path prefix that one error must have (for array elements, e.g. RoomInfo.Category.3). */
  pathPrefix?: string;
}

/** One field of a valid body replaced by a value of the wrong type or outside its rule. */
const wrongField: fc.Arbitrary<Case> = fc
  .tuple(validInfo, fc.constantFrom(...INFO_FIELDS))
  .chain(([info, field]) =>
    wrongValue(field).map((value): Case => {
      const mutated: Info = { ...info, [field]: value };
      // MaxSeatCount is judged on its own here: give it a template where it is allowed.
      if (field === 'MaxSeatCount') mutated.SeatTemplate = 'AudioSalon';
      // A SeatTemplate mutation must not also be a MaxSeatCount-with-video problem: drop MaxSeatCount.
      if (field === 'SeatTemplate') delete mutated.MaxSeatCount;
      const path = `RoomInfo.${field}`;
      return field === 'Category'
        ? { body: JSON.stringify({ RoomInfo: mutated }), pathPrefix: path }
        : { body: JSON.stringify({ RoomInfo: mutated }), path };
    }),
  );

/** Required fields removed. */
const missingField: fc.Arbitrary<Case> = fc
  .tuple(validInfo, fc.constantFrom('RoomId', 'SeatTemplate'))
  .map(([info, field]) => {
    const { [field]: _gone, ...rest } = info;
    const body = field === 'SeatTemplate' ? { ...rest, MaxSeatCount: undefined } : rest;
    return { body: JSON.stringify({ RoomInfo: body }), path: `RoomInfo.${field}` };
  });

/** Names no rule knows, including the ones that trip naive object handling and near-miss typos. */
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        'valueOf',
        'Owner_account',
        'roomId',
        'ROOMID',
        'Roomid',
        'RoomInfo.RoomId',
        'roomInfo',
        'Response',
        'RoomInfo ',
        '',
      ),
    )
    .filter((k) => !known.includes(k));

/**
 * Raw JSON, not JSON.stringify of an object: `{"__proto__": …}` must reach the gateway as an own key, which
 * an object literal or assignment in JS would not produce.
 */
function withKey(objectJson: string, key: string, value: unknown): string {
  const inner = objectJson.slice(1, -1);
  const member = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return `{${inner}${inner ? ',' : ''}${member}}`;
}

const unknownInside: fc.Arbitrary<Case> = fc
  .tuple(validInfo, unknownKey(INFO_FIELDS), anyJson)
  .map(([info, key, value]) => ({
    body: `{"RoomInfo":${withKey(JSON.stringify(info), key, value)}}`,
    path: `RoomInfo.${key}`,
  }));

const unknownBeside: fc.Arbitrary<Case> = fc
  .tuple(validInfo, unknownKey(['RoomInfo']), anyJson)
  .map(([info, key, value]) => ({
    body: withKey(JSON.stringify({ RoomInfo: info }), key, value),
    path: key,
  }));

const STRING_LIMITS = [
  ['RoomId', 48],
  ['Owner_Account', 32],
  ['RoomName', 100],
  ['CoverURL', 200],
] as const;

const overLimit: fc.Arbitrary<Case> = fc
  .tuple(validInfo, fc.constantFrom(...STRING_LIMITS))
  .chain(([info, [field, max]]) =>
    textOver(max).map((value) => ({
      body: JSON.stringify({ RoomInfo: { ...info, [field]: value } }),
      path: `RoomInfo.${field}`,
    })),
  );

const emptyIdentifiers: fc.Arbitrary<Case> = fc
  .tuple(validInfo, fc.constantFrom('RoomId', 'Owner_Account'))
  .map(([info, field]) => ({
    body: JSON.stringify({ RoomInfo: { ...info, [field]: '' } }),
    path: `RoomInfo.${field}`,
  }));

const maxSeatWithVideo: fc.Arbitrary<Case> = fc
  .tuple(validInfo, fc.constantFrom(...VIDEO_TEMPLATES), fc.integer({ min: 1, max: 100_000 }))
  .map(([info, SeatTemplate, MaxSeatCount]) => ({
    body: JSON.stringify({ RoomInfo: { ...info, SeatTemplate, MaxSeatCount } }),
    path: 'RoomInfo.MaxSeatCount',
  }));

const badCategory: fc.Arbitrary<Case> = fc
  .tuple(
    validInfo,
    fc.oneof(
      fc.array(tag, { minLength: 4, maxLength: 10 }),
      fc
        .tuple(
          fc.array(tag, { maxLength: 2 }),
          wrongValue('Category').filter((v) => !isTag(v)),
          fc.array(tag, { maxLength: 2 }),
        )
        .filter(([a, , c]) => a.length + 1 + c.length <= 3)
        .map(([a, bad, c]) => [...a, bad, ...c]),
      fc.array(fc.constantFrom('', -1, 1.5, true, null, {}, []), { minLength: 1, maxLength: 3 }),
    ),
  )
  .map(([info, Category]) => ({
    body: JSON.stringify({ RoomInfo: { ...info, Category } }),
    pathPrefix: 'RoomInfo.Category',
  }));

const notLive: fc.Arbitrary<Case> = fc.tuple(validInfo, wrongValue('RoomType')).map(([info, RoomType]) => ({
  body: JSON.stringify({ RoomInfo: { ...info, RoomType } }),
  path: 'RoomInfo.RoomType',
}));

/** JSON values that are not objects, as the whole body. */
const notAnObject: fc.Arbitrary<Case> = anyJson
  .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
  .map((v) => ({ body: JSON.stringify(v), path: '' }));

/** Bodies whose RoomInfo is missing or is not an object. */
const roomInfoNotAnObject: fc.Arbitrary<Case> = fc.oneof(
  anyJson
    .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map((v) => ({ body: JSON.stringify({ RoomInfo: v }), path: 'RoomInfo' })),
  fc.constant({ body: '{}', path: 'RoomInfo' }),
);

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Text that is not JSON at all: the documentation's `//` comments, truncations, near-JSON, noise. */
const notJson: fc.Arbitrary<Case> = fc
  .oneof(
    // The documentation's examples, comments included.
    fc
      .tuple(
        validInfo,
        fc.nat(),
        fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n\u2028\u2029]/g, ' ')),
      )
      .map(([info, n, comment]) => {
        const lines = JSON.stringify({ RoomInfo: info }, null, 2).split('\n');
        const i = n % lines.length;
        lines[i] = `${lines[i]} // ${comment}`;
        return lines.join('\n');
      }),
    fc
      .tuple(validInfo, fc.string({ maxLength: 20 }))
      .map(([info, c]) => `/* ${c.replace(/\*\//g, '')} */${JSON.stringify({ RoomInfo: info })}`),
    // Truncated anywhere (including to nothing, or to whitespace).
    fc.tuple(validInfo, fc.nat()).map(([info, n]) => {
      const text = JSON.stringify({ RoomInfo: info }, null, n % 2 === 0 ? undefined : 2);
      return text.slice(0, n % text.length);
    }),
    fc.constantFrom('', ' ', '\n\t ', '\r\n'),
    // Near-JSON: trailing commas, single quotes, bare words, JavaScript literals.
    validInfo.map((info) => `${JSON.stringify({ RoomInfo: info }).slice(0, -2)},},}`),
    validInfo.map((info) => JSON.stringify({ RoomInfo: info }).replace(/"/g, "'")),
    validInfo.map((info) => `{RoomInfo: ${JSON.stringify(info)}}`),
    fc.constantFrom(
      '{"RoomInfo":{"RoomId":"r","SeatTemplate":"AudioSalon","MaxSeatCount":NaN}}',
      '{"RoomInfo":{"RoomId":"r","SeatTemplate":"AudioSalon","IsPublicVisible":True}}',
      '{"RoomInfo":{"RoomId":"r","SeatTemplate":"AudioSalon","RoomName":undefined}}',
      '{"RoomInfo":{"RoomId":"r","SeatTemplate":"AudioSalon"}}}',
      '{"RoomInfo":{"RoomId":"r","SeatTemplate":"AudioSalon"}} {}',
      '{"RoomInfo":{"RoomId":"r\x01","SeatTemplate":"AudioSalon"}}',
      'RoomId=r&SeatTemplate=AudioSalon',
      '<RoomInfo><RoomId>r</RoomId></RoomInfo>',
    ),
    // Noise.
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  )
  .filter((text) => !isJson(text))
  .map((body) => ({ body, path: '' }));

// ---- the harness ----

const stack = gatewayStackForTests();

async function expectRejected(c: Case): Promise<void> {
  const res = await postRoom(stack.gateway, c.body);
  expect(res.status, c.body).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.type).toBe('/problems/validation-failed');
  expect(res.body.status).toBe(400);
  expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
  expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
  const errors = res.body.errors as { path: unknown; message: unknown }[];
  expect(Array.isArray(errors)).toBe(true);
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) {
    expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(e.message).not.toBe('');
  }
  const paths = errors.map((e) => e.path as string);
  if (c.path !== undefined) expect(paths, c.body).toContain(c.path);
  const prefix = c.pathPrefix;
  if (prefix !== undefined) {
    expect(
      paths.some((p) => p === prefix || p.startsWith(`${prefix}.`)),
      `${JSON.stringify(paths)} for ${c.body}`,
    ).toBe(true);
  }
  expect(stack.sandbox.state.arrivals).toHaveLength(0);
}

const property = (arb: fc.Arbitrary<Case>, numRuns: number) =>
  fc.assert(fc.asyncProperty(arb, expectRejected), { numRuns });

describe('POST /rooms with malformed bodies (property-based, real HTTP)', () => {
  it('rejects text that is not JSON, naming the body as a whole', async () => {
    await property(notJson, 250);
  });

  it('rejects JSON values that are not objects, naming the body as a whole', async () => {
    await property(notAnObject, 150);
  });

  it('rejects a RoomInfo that is missing or not an object, naming RoomInfo', async () => {
    await property(roomInfoNotAnObject, 80);
  });

  it('rejects a valid body with one field of the wrong type or value, naming that field', async () => {
    await property(wrongField, 500);
  });

  it('rejects a body without RoomId or SeatTemplate, naming the missing field', async () => {
    await property(missingField, 80);
  });

  it('rejects an unknown key inside RoomInfo, naming it by its dotted path', async () => {
    await property(unknownInside, 220);
  });

  it('rejects an unknown key beside RoomInfo, naming it by its own path', async () => {
    await property(unknownBeside, 130);
  });

  it('rejects strings over their byte limits, counted in UTF-8 bytes of multi-byte characters', async () => {
    await property(overLimit, 280);
  });

  it('rejects an empty RoomId or Owner_Account', async () => {
    await property(emptyIdentifiers, 40);
  });

  it('rejects MaxSeatCount with a video SeatTemplate', async () => {
    await property(maxSeatWithVideo, 80);
  });

  it('rejects a Category of more than 3 tags or with a bad tag', async () => {
    await property(badCategory, 140);
  });

  it('rejects a RoomType other than Live', async () => {
    await property(notLive, 80);
  });

  it('has sent nothing at all to Tencent after all of them', () => {
    expect(stack.sandbox.state.arrivals).toHaveLength(0);
    expect(stack.sandbox.state.rooms.size).toBe(0);
  });
});

describe('POST /rooms with valid bodies (property-based, real HTTP)', () => {
  let openSandbox: RunningSandbox;
  let openGateway: RunningGateway;

  beforeAll(async () => {
    openSandbox = await startSandbox({ perSecond: 100_000 });
    openGateway = await startGateway(
      testConfig(openSandbox, {
        limits: { globalPerSecond: 100_000, queueMs: 1000, replicas: 1, marginMs: 25 },
      }),
    );
  });
  afterAll(async () => {
    await openGateway.close();
    await openSandbox.close();
  });

  it('accepts every body within the rules with 201 and forwards exactly its fields', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validInfo, async (generated) => {
        n += 1;
        const prefix = `ok${n}_`;
        const info = { ...generated, RoomId: `${prefix}${generated.RoomId}` };
        expect(bytes(info.RoomId)).toBeLessThanOrEqual(48);
        const res = await postRoom(openGateway, { RoomInfo: info });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body).toMatchObject({ roomId: info.RoomId, created: true });
        expect(openSandbox.state.rooms.get(info.RoomId)).toEqual({
          ...info,
          RoomType: 'Live',
          Owner_Account: info.Owner_Account ?? ADMIN,
          CreateTime: expect.any(Number),
        });
      }),
      { numRuns: 200 },
    );
    expect(openSandbox.state.rooms.size).toBe(200);
  });
});
