import { describe, expect, it } from 'vitest';
import { fieldErrors, RequestValidationError, zodValidatorCompiler } from '../http/validation.js';
import type { FieldError } from '../problems/problem.js';
import { CreateRoomBodySchema, SEAT_TEMPLATES, utf8Bytes } from './schemas.js';

type Outcome = { value?: unknown; error?: unknown };

// biome-ignore lint/suspicious/noExplicitAny: the compiler's route-schema argument is wide; only `schema` is read.
const validator = zodValidatorCompiler({ schema: CreateRoomBodySchema } as any) as (data: unknown) => Outcome;

/** The field errors for `data`; fails the test when it validates. */
function errorsOf(data: unknown): FieldError[] {
  const outcome = validator(data);
  expect(outcome.error).toBeInstanceOf(RequestValidationError);
  return (outcome.error as RequestValidationError).errors;
}

/** The validated value for `data`; fails the test (showing the errors) when it does not validate. */
function parsedValue(data: unknown): unknown {
  const outcome = validator(data);
  if (outcome.error) expect((outcome.error as RequestValidationError).errors).toEqual([]);
  return outcome.value;
}

const room = (fields: Record<string, unknown>) => ({
  RoomInfo: { RoomId: 'live_1', SeatTemplate: 'VideoDynamicGrid9Seats', ...fields },
});

const paths = (errors: FieldError[]) => errors.map((e) => e.path);

describe('CreateRoomBodySchema with the documentation examples', () => {
  it('accepts the showroom example as it is (minus comments)', () => {
    const body = {
      RoomInfo: {
        RoomId: 'live_testA',
        RoomType: 'Live',
        Owner_Account: 'testA',
        TakeSeatMode: 'ApplyToTake',
        SeatTemplate: 'VideoDynamicGrid9Seats',
        IsPublicVisible: true,
        RoomName: 'Happy new year',
        CoverURL: 'cover url',
      },
    };
    expect(parsedValue(body)).toEqual(body);
  });

  it('accepts the voice chat room example as it is (minus comments)', () => {
    const body = {
      RoomInfo: {
        RoomId: 'voice_testA',
        RoomType: 'Live',
        Owner_Account: 'testA',
        TakeSeatMode: 'FreeToTake',
        MaxSeatCount: 10,
        SeatTemplate: 'AudioSalon',
        IsPublicVisible: true,
        RoomName: 'Happy new year',
        CoverURL: 'cover url',
      },
    };
    expect(parsedValue(body)).toEqual(body);
  });

  it('fills in RoomType Live when absent', () => {
    expect(
      parsedValue({ RoomInfo: { RoomId: 'live-room', SeatTemplate: 'VideoDynamicGrid9Seats' } }),
    ).toEqual({
      RoomInfo: { RoomId: 'live-room', RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats' },
    });
  });

  it('accepts every field of the page at once', () => {
    const info = {
      RoomId: 'voice_all',
      RoomType: 'Live',
      Owner_Account: 'host_1',
      TakeSeatMode: 'FreeToTake',
      SeatTemplate: 'Karaoke',
      MaxSeatCount: 8,
      IsMessageDisabled: false,
      IsPublicVisible: false,
      RoomName: 'All fields',
      CoverURL: 'https://example.com/c.png',
      Category: ['music', 2],
      ActivityStatus: 0,
    };
    expect(parsedValue({ RoomInfo: info })).toEqual({ RoomInfo: info });
  });
});

describe('CreateRoomBodySchema byte limits', () => {
  it('counts UTF-8 bytes, three per CJK character and four per emoji', () => {
    expect(utf8Bytes('直')).toBe(3);
    expect(utf8Bytes('😀')).toBe(4);
  });

  it.each([
    ['16 CJK characters (48 bytes)', '直'.repeat(16)],
    ['48 ASCII characters', 'a'.repeat(48)],
    ['12 emoji (48 bytes)', '😀'.repeat(12)],
    ['one character', 'x'],
    ['characters Tencent may not like but are bytes all the same', 'a/b?c#d e'],
  ])('accepts a RoomId of %s', (_what, roomId) => {
    expect(parsedValue(room({ RoomId: roomId }))).toMatchObject({ RoomInfo: { RoomId: roomId } });
  });

  it.each([
    ['16 CJK characters and one ASCII (49 bytes)', `${'直'.repeat(16)}a`, 49],
    ['49 ASCII characters', 'a'.repeat(49), 49],
    ['12 emoji and one ASCII (49 bytes)', `${'😀'.repeat(12)}a`, 49],
    ['nothing', '', 0],
  ])('rejects a RoomId of %s', (_what, roomId, bytes) => {
    expect(errorsOf(room({ RoomId: roomId }))).toEqual([
      { path: 'RoomInfo.RoomId', message: `must be 1 to 48 bytes of UTF-8 (got ${bytes})` },
    ]);
  });

  it('rejects a RoomId that is not a string', () => {
    expect(paths(errorsOf(room({ RoomId: 12345 })))).toEqual(['RoomInfo.RoomId']);
  });

  it('requires RoomId', () => {
    expect(errorsOf({ RoomInfo: { SeatTemplate: 'AudioSalon' } })).toEqual([
      { path: 'RoomInfo.RoomId', message: 'is required' },
    ]);
  });

  it('limits Owner_Account to 1 to 32 bytes', () => {
    expect(parsedValue(room({ Owner_Account: 'o'.repeat(32) }))).toBeDefined();
    expect(parsedValue(room({ Owner_Account: `${'主'.repeat(10)}ab` }))).toBeDefined();
    expect(errorsOf(room({ Owner_Account: 'o'.repeat(33) }))).toEqual([
      { path: 'RoomInfo.Owner_Account', message: 'must be 1 to 32 bytes of UTF-8 (got 33)' },
    ]);
    expect(errorsOf(room({ Owner_Account: '主'.repeat(11) }))).toEqual([
      { path: 'RoomInfo.Owner_Account', message: 'must be 1 to 32 bytes of UTF-8 (got 33)' },
    ]);
    expect(errorsOf(room({ Owner_Account: '' }))).toEqual([
      { path: 'RoomInfo.Owner_Account', message: 'must be 1 to 32 bytes of UTF-8 (got 0)' },
    ]);
  });

  it('limits RoomName to 100 bytes', () => {
    expect(parsedValue(room({ RoomName: `${'播'.repeat(33)}a` }))).toBeDefined();
    expect(parsedValue(room({ RoomName: '' }))).toBeDefined();
    expect(errorsOf(room({ RoomName: `${'播'.repeat(33)}ab` }))).toEqual([
      { path: 'RoomInfo.RoomName', message: 'must be at most 100 bytes of UTF-8 (got 101)' },
    ]);
    expect(errorsOf(room({ RoomName: `${'😀'.repeat(25)}a` }))).toEqual([
      { path: 'RoomInfo.RoomName', message: 'must be at most 100 bytes of UTF-8 (got 101)' },
    ]);
    expect(parsedValue(room({ RoomName: '😀'.repeat(25) }))).toBeDefined();
  });

  it('limits CoverURL to 200 bytes without demanding a URL', () => {
    expect(parsedValue(room({ CoverURL: 'cover url' }))).toBeDefined();
    expect(parsedValue(room({ CoverURL: `https://cdn.example.com/${'c'.repeat(200 - 24)}` }))).toBeDefined();
    expect(errorsOf(room({ CoverURL: 'c'.repeat(201) }))).toEqual([
      { path: 'RoomInfo.CoverURL', message: 'must be at most 200 bytes of UTF-8 (got 201)' },
    ]);
    expect(parsedValue(room({ CoverURL: `${'图'.repeat(66)}ab` }))).toBeDefined();
    expect(errorsOf(room({ CoverURL: '图'.repeat(67) }))).toEqual([
      { path: 'RoomInfo.CoverURL', message: 'must be at most 200 bytes of UTF-8 (got 201)' },
    ]);
  });
});

describe('CreateRoomBodySchema unknown fields', () => {
  it('names an unknown field inside RoomInfo by its path, with a hint for a case typo', () => {
    expect(errorsOf(room({ Owner_account: 'testA' }))).toEqual([
      { path: 'RoomInfo.Owner_account', message: 'unknown field; did you mean "Owner_Account"?' },
    ]);
  });

  it('names an unknown field beside RoomInfo', () => {
    expect(errorsOf({ ...room({}), Extra: 1 })).toEqual([{ path: 'Extra', message: 'unknown field' }]);
  });

  it('hints at RoomInfo for a top-level case typo', () => {
    expect(errorsOf({ roomInfo: { RoomId: 'a' } })).toContainEqual({
      path: 'roomInfo',
      message: 'unknown field; did you mean "RoomInfo"?',
    });
  });

  it('reports every unknown field at once, each by its own path', () => {
    expect(errorsOf({ ...room({ Foo: 1, roomname: 'x' }), Bar: 2 })).toEqual(
      expect.arrayContaining([
        { path: 'RoomInfo.Foo', message: 'unknown field' },
        { path: 'RoomInfo.roomname', message: 'unknown field; did you mean "RoomName"?' },
        { path: 'Bar', message: 'unknown field' },
      ]),
    );
  });

  it('rejects fields Tencent accepts only on update (Notice, MaxMemberCount)', () => {
    expect(paths(errorsOf(room({ Notice: 'hi', MaxMemberCount: 10 })))).toEqual([
      'RoomInfo.Notice',
      'RoomInfo.MaxMemberCount',
    ]);
  });
});

describe('CreateRoomBodySchema field rules', () => {
  it.each(['AudioSalon', 'Karaoke'])('accepts MaxSeatCount with %s', (template) => {
    expect(parsedValue(room({ SeatTemplate: template, MaxSeatCount: 1 }))).toBeDefined();
  });

  it.each(SEAT_TEMPLATES.filter((t) => t !== 'AudioSalon' && t !== 'Karaoke'))(
    'rejects MaxSeatCount with %s',
    (template) => {
      expect(errorsOf(room({ SeatTemplate: template, MaxSeatCount: 4 }))).toEqual([
        {
          path: 'RoomInfo.MaxSeatCount',
          message: `is only allowed with SeatTemplate AudioSalon or Karaoke (got ${template})`,
        },
      ]);
    },
  );

  it.each([0, -1, 1.5, '10', null])('rejects MaxSeatCount %j', (count) => {
    expect(paths(errorsOf(room({ SeatTemplate: 'AudioSalon', MaxSeatCount: count })))).toEqual([
      'RoomInfo.MaxSeatCount',
    ]);
  });

  it('reports the MaxSeatCount rule together with other problems', () => {
    expect(paths(errorsOf(room({ RoomId: '', MaxSeatCount: 3 })))).toEqual([
      'RoomInfo.RoomId',
      'RoomInfo.MaxSeatCount',
    ]);
  });

  it.each(SEAT_TEMPLATES)('accepts SeatTemplate %s', (template) => {
    expect(parsedValue(room({ SeatTemplate: template }))).toBeDefined();
  });

  it.each(['videoDynamicGrid9Seats', 'Grid9', '200', 200, ''])('rejects SeatTemplate %j', (template) => {
    expect(paths(errorsOf(room({ SeatTemplate: template })))).toEqual(['RoomInfo.SeatTemplate']);
  });

  it('requires SeatTemplate, saying so rather than listing the options', () => {
    expect(errorsOf({ RoomInfo: { RoomId: 'a' } })).toEqual([
      { path: 'RoomInfo.SeatTemplate', message: 'is required' },
    ]);
  });

  it('reports a string Category once, as not an array', () => {
    expect(paths(errorsOf(room({ Category: 'music' })))).toEqual(['RoomInfo.Category']);
  });

  it('reports bad tags even when there are too many', () => {
    expect(paths(errorsOf(room({ Category: ['', 'a', 'b', 'c'] })))).toEqual([
      'RoomInfo.Category.0',
      'RoomInfo.Category',
    ]);
  });

  it.each(['FreeToTake', 'ApplyToTake'])('accepts TakeSeatMode %s', (mode) => {
    expect(parsedValue(room({ TakeSeatMode: mode }))).toMatchObject({ RoomInfo: { TakeSeatMode: mode } });
  });

  it.each(['freetotake', 'Free', 1, 2])('rejects TakeSeatMode %j', (mode) => {
    expect(paths(errorsOf(room({ TakeSeatMode: mode })))).toEqual(['RoomInfo.TakeSeatMode']);
  });

  it.each(['Voice', 'live', '', null])('rejects RoomType %j', (type) => {
    expect(paths(errorsOf(room({ RoomType: type })))).toEqual(['RoomInfo.RoomType']);
  });

  it('accepts up to 3 Category tags, strings or non-negative integers', () => {
    expect(parsedValue(room({ Category: [] }))).toBeDefined();
    expect(parsedValue(room({ Category: ['music', 0, 7] }))).toMatchObject({
      RoomInfo: { Category: ['music', 0, 7] },
    });
  });

  it('rejects more than 3 Category tags', () => {
    expect(errorsOf(room({ Category: ['a', 'b', 'c', 'd'] }))).toEqual([
      { path: 'RoomInfo.Category', message: 'at most 3 tags' },
    ]);
  });

  it('names each bad Category tag by its index', () => {
    expect(errorsOf(room({ Category: [1.5, -1, ''] }))).toEqual([
      { path: 'RoomInfo.Category.0', message: expect.any(String) },
      { path: 'RoomInfo.Category.1', message: 'a numeric tag must be a non-negative integer' },
      { path: 'RoomInfo.Category.2', message: 'a tag must not be empty' },
    ]);
  });

  it.each([[true], [null], [{}], [['nested']]])('rejects the Category tag %j', (tag) => {
    expect(paths(errorsOf(room({ Category: ['ok', tag] })))).toEqual(['RoomInfo.Category.1']);
  });

  it('rejects a Category that is not an array', () => {
    expect(errorsOf(room({ Category: { 0: 'music' } }))).toEqual([
      { path: 'RoomInfo.Category', message: 'Invalid input: expected array, received object' },
    ]);
    // zod 4.6 also runs the length check on a string, so a long string adds "at most 3 tags" on the same path.
    const errors = errorsOf(room({ Category: 'music' }));
    expect(errors[0]).toEqual({
      path: 'RoomInfo.Category',
      message: 'Invalid input: expected array, received string',
    });
    expect(new Set(paths(errors))).toEqual(new Set(['RoomInfo.Category']));
  });

  it.each([0, 1, 2, -5])('accepts ActivityStatus %d', (status) => {
    expect(parsedValue(room({ ActivityStatus: status }))).toMatchObject({
      RoomInfo: { ActivityStatus: status },
    });
  });

  it.each([1.5, '1', true])('rejects ActivityStatus %j', (status) => {
    expect(paths(errorsOf(room({ ActivityStatus: status })))).toEqual(['RoomInfo.ActivityStatus']);
  });

  it.each(['IsMessageDisabled', 'IsPublicVisible'])('accepts %s as a boolean only', (field) => {
    expect(parsedValue(room({ [field]: true }))).toBeDefined();
    expect(parsedValue(room({ [field]: false }))).toBeDefined();
    for (const wrong of ['true', 1, 0, null]) {
      expect(paths(errorsOf(room({ [field]: wrong })))).toEqual([`RoomInfo.${field}`]);
    }
  });
});

describe('CreateRoomBodySchema body shape', () => {
  it.each([
    ['null', null],
    ['an array', [{ RoomInfo: {} }]],
    ['a string', '{"RoomInfo":{}}'],
    ['a number', 42],
    ['a boolean', true],
  ])('answers path "" for a body that is %s', (_what, body) => {
    const errors = errorsOf(body);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('');
  });

  it('requires RoomInfo', () => {
    const errors = errorsOf({});
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('RoomInfo');
    expect(errors[0]?.message).toMatch(/^is required/);
  });

  it('rejects a RoomInfo that is not an object', () => {
    expect(paths(errorsOf({ RoomInfo: 'live_1' }))).toEqual(['RoomInfo']);
    expect(paths(errorsOf({ RoomInfo: [] }))).toEqual(['RoomInfo']);
  });

  it('summarises the errors in the error message, naming the body as a whole "(body)"', () => {
    const outcome = validator(null);
    expect((outcome.error as Error).message).toMatch(/^\(body\): /);
    const nested = validator(room({ RoomId: '' }));
    expect((nested.error as Error).message).toBe('RoomInfo.RoomId: must be 1 to 48 bytes of UTF-8 (got 0)');
  });
});

describe('fieldErrors', () => {
  it('turns zod issues into dotted paths using the given known keys for hints', () => {
    const result = CreateRoomBodySchema.safeParse({
      RoomInfo: { RoomId: 'a', SeatTemplate: 'Karaoke', roomid: 1 },
    });
    expect(result.success).toBe(false);
    const errors = fieldErrors(result.error?.issues ?? [], (path) =>
      path.join('.') === 'RoomInfo' ? ['RoomId'] : [],
    );
    expect(errors).toEqual([{ path: 'RoomInfo.roomid', message: 'unknown field; did you mean "RoomId"?' }]);
  });
});
