import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LosslessNumber, parseJsonLosslessly, stringifyLosslessly } from './lossless-json.js';

const exact = (text: string) => new LosslessNumber(text);

describe('parseJsonLosslessly', () => {
  it('keeps an account number beyond 2^53 as its exact text', () => {
    const parsed = parseJsonLosslessly('{"Owner_Account":144115233775727695,"ErrorCode":0}');
    expect(parsed).toEqual({ Owner_Account: exact('144115233775727695'), ErrorCode: 0 });
    expect(JSON.parse('{"a":144115233775727695}').a).not.toBe(144115233775727695n.toString());
  });

  it('keeps every number a double would not give back exactly as its text, and the others as numbers', () => {
    const text =
      '{"a":9007199254740991,"b":-12.5,"c":1e30,"d":"144115233775727695","e":[1,-9007199254740993],' +
      '"f":1.50,"g":1E3,"h":-0,"i":12345678901234567890,"j":-12345678901234567890.5e3,"k":1e400,"l":0.1}';
    expect(parseJsonLosslessly(text)).toEqual({
      a: 9007199254740991,
      b: -12.5,
      c: exact('1e30'),
      d: '144115233775727695',
      e: [1, exact('-9007199254740993')],
      f: exact('1.50'),
      g: exact('1E3'),
      h: exact('-0'),
      i: exact('12345678901234567890'),
      j: exact('-12345678901234567890.5e3'),
      k: exact('1e400'),
      l: 0.1,
    });
  });

  it('does not touch digits inside strings, escaped quotes included', () => {
    const text = '{"note":"say \\"144115233775727695\\" 1.5e3 twice","n":144115233775727695}';
    expect(parseJsonLosslessly(text)).toEqual({
      note: 'say "144115233775727695" 1.5e3 twice',
      n: exact('144115233775727695'),
    });
  });

  it('keeps "__proto__" an own member, as JSON.parse does', () => {
    const parsed = parseJsonLosslessly('{"__proto__":{"x":1},"n":1.0}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'n']);
  });

  it.each([
    '{"a":1.0',
    '{"a":1.0,}',
    '[1.0,]',
    '{"a" 1.0}',
    '{a:1.0}',
    '[01.5]',
    '[1.]',
    '[1.5e]',
    '[.5]',
    '["1.5e3\\"]',
    '["tab\there", 1.5]',
    '[1.5] x',
    '[tru, 1.5]',
    '[1.5,"\\x"]',
  ])('refuses %j as JSON.parse does', (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJsonLosslessly(text)).toThrow(SyntaxError);
  });

  it('parses any JSON like JSON.parse, but for numbers a double would change, which keep their text', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.oneof(
          fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }).map(String),
          fc.constantFrom('1.0', '2.50e-3', '-0', '1E3', '9007199254740993', '-12345678901234567890.5e3'),
        ),
        (value, big) => {
          // Spaced out as well, so that whitespace between tokens is covered.
          const text = JSON.stringify({ value, big: '__BIG__' }, null, 1).replace('"__BIG__"', big);
          // Some, such as 2^53 itself or 10^20, are exactly a double, and its shortest form: a plain number.
          const kept = String(Number(big)) === big ? Number(big) : exact(big);
          expect(parseJsonLosslessly(text)).toEqual({
            value: JSON.parse(JSON.stringify(value)),
            big: kept,
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers exactly what JSON.parse does for JSON without such numbers', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonLosslessly(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('stringifyLosslessly', () => {
  it('writes a LosslessNumber as a bare number with exactly its text', () => {
    expect(
      stringifyLosslessly({
        CreateTime: exact('12345678901234567890'),
        ViewCount: exact('9007199254740993'),
        list: [exact('-1.5e3'), 2, 'x'],
      }),
    ).toBe('{"CreateTime":12345678901234567890,"ViewCount":9007199254740993,"list":[-1.5e3,2,"x"]}');
  });

  it('writes back the text of any answer it parsed, numbers as Tencent wrote them', () => {
    const text =
      '{"RoomInfo":{"RoomId":"r","CreateTime":12345678901234567890,"ViewCount":9007199254740993,"n":1.50,"z":-0,"s":"1.5e3"},"Statistic":{"TotalViewers":12345678901234567890}}';
    expect(stringifyLosslessly(parseJsonLosslessly(text))).toBe(text);
  });

  it('writes plain data as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyLosslessly(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
    const sparse = { a: undefined, b: [undefined, () => 1], c: new Date(0) };
    expect(stringifyLosslessly(sparse)).toBe(JSON.stringify(sparse));
  });

  it('leaves plain JSON.stringify (a log line) with the exact text as a string', () => {
    expect(JSON.stringify({ n: exact('12345678901234567890') })).toBe('{"n":"12345678901234567890"}');
  });
});
