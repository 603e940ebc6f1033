import { describe, expect, it } from 'vitest';
import { LosslessNumber } from './lossless-json.js';
import { TencentRoomInfoSchema } from './room-info.js';

const parse = (info: Record<string, unknown>) => TencentRoomInfoSchema.parse({ RoomId: 'r', ...info });

describe('TencentRoomInfoSchema', () => {
  it.each([
    ['a string', 'testA', 'testA'],
    ['a plain number', 12345, '12345'],
    ['a number beyond 2^53', new LosslessNumber('144115233775727695'), '144115233775727695'],
    [
      'a number in exponent form',
      new LosslessNumber('-12345678901234567890.5e3'),
      '-12345678901234567890.5e3',
    ],
  ])("answers Owner_Account sent as %s as a string of Tencent's text", (_what, sent, answered) => {
    expect(parse({ Owner_Account: sent }).Owner_Account).toBe(answered);
  });

  it.each([
    [1, 'FreeToTake'],
    [2, 'ApplyToTake'],
    [new LosslessNumber('2.0'), 'ApplyToTake'],
    ['ApplyToTake', 'ApplyToTake'],
    [7, '7'],
  ])('answers TakeSeatMode %s as its name', (sent, answered) => {
    expect(parse({ TakeSeatMode: sent }).TakeSeatMode).toBe(answered);
  });

  it('keeps every other field as sent, exact numbers included', () => {
    const createTime = new LosslessNumber('12345678901234567890');
    const parsed = parse({ CreateTime: createTime, ViewCount: 3, Custom: { a: [1] } });
    expect(parsed.CreateTime).toBe(createTime);
    expect(parsed).toMatchObject({ ViewCount: 3, Custom: { a: [1] } });
  });
});
