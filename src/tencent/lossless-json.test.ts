import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonLosslessly, quoteUnsafeIntegers } from './lossless-json.js';

describe('parseJsonLosslessly', () => {
  it('keeps an account number beyond 2^53 as its exact digits', () => {
    const parsed = parseJsonLosslessly('{"Owner_Account":144115233775727695,"ErrorCode":0}') as Record<
      string,
      unknown
    >;
    expect(parsed).toEqual({ Owner_Account: '144115233775727695', ErrorCode: 0 });
    expect(JSON.parse('{"a":144115233775727695}').a).not.toBe(144115233775727695n.toString());
  });

  it('leaves safe numbers, decimals, exponents and strings alone', () => {
    const text =
      '{"a":9007199254740991,"b":-12.5,"c":1e30,"d":"144115233775727695","e":[1,-9007199254740993]}';
    expect(parseJsonLosslessly(text)).toEqual({
      a: 9007199254740991,
      b: -12.5,
      c: 1e30,
      d: '144115233775727695',
      e: [1, '-9007199254740993'],
    });
  });

  it('does not touch digits inside strings, escaped quotes included', () => {
    const text = '{"note":"say \\"144115233775727695\\" twice","n":144115233775727695}';
    expect(parseJsonLosslessly(text)).toEqual({
      note: 'say "144115233775727695" twice',
      n: '144115233775727695',
    });
  });

  it('returns the text unchanged when nothing needs quoting', () => {
    const text = '{"ErrorCode":0,"RequestId":"Id-1"}';
    expect(quoteUnsafeIntegers(text)).toBe(text);
  });

  it('parses any JSON like JSON.parse except for unsafe integers, which become exact strings', () => {
    fc.assert(
      // Values whose numbers are all safe (the unsafe ones are the big integer added beside them).
      fc.property(
        fc.jsonValue().filter((v) => !/\d{16,}/.test(JSON.stringify(v))),
        fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }),
        (value, big) => {
          const text = JSON.stringify({ value, big: '__BIG__' }).replace('"__BIG__"', big.toString());
          expect(parseJsonLosslessly(text)).toEqual({
            value: JSON.parse(JSON.stringify(value)),
            big: big.toString(),
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
