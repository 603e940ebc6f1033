/**
 * A piece of JSON text written into an answer exactly as it is. It lets the sandbox send what Tencent sends and
 * no JavaScript number can hold, such as an account ID beyond 2^53 as a bare JSON number.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Digits that form a valid JSON number (no leading zeros), so that they can be written unquoted. */
export const JSON_INTEGER = /^(0|[1-9]\d*)$/;

/** JSON.stringify, except that a RawJson is written as its text. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => toJsonText(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined && typeof item !== 'function')
        members.push(`${JSON.stringify(key)}:${toJsonText(item)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
