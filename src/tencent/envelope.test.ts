import { describe, expect, it } from 'vitest';
import { parseEnvelope } from './envelope.js';
import { LosslessNumber } from './lossless-json.js';

describe('parseEnvelope', () => {
  const roomAnswer =
    '{"ErrorCode":0,"RequestId":"Id-1","Response":{"RoomInfo":{"RoomId":"r","CreateTime":12345678901234567890}}}';

  it('keeps numbers a double cannot hold as their text when asked to be lossless', () => {
    const envelope = parseEnvelope(roomAnswer, true);
    expect(envelope?.Response).toEqual({
      RoomInfo: { RoomId: 'r', CreateTime: new LosslessNumber('12345678901234567890') },
    });
  });

  it('is plain JSON.parse otherwise (create_room reads only the envelope)', () => {
    const envelope = parseEnvelope(roomAnswer, false);
    expect(envelope?.Response).toEqual(JSON.parse(roomAnswer).Response);
  });

  it.each([true, false])(
    'reads an ErrorCode written 1.0005e5 as the integer it is (lossless: %s)',
    (lossless) => {
      expect(parseEnvelope('{"ErrorCode":1.0005e5,"ErrorInfo":"x"}', lossless)?.ErrorCode).toBe(100050);
    },
  );

  it.each([
    ['not JSON', 'oops'],
    ['an array', '[1]'],
    ['no ErrorCode', '{"ActionStatus":"OK"}'],
    ['a fractional ErrorCode', '{"ErrorCode":1.5}'],
    ['a RequestId that is not a string', '{"ErrorCode":0,"RequestId":1.5e3}'],
  ])('answers undefined for %s', (_what, text) => {
    expect(parseEnvelope(text, true)).toBeUndefined();
    expect(parseEnvelope(text, false)).toBeUndefined();
  });
});
