import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, type RunningSandbox, roomId, SDKAPPID, startSandbox } from '../../test/helpers.js';
import { signUserSig } from '../tencent/usersig.js';

/** destroy_room, get_room_info, update_room_info and get_room_list over real HTTP, as the gateway calls them. */

const nowMs = () => performance.timeOrigin + performance.now();
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - nowMs())));

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** A signed request for `command` of live_engine_http_srv; an object body is sent as JSON, a string as it is. */
async function tencent(sb: RunningSandbox, command: string, body: unknown): Promise<Answer> {
  const query = new URLSearchParams({
    sdkappid: String(SDKAPPID),
    identifier: ADMIN,
    usersig: signUserSig({
      sdkAppId: SDKAPPID,
      secretKey: sb.secretKey,
      identifier: ADMIN,
      expireSeconds: 600,
    }),
    random: String(randomInt(0, 2 ** 32)),
    contenttype: 'json',
  });
  const res = await fetch(`${sb.url}/v4/live_engine_http_srv/${command}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const codeOf = (answer: Answer) => answer.json?.ErrorCode;

function expectFail(answer: Answer, code: number): void {
  expect(answer.status).toBe(200);
  expect(answer.json).toEqual({
    ActionStatus: 'FAIL',
    ErrorCode: code,
    ErrorInfo: expect.stringMatching(/\S/),
    RequestId: expect.stringMatching(/^Id-/),
  });
}

/** Tencent's success envelope, plus whatever else the command answers. */
function expectOk(answer: Answer, extra: Record<string, unknown> = {}): void {
  expect(answer.status).toBe(200);
  expect(answer.json).toEqual({
    ActionStatus: 'OK',
    ErrorCode: 0,
    ErrorInfo: '',
    RequestId: expect.stringMatching(/^Id-/),
    ...extra,
  });
}

async function create(sb: RunningSandbox, id: string, fields: Record<string, unknown> = {}): Promise<void> {
  const answer = await tencent(sb, 'create_room', {
    RoomInfo: { RoomId: id, RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats', ...fields },
  });
  expect(codeOf(answer)).toBe(0);
}

const roomInfoOf = (answer: Answer) =>
  (answer.json?.Response as { RoomInfo: Record<string, unknown> } | undefined)?.RoomInfo;

async function getInfo(sb: RunningSandbox, id: string): Promise<Record<string, unknown> | undefined> {
  const answer = await tencent(sb, 'get_room_info', { RoomId: id });
  expect(codeOf(answer)).toBe(0);
  return roomInfoOf(answer);
}

interface ListPage {
  Next: string;
  RoomList: Record<string, unknown>[];
}

async function list(sb: RunningSandbox, Next = '', Count = 20): Promise<ListPage> {
  const answer = await tencent(sb, 'get_room_list', { Next, Count });
  expect(codeOf(answer)).toBe(0);
  return answer.json?.Response as ListPage;
}

const ZERO_STATISTIC = {
  TotalViewers: 0,
  TotalGiftsSent: 0,
  TotalGiftCoins: 0,
  TotalUniqueGiftSenders: 0,
  TotalLikesReceived: 0,
};

let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ perSecond: 100_000, perSecondByCommand: { get_room_list: 100_000 } });
});
afterAll(async () => {
  await sb.close();
});

describe('sandbox destroy_room', () => {
  it('removes the room and answers its Statistic, every counter 0 by default', async () => {
    const id = roomId();
    await create(sb, id);
    expectOk(await tencent(sb, 'destroy_room', { RoomId: id }), { Response: { Statistic: ZERO_STATISTIC } });
    expect(sb.state.rooms.has(id)).toBe(false);
  });

  it('answers the counters a test kept on the room', async () => {
    const id = roomId();
    await create(sb, id);
    const room = sb.state.rooms.get(id);
    if (!room) throw new Error('room not created');
    Object.assign(room, {
      TotalViewers: 1024,
      TotalGiftsSent: 56,
      TotalGiftCoins: 8800,
      TotalLikesReceived: 3200,
    });
    expectOk(await tencent(sb, 'destroy_room', { RoomId: id }), {
      Response: {
        Statistic: {
          TotalViewers: 1024,
          TotalGiftsSent: 56,
          TotalGiftCoins: 8800,
          TotalUniqueGiftSenders: 0,
          TotalLikesReceived: 3200,
        },
      },
    });
  });

  it('leaves the room gone: get and a second destroy answer 100004, and the list leaves it out', async () => {
    const id = roomId();
    await create(sb, id);
    expect(codeOf(await tencent(sb, 'destroy_room', { RoomId: id }))).toBe(0);
    expectFail(await tencent(sb, 'get_room_info', { RoomId: id }), 100004);
    expectFail(await tencent(sb, 'destroy_room', { RoomId: id }), 100004);
    expectFail(await tencent(sb, 'update_room_info', { RoomInfo: { RoomId: id, RoomName: 'x' } }), 100004);
    let next = '';
    do {
      const page = await list(sb, next);
      expect(page.RoomList.map((r) => r.RoomId)).not.toContain(id);
      next = page.Next;
    } while (next !== '');
  });

  it('lets the same RoomId be created again, afresh, once it is destroyed', async () => {
    const id = roomId();
    await create(sb, id, { RoomName: 'first life', Owner_Account: 'alice' });
    expect(codeOf(await tencent(sb, 'destroy_room', { RoomId: id }))).toBe(0);
    // Past create_room's once-per-second rule for this RoomId.
    const created = sb.state.arrivals.filter((a) => a.command === 'create_room' && a.roomId === id).at(-1);
    await sleepUntil((created?.at ?? nowMs()) + 1020);
    await create(sb, id, { Owner_Account: 'bob' });
    const info = await getInfo(sb, id);
    expect(info?.RoomName).toBe(id);
    expect(info?.Owner_Account).toBe('bob');
  });

  it('answers 100004 for a room that never existed', async () => {
    expectFail(await tencent(sb, 'destroy_room', { RoomId: roomId('never') }), 100004);
  });
});

describe('sandbox get_room_info', () => {
  it('answers every documented field, defaults filled in, for a room created with the minimum', async () => {
    const id = roomId();
    await create(sb, id);
    const answer = await tencent(sb, 'get_room_info', { RoomId: id });
    expectOk(answer, {
      Response: {
        RoomInfo: {
          RoomId: id,
          RoomName: id,
          RoomType: 'Live',
          Owner_Account: ADMIN,
          CreateTime: expect.any(Number),
          IsSeatEnabled: true,
          TakeSeatMode: 'FreeToTake',
          MaxSeatCount: 9,
          MaxMemberCount: 1000,
          IsMessageDisabled: false,
          CoverURL: '',
          Category: [],
          ActivityStatus: 0,
          ViewCount: 0,
          IsPublicVisible: true,
          Notice: '',
        },
      },
    });
    const createTime = roomInfoOf(answer)?.CreateTime as number;
    expect(Math.abs(createTime - Date.now() / 1000)).toBeLessThan(5);
    expect(Number.isInteger(createTime)).toBe(true);
  });

  it('answers what create_room was given', async () => {
    const id = roomId('voice');
    await create(sb, id, {
      Owner_Account: 'testA',
      TakeSeatMode: 'ApplyToTake',
      SeatTemplate: 'AudioSalon',
      MaxSeatCount: 8,
      IsMessageDisabled: true,
      IsPublicVisible: false,
      RoomName: 'Happy new year',
      CoverURL: 'cover url',
      Category: ['music', 7],
      ActivityStatus: 1,
    });
    expect(await getInfo(sb, id)).toMatchObject({
      RoomId: id,
      RoomName: 'Happy new year',
      Owner_Account: 'testA',
      TakeSeatMode: 'ApplyToTake',
      MaxSeatCount: 8,
      IsMessageDisabled: true,
      IsPublicVisible: false,
      CoverURL: 'cover url',
      Category: ['music', 7],
      ActivityStatus: 1,
    });
  });

  it.each([
    ['VideoDynamicGrid9Seats', 9],
    ['VideoFixedGrid9Seats', 9],
    ['VideoDynamicFloat7Seats', 7],
    ['VideoFixedFloat7Seats', 7],
    ['AudioSalon', 10],
    ['Karaoke', 10],
  ])('defaults MaxSeatCount for %s to %i', async (template, seats) => {
    const id = roomId();
    await create(sb, id, { SeatTemplate: template });
    expect((await getInfo(sb, id))?.MaxSeatCount).toBe(seats);
  });

  it('answers the ViewCount a test set on the room', async () => {
    const id = roomId();
    await create(sb, id);
    const room = sb.state.rooms.get(id);
    if (!room) throw new Error('room not created');
    room.ViewCount = 5;
    expect((await getInfo(sb, id))?.ViewCount).toBe(5);
  });

  it('answers 100004 for a room that does not exist', async () => {
    expectFail(await tencent(sb, 'get_room_info', { RoomId: roomId('absent') }), 100004);
  });
});

describe('sandbox destroy_room and get_room_info, body checks', () => {
  it.each(['destroy_room', 'get_room_info'])(
    '%s answers 60003 for a body that is not JSON',
    async (command) => {
      expectFail(await tencent(sb, command, '{"RoomId": '), 60003);
    },
  );

  const bodies: [string, unknown][] = [
    ['an empty object', {}],
    ['a JSON array', [{ RoomId: 'x' }]],
    ['a numeric RoomId', { RoomId: 42 }],
    ['an empty RoomId', { RoomId: '' }],
    ['a RoomId of 49 bytes', { RoomId: `a${'直'.repeat(16)}` }],
    ['a field beside RoomId', { RoomId: 'x', Owner_Account: 'alice' }],
    ['the RoomId inside RoomInfo', { RoomInfo: { RoomId: 'x' } }],
  ];
  const cases = ['destroy_room', 'get_room_info'].flatMap((command) =>
    bodies.map(([name, body]) => [command, name, body] as const),
  );

  it.each(cases)('%s answers 100002 for %s', async (command, _name, body) => {
    expectFail(await tencent(sb, command, body), 100002);
  });

  it('accepts a RoomId of exactly 48 bytes of multi-byte UTF-8', async () => {
    const id = '房'.repeat(16);
    expect(Buffer.byteLength(id)).toBe(48);
    expectFail(await tencent(sb, 'get_room_info', { RoomId: id }), 100004);
  });
});

describe('sandbox update_room_info', () => {
  it('answers the bare envelope and changes what get_room_info answers, leaving the rest alone', async () => {
    const id = roomId();
    await create(sb, id, { Owner_Account: 'alice', RoomName: 'before', SeatTemplate: 'Karaoke' });
    const changes = {
      RoomName: 'after',
      MaxMemberCount: 300,
      IsMessageDisabled: true,
      CoverURL: 'https://example.com/cover.png',
      Category: [1, 'music'],
      ActivityStatus: 2,
      IsPublicVisible: false,
      TakeSeatMode: 'ApplyToTake',
      Notice: 'welcome',
    };
    expectOk(await tencent(sb, 'update_room_info', { RoomInfo: { RoomId: id, ...changes } }));
    expect(await getInfo(sb, id)).toEqual({
      RoomId: id,
      RoomType: 'Live',
      Owner_Account: 'alice',
      CreateTime: expect.any(Number),
      IsSeatEnabled: true,
      MaxSeatCount: 10,
      ViewCount: 0,
      ...changes,
    });
  });

  it('changes only the fields it is given', async () => {
    const id = roomId();
    await create(sb, id, { RoomName: 'kept', CoverURL: 'kept.png' });
    expectOk(await tencent(sb, 'update_room_info', { RoomInfo: { RoomId: id, Notice: 'hello' } }));
    expect(await getInfo(sb, id)).toMatchObject({ RoomName: 'kept', CoverURL: 'kept.png', Notice: 'hello' });
  });

  it('shows the change in get_room_list too', async () => {
    const id = roomId();
    await create(sb, id);
    const room = sb.state.rooms.get(id);
    if (!room) throw new Error('room not created');
    room.ViewCount = Number.MAX_SAFE_INTEGER; // first in the list
    expectOk(await tencent(sb, 'update_room_info', { RoomInfo: { RoomId: id, RoomName: 'renamed' } }));
    const first = (await list(sb, '', 1)).RoomList[0];
    expect(first).toMatchObject({ RoomId: id, RoomName: 'renamed' });
    room.ViewCount = 0;
  });

  it('answers 100004 for a room that does not exist', async () => {
    expectFail(
      await tencent(sb, 'update_room_info', { RoomInfo: { RoomId: roomId('absent'), RoomName: 'x' } }),
      100004,
    );
  });

  it.each([
    ['RoomName', { RoomName: 'a sensitive-word here' }],
    ['Notice', { Notice: 'sensitive-word' }],
    ['CoverURL', { CoverURL: 'https://x/sensitive-word.png' }],
  ])('answers 100026 for a sensitive word in %s, and changes nothing', async (_name, change) => {
    const id = roomId();
    await create(sb, id, { RoomName: 'clean' });
    expectFail(
      await tencent(sb, 'update_room_info', { RoomInfo: { RoomId: id, ActivityStatus: 3, ...change } }),
      100026,
    );
    expect(await getInfo(sb, id)).toMatchObject({ RoomName: 'clean', ActivityStatus: 0, Notice: '' });
  });

  const target = roomId('update-target');
  beforeAll(async () => {
    await create(sb, target);
  });

  const info = (fields: Record<string, unknown>) => ({ RoomInfo: { RoomId: target, ...fields } });

  it.each([['a body that is not JSON', '{"RoomInfo": ']])('answers 60003 for %s', async (_name, body) => {
    expectFail(await tencent(sb, 'update_room_info', body), 60003);
  });

  it.each([
    ['no RoomInfo', {}],
    ['RoomInfo not an object', { RoomInfo: [target] }],
    ['a field beside RoomInfo', { ...info({ RoomName: 'x' }), RoomId: target }],
    ['no RoomId', { RoomInfo: { RoomName: 'x' } }],
    ['a RoomId of 49 bytes', { RoomInfo: { RoomId: 'r'.repeat(49), RoomName: 'x' } }],
    ['Owner_Account', info({ Owner_Account: 'bob' })],
    ['SeatTemplate', info({ SeatTemplate: 'AudioSalon' })],
    ['RoomType', info({ RoomType: 'Live' })],
    ['MaxSeatCount', info({ MaxSeatCount: 4 })],
    ['IsSeatEnabled', info({ IsSeatEnabled: true })],
    ['ViewCount', info({ ViewCount: 9 })],
    ['an unknown field', info({ Colour: 'blue' })],
    ['a RoomName of 101 bytes', info({ RoomName: `${'é'.repeat(50)}x` })],
    ['a numeric RoomName', info({ RoomName: 5 })],
    ['a Notice of 101 bytes', info({ Notice: 'n'.repeat(101) })],
    ['a CoverURL of 201 bytes', info({ CoverURL: 'c'.repeat(201) })],
    ['a MaxMemberCount of 0', info({ MaxMemberCount: 0 })],
    ['a fractional MaxMemberCount', info({ MaxMemberCount: 1.5 })],
    ['a MaxMemberCount in a string', info({ MaxMemberCount: '300' })],
    ['a string IsMessageDisabled', info({ IsMessageDisabled: 'true' })],
    ['a numeric IsPublicVisible', info({ IsPublicVisible: 1 })],
    ['four Category tags', info({ Category: ['a', 'b', 'c', 'd'] })],
    ['an empty Category tag', info({ Category: [''] })],
    ['a negative Category tag', info({ Category: [-1] })],
    ['a fractional ActivityStatus', info({ ActivityStatus: 1.5 })],
    ['an unknown TakeSeatMode', info({ TakeSeatMode: 'Free' })],
    ['TakeSeatMode in the older integer form', info({ TakeSeatMode: 1 })],
  ])('answers 100002 for %s', async (_name, body) => {
    expectFail(await tencent(sb, 'update_room_info', body), 100002);
  });

  it('accepts the largest documented values', async () => {
    expectOk(
      await tencent(
        sb,
        'update_room_info',
        info({
          RoomName: 'é'.repeat(50),
          Notice: 'n'.repeat(100),
          CoverURL: 'c'.repeat(200),
          Category: ['a', 0, 'c'],
        }),
      ),
    );
  });
});

describe('sandbox get_room_list', () => {
  let listed: RunningSandbox;

  beforeAll(async () => {
    listed = await startSandbox({ perSecond: 100_000, perSecondByCommand: { get_room_list: 100_000 } });
  });
  beforeEach(() => listed.state.reset());
  afterAll(async () => {
    await listed.close();
  });

  /** Creates rooms over HTTP, then gives each its ViewCount. */
  async function rooms(viewCounts: number[]): Promise<string[]> {
    const ids = viewCounts.map((_, i) => `room_${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => create(listed, id)));
    ids.forEach((id, i) => {
      const room = listed.state.rooms.get(id);
      if (room) room.ViewCount = viewCounts[i];
    });
    return ids;
  }

  it('pages through 45 rooms by 20: 20, 20, then 5 with an empty Next, each once, by ViewCount descending', async () => {
    // Many ties, so that paging must cut through a run of equal ViewCounts.
    const ids = await rooms(Array.from({ length: 45 }, (_, i) => i % 7));
    const pages: ListPage[] = [];
    let next = '';
    do {
      const answer = await tencent(listed, 'get_room_list', { Next: next, Count: 20 });
      expectOk(answer, { Response: { Next: expect.any(String), RoomList: expect.any(Array) } });
      const page = answer.json?.Response as ListPage;
      pages.push(page);
      next = page.Next;
    } while (next !== '' && pages.length < 10);

    expect(pages.map((p) => p.RoomList.length)).toEqual([20, 20, 5]);
    expect(pages.map((p) => p.Next === '')).toEqual([false, false, true]);
    const all = pages.flatMap((p) => p.RoomList);
    expect(new Set(all.map((r) => r.RoomId))).toEqual(new Set(ids));
    const expected = [...ids].sort((a, b) => {
      const va = Number(a.slice(5)) % 7;
      const vb = Number(b.slice(5)) % 7;
      return vb - va || (a < b ? -1 : 1);
    });
    expect(all.map((r) => r.RoomId)).toEqual(expected);
  });

  it('describes each room as get_room_info does', async () => {
    await create(listed, 'solo', { RoomName: 'Solo', TakeSeatMode: 'ApplyToTake', Category: ['game'] });
    const info = await getInfo(listed, 'solo');
    expectOk(await tencent(listed, 'get_room_list', { Next: '', Count: 20 }), {
      Response: { Next: '', RoomList: [info] },
    });
  });

  it('sorts by ViewCount descending, ties by RoomId', async () => {
    await rooms([5, 100, 0, 100, 42]);
    const page = await list(listed, '', 20);
    expect(page.RoomList.map((r) => [r.RoomId, r.ViewCount])).toEqual([
      ['room_01', 100],
      ['room_03', 100],
      ['room_04', 42],
      ['room_00', 5],
      ['room_02', 0],
    ]);
    expect(page.Next).toBe('');
  });

  it('answers an empty Next when the last page is exactly full, and an empty list when there are no rooms', async () => {
    expect(await list(listed, '', 20)).toEqual({ Next: '', RoomList: [] });
    await rooms(Array.from({ length: 20 }, () => 1));
    const page = await list(listed, '', 20);
    expect(page.RoomList).toHaveLength(20);
    expect(page.Next).toBe('');
  });

  it('neither repeats nor skips a room when rooms are destroyed between pages', async () => {
    await rooms([9, 8, 7, 6, 5, 4]);
    const first = await list(listed, '', 2);
    expect(first.RoomList.map((r) => r.RoomId)).toEqual(['room_00', 'room_01']);
    expect(codeOf(await tencent(listed, 'destroy_room', { RoomId: 'room_00' }))).toBe(0);
    expect(codeOf(await tencent(listed, 'destroy_room', { RoomId: 'room_03' }))).toBe(0);
    const second = await list(listed, first.Next, 2);
    expect(second.RoomList.map((r) => r.RoomId)).toEqual(['room_02', 'room_04']);
    const third = await list(listed, second.Next, 2);
    expect(third).toEqual({ Next: '', RoomList: [expect.objectContaining({ RoomId: 'room_05' })] });
  });

  it('leaves out rooms that are not public, until an update makes them so', async () => {
    await create(listed, 'hidden', { IsPublicVisible: false });
    await create(listed, 'shown');
    expect((await list(listed)).RoomList.map((r) => r.RoomId)).toEqual(['shown']);
    expectOk(
      await tencent(listed, 'update_room_info', { RoomInfo: { RoomId: 'hidden', IsPublicVisible: true } }),
    );
    expect((await list(listed)).RoomList.map((r) => r.RoomId)).toEqual(['hidden', 'shown']);
  });

  it('pages by 20 when the body has no Count, as Tencent defaults it', async () => {
    await rooms(Array.from({ length: 21 }, (_, i) => i));
    const first = await tencent(listed, 'get_room_list', { Next: '' });
    expect(codeOf(first)).toBe(0);
    const { Response } = first.json as { Response: { Next: string; RoomList: unknown[] } };
    expect(Response.RoomList).toHaveLength(20);
    expect(Response.Next).not.toBe('');
  });

  it.each([
    ['an empty object', {}],
    ['no Next', { Count: 20 }],
    ['a Count of 0', { Next: '', Count: 0 }],
    ['a Count of 21', { Next: '', Count: 21 }],
    ['a fractional Count', { Next: '', Count: 1.5 }],
    ['a Count in a string', { Next: '', Count: '20' }],
    ['a numeric Next', { Next: 0, Count: 20 }],
    ['a null Next', { Next: null, Count: 20 }],
    ['an unknown field', { Next: '', Count: 20, Offset: 0 }],
    ['a JSON array', [{ Next: '', Count: 20 }]],
    ['a Next that is not a cursor', { Next: 'not a cursor!', Count: 20 }],
    [
      'a Next of base64 that is not a cursor',
      { Next: Buffer.from('{"a":1}').toString('base64url'), Count: 20 },
    ],
    [
      'a Next of a cursor-shaped key too long for a RoomId',
      {
        Next: Buffer.from(JSON.stringify([1, 'r'.repeat(49)])).toString('base64url'),
        Count: 20,
      },
    ],
  ])('answers 100002 for %s', async (_name, body) => {
    expectFail(await tencent(listed, 'get_room_list', body), 100002);
  });

  it('answers 100002 for a cursor altered after it was given', async () => {
    await rooms([3, 2, 1]);
    const { Next } = await list(listed, '', 1);
    expect(Next).not.toBe('');
    expectFail(await tencent(listed, 'get_room_list', { Next: `${Next}x`, Count: 1 }), 100002);
    expectFail(await tencent(listed, 'get_room_list', { Next: `${Next}==`, Count: 1 }), 100002);
  });
});

describe('sandbox get_room_list, its own limit of 10 per second', () => {
  let limited: RunningSandbox;

  beforeAll(async () => {
    limited = await startSandbox({ perSecond: 100_000 });
  });
  beforeEach(() => limited.state.reset());
  afterAll(async () => {
    await limited.close();
  });

  it('answers 60007 to exactly one of 11 simultaneous requests, and lets requests pass a second later', async () => {
    const answers = await Promise.all(
      Array.from({ length: 11 }, () => tencent(limited, 'get_room_list', { Next: '', Count: 20 })),
    );
    const codes = answers.map(codeOf);
    expect(codes.filter((c) => c === 0)).toHaveLength(10);
    expectFail(answers.find((a) => codeOf(a) === 60007) as Answer, 60007);
    const last = Math.max(...limited.state.arrivals.map((a) => a.at));
    await sleepUntil(last + 1020);
    expect(codeOf(await tencent(limited, 'get_room_list', { Next: '', Count: 20 }))).toBe(0);
  });

  it('keeps the other commands at the general limit meanwhile', async () => {
    await Promise.all(
      Array.from({ length: 10 }, () => tencent(limited, 'get_room_list', { Next: '', Count: 1 })),
    );
    const others = await Promise.all(
      Array.from({ length: 20 }, () => tencent(limited, 'get_room_info', { RoomId: roomId() })),
    );
    expect(others.map(codeOf)).toEqual(Array(20).fill(100004));
  });

  it('takes per-command limits from perSecondByCommand', async () => {
    const custom = await startSandbox({ perSecond: 100_000, perSecondByCommand: { get_room_info: 3 } });
    try {
      const info = await Promise.all(
        Array.from({ length: 4 }, () => tencent(custom, 'get_room_info', { RoomId: roomId() })),
      );
      expect(info.map(codeOf).sort()).toEqual([100004, 100004, 100004, 60007].sort());
      // get_room_list keeps Tencent's 10 when the option does not name it.
      const lists = await Promise.all(
        Array.from({ length: 11 }, () => tencent(custom, 'get_room_list', { Next: '', Count: 1 })),
      );
      expect(lists.map(codeOf).filter((c) => c === 60007)).toHaveLength(1);
    } finally {
      await custom.close();
    }
  });
});

describe('sandbox emulation of Tencent’s older and numeric forms', () => {
  let old: RunningSandbox;

  beforeAll(async () => {
    old = await startSandbox({
      perSecond: 100_000,
      perSecondByCommand: { get_room_list: 100_000 },
      legacyTakeSeatMode: true,
      numericAccounts: true,
    });
  });
  afterAll(async () => {
    await old.close();
  });

  it('answers TakeSeatMode as 1 (FreeToTake) or 2 (ApplyToTake) in get_room_info and get_room_list', async () => {
    await create(old, 'free');
    await create(old, 'apply', { TakeSeatMode: 'ApplyToTake' });
    expect((await getInfo(old, 'free'))?.TakeSeatMode).toBe(1);
    expect((await getInfo(old, 'apply'))?.TakeSeatMode).toBe(2);
    const modes = Object.fromEntries((await list(old)).RoomList.map((r) => [r.RoomId, r.TakeSeatMode]));
    expect(modes).toEqual({ free: 1, apply: 2 });
  });

  it('still takes TakeSeatMode by name in update_room_info', async () => {
    await create(old, 'switch');
    expectOk(
      await tencent(old, 'update_room_info', { RoomInfo: { RoomId: 'switch', TakeSeatMode: 'ApplyToTake' } }),
    );
    expect((await getInfo(old, 'switch'))?.TakeSeatMode).toBe(2);
  });

  it('writes an all-digit Owner_Account beyond 2^53 as a bare JSON number with exactly its digits', async () => {
    const id = roomId('numeric');
    await create(old, id, { Owner_Account: '144115233775727695' });
    const answer = await tencent(old, 'get_room_info', { RoomId: id });
    expect(answer.text).toContain('"Owner_Account":144115233775727695,');
    // A plain JSON.parse cannot hold it: the reason the gateway must parse losslessly.
    const parsed = roomInfoOf(answer)?.Owner_Account;
    expect(typeof parsed).toBe('number');
    expect(String(parsed)).not.toBe('144115233775727695');
    const res = await fetch(`${old.url}/__sandbox/rooms`);
    const stored = ((await res.json()) as Record<string, unknown>[]).find((r) => r.RoomId === id);
    expect(stored?.Owner_Account).toBe('144115233775727695');

    const all = await tencent(old, 'get_room_list', { Next: '', Count: 20 });
    expect(all.text).toContain('"Owner_Account":144115233775727695,');
  });

  it('writes the texts a test put in asWritten as they are: room fields, new ones, and the Statistic', async () => {
    const id = roomId('written');
    await create(old, id);
    const room = old.state.rooms.get(id);
    if (!room) throw new Error('not created');
    room.ViewCount = 5;
    room.asWritten = {
      CreateTime: '12345678901234567890',
      ViewCount: '9007199254740993',
      Owner_Account: '-12345678901234567890.5e3',
      GiftTotal: '1.50',
      TotalViewers: '12345678901234567890',
    };
    const info = await tencent(old, 'get_room_info', { RoomId: id });
    expect(info.text).toContain('"CreateTime":12345678901234567890,');
    expect(info.text).toContain('"ViewCount":9007199254740993,');
    expect(info.text).toContain('"Owner_Account":-12345678901234567890.5e3,');
    expect(info.text).toContain('"GiftTotal":1.50');
    expect(info.text).not.toContain('TotalViewers');
    const all = await tencent(old, 'get_room_list', { Next: '', Count: 20 });
    expect(all.text).toContain('"ViewCount":9007199254740993,');
    const dismissed = await tencent(old, 'destroy_room', { RoomId: id });
    expect(dismissed.text).toContain('"TotalViewers":12345678901234567890,');
    expect(dismissed.text).not.toContain('GiftTotal');
  });

  it('keeps other accounts as strings, leading zeros included', async () => {
    await create(old, 'lettered', { Owner_Account: 'testA' });
    await create(old, 'zero-led', { Owner_Account: '007' });
    const lettered = await tencent(old, 'get_room_info', { RoomId: 'lettered' });
    expect(lettered.text).toContain('"Owner_Account":"testA"');
    const zeroLed = await tencent(old, 'get_room_info', { RoomId: 'zero-led' });
    expect(zeroLed.text).toContain('"Owner_Account":"007"');
  });

  it('answers names and strings without the switches', async () => {
    const id = roomId();
    await create(sb, id, { Owner_Account: '144115233775727695', TakeSeatMode: 'ApplyToTake' });
    const answer = await tencent(sb, 'get_room_info', { RoomId: id });
    expect(answer.text).toContain('"Owner_Account":"144115233775727695"');
    expect(roomInfoOf(answer)?.TakeSeatMode).toBe('ApplyToTake');
  });
});

describe('sandbox faults, arrivals and frequency rules for the room commands', () => {
  let ctl: RunningSandbox;

  beforeAll(async () => {
    ctl = await startSandbox({ perSecond: 100_000 });
  });
  beforeEach(() => ctl.state.reset());
  afterAll(async () => {
    await ctl.close();
  });

  it('records the RoomId of each command where its body holds it', async () => {
    await create(ctl, 'a');
    await tencent(ctl, 'get_room_info', { RoomId: 'a' });
    await tencent(ctl, 'update_room_info', { RoomInfo: { RoomId: 'a', Notice: 'n' } });
    await tencent(ctl, 'get_room_list', { Next: '', Count: 20 });
    await tencent(ctl, 'destroy_room', { RoomId: 'a' });
    await tencent(ctl, 'destroy_room', { RoomId: 'a' });
    expect(ctl.state.arrivals.map((a) => [a.command, a.roomId, a.outcome])).toEqual([
      ['create_room', 'a', 0],
      ['get_room_info', 'a', 0],
      ['update_room_info', 'a', 0],
      ['get_room_list', undefined, 0],
      ['destroy_room', 'a', 0],
      ['destroy_room', 'a', 100004],
    ]);
  });

  it('applies a fault by command to the room commands', async () => {
    await create(ctl, 'b');
    for (const command of ['destroy_room', 'get_room_info', 'update_room_info', 'get_room_list'])
      ctl.state.faults.add({ fault: { kind: 'code', code: 100001 }, times: 1, command });
    expectFail(await tencent(ctl, 'get_room_list', { Next: '', Count: 20 }), 100001);
    expectFail(await tencent(ctl, 'get_room_info', { RoomId: 'b' }), 100001);
    expectFail(await tencent(ctl, 'update_room_info', { RoomInfo: { RoomId: 'b', RoomName: 'x' } }), 100001);
    expectFail(await tencent(ctl, 'destroy_room', { RoomId: 'b' }), 100001);
    // None of them did anything, and the faults are spent.
    expect(await getInfo(ctl, 'b')).toMatchObject({ RoomId: 'b', RoomName: 'b' });
    expect(ctl.state.faults.pending()).toHaveLength(0);
  });

  it('applies a fault by RoomId to destroy_room, get_room_info and update_room_info', async () => {
    await create(ctl, 'target');
    await create(ctl, 'other');
    ctl.state.faults.add({ fault: { kind: 'code', code: 100006 }, times: 3, roomId: 'target' });
    expect(codeOf(await tencent(ctl, 'get_room_info', { RoomId: 'other' }))).toBe(0);
    expectFail(await tencent(ctl, 'get_room_info', { RoomId: 'target' }), 100006);
    expectFail(
      await tencent(ctl, 'update_room_info', { RoomInfo: { RoomId: 'target', Notice: 'n' } }),
      100006,
    );
    expectFail(await tencent(ctl, 'destroy_room', { RoomId: 'target' }), 100006);
    expect(ctl.state.rooms.has('target')).toBe(true);
    expect(codeOf(await tencent(ctl, 'destroy_room', { RoomId: 'target' }))).toBe(0);
  });

  it('answers normally, only later, for a delay fault', async () => {
    await create(ctl, 'slow');
    ctl.state.faults.add({ fault: { kind: 'delay', ms: 200 }, times: 1, command: 'destroy_room' });
    const started = nowMs();
    const answer = await tencent(ctl, 'destroy_room', { RoomId: 'slow' });
    expect(nowMs() - started).toBeGreaterThanOrEqual(190);
    expectOk(answer, { Response: { Statistic: ZERO_STATISTIC } });
    expect(ctl.state.rooms.has('slow')).toBe(false);
  });

  it('sends a slow-body answer whole, exact account included', async () => {
    const numeric = await startSandbox({ numericAccounts: true });
    try {
      await create(numeric, 'n', { Owner_Account: '144115233775727695' });
      numeric.state.faults.add({ fault: { kind: 'slow-body', ms: 100 }, times: 1, command: 'get_room_info' });
      const answer = await tencent(numeric, 'get_room_info', { RoomId: 'n' });
      expect(answer.text).toContain('"Owner_Account":144115233775727695');
      expect(codeOf(answer)).toBe(0);
    } finally {
      await numeric.close();
    }
  });

  it('applies the once-per-second rule per RoomId to create_room only', async () => {
    await create(ctl, 'busy');
    const answers = await Promise.all([
      tencent(ctl, 'get_room_info', { RoomId: 'busy' }),
      tencent(ctl, 'get_room_info', { RoomId: 'busy' }),
      tencent(ctl, 'update_room_info', { RoomInfo: { RoomId: 'busy', Notice: 'a' } }),
      tencent(ctl, 'update_room_info', { RoomInfo: { RoomId: 'busy', Notice: 'b' } }),
    ]);
    expect(answers.map(codeOf)).toEqual([0, 0, 0, 0]);
    expect(codeOf(await tencent(ctl, 'destroy_room', { RoomId: 'busy' }))).toBe(0);
    // create_room's rule still counts its own arrival of this RoomId, well under a second ago.
    const again = await tencent(ctl, 'create_room', {
      RoomInfo: { RoomId: 'busy', RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats' },
    });
    expectFail(again, 100012);
  });

  it('checks access before the command: a bad UserSig is refused whatever the command', async () => {
    const res = await fetch(
      `${ctl.url}/v4/live_engine_http_srv/get_room_list?sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=garbage&random=1&contenttype=json`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Next":"","Count":20}' },
    );
    const json = (await res.json()) as Record<string, unknown>;
    expect(json.ErrorCode).toBe(70003);
  });
});
