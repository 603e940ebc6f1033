/**
 * JSON as Tencent wrote it, numbers included. JSON.parse turns a number into the nearest double, so Tencent's
 * account ID 144115233775727695 would become 144115233775727700 (a different account), a counter beyond 2^53
 * would lose its last digits, and 1.5e3 could not be told from 1500. Rooms are answered with every field as
 * Tencent sent it, so such numbers are kept as their text (LosslessNumber) and written back as that text by
 * stringifyLosslessly.
 */

/**
 * A JSON number whose text the nearest double would not give back (String(Number(text)) differs): beyond 2^53,
 * more digits than a double holds, a fraction or exponent form, -0. Numbers that survive the round trip, nearly
 * all of them, are plain numbers.
 */
export class LosslessNumber {
  constructor(readonly text: string) {}
  /** The nearest double, for arithmetic and comparisons. */
  valueOf(): number {
    return Number(this.text);
  }
  /** Tencent's text of the number. */
  toString(): string {
    return this.text;
  }
  /**
   * What plain JSON.stringify writes (a log line, say): the exact text as a string, never a rounded number.
   * Answers to callers are written by stringifyLosslessly, which writes it as a bare number.
   */
  toJSON(): string {
    return this.text;
  }
}

/**
 * Whether the text may hold a number that is not a plain number: a number token (after `:`, `,`, `[` or at the
 * start) with a fraction or exponent, 16 digits or more, or a minus zero. A few false alarms (such text inside a
 * string) only cost the slower parse; a miss is impossible, since a number of at most 15 digits without `.`,
 * `e` or `E` and not -0 always survives the round trip. Tencent's usual answers (`"ErrorCode":0`, hex
 * RequestIds inside strings) never match, so they cost one regex test on top of JSON.parse.
 */
const MAY_HOLD_INEXACT_NUMBER = /(?:^|[:,[])\s*(?:-?\d*[.eE]|-?\d{16}|-0)/;

/** JSON.parse, except that a number the nearest double would not give back is a LosslessNumber. */
export function parseJsonLosslessly(text: string): unknown {
  if (!MAY_HOLD_INEXACT_NUMBER.test(text)) return JSON.parse(text);
  return new LosslessParser(text).document();
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * A plain recursive-descent parser for RFC 8259 JSON. Strings are handed to JSON.parse one by one (escapes and
 * control characters are its business); everything else is a few character tests. Errors are SyntaxErrors, as
 * JSON.parse throws.
 */
class LosslessParser {
  private i = 0;

  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value();
    this.space();
    if (this.i !== this.text.length) this.fail();
    return value;
  }

  private fail(): never {
    throw new SyntaxError(`Unexpected token in JSON at position ${this.i}`);
  }

  private space(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  private expect(char: string): void {
    this.space();
    if (this.text[this.i] !== char) this.fail();
    this.i++;
  }

  private value(): unknown {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't') return this.word('true', true);
    if (c === 'f') return this.word('false', false);
    if (c === 'n') return this.word('null', null);
    return this.number();
  }

  private word<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.i)) this.fail();
    this.i += word.length;
    return value;
  }

  private number(): number | LosslessNumber {
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail();
    const literal = match[0];
    this.i += literal.length;
    const value = Number(literal);
    return String(value) === literal ? value : new LosslessNumber(literal);
  }

  private string(): string {
    const text = this.text;
    let end = this.i + 1;
    for (;;) {
      const c = text.charCodeAt(end);
      if (c === 0x22) break;
      if (Number.isNaN(c)) this.fail();
      end += c === 0x5c ? 2 : 1;
    }
    const value = JSON.parse(text.slice(this.i, end + 1)) as string;
    this.i = end + 1;
    return value;
  }

  private array(): unknown[] {
    this.i++;
    const items: unknown[] = [];
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const c = this.text[this.i++];
      if (c === ']') return items;
      if (c !== ',') this.fail();
    }
  }

  private object(): Record<string, unknown> {
    this.i++;
    const object: Record<string, unknown> = {};
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return object;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail();
      const key = this.string();
      this.expect(':');
      const value = this.value();
      // As JSON.parse does: an own property, even for "__proto__" (which an assignment would take as the prototype).
      if (key === '__proto__')
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      else object[key] = value;
      this.space();
      const c = this.text[this.i++];
      if (c === '}') return object;
      if (c !== ',') this.fail();
    }
  }
}

/**
 * JSON.stringify for plain data (objects, arrays, strings, numbers, booleans, null), except that a
 * LosslessNumber is written as its own text, a bare JSON number: the answers that carry Tencent's fields as sent.
 * Like JSON.stringify, members whose value is undefined (or a function) are left out and such array items are
 * null; other objects are written through their toJSON when they have one.
 */
export function stringifyLosslessly(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  if (value instanceof LosslessNumber) return value.text;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return write((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${write(value[i]) ?? 'null'}`;
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const member = write((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${member}`;
    first = false;
  }
  return `${out}}`;
}
