/** Small checks shared by the sandbox's own validation of request bodies, each answering a reason or undefined. */

export const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An optional string field of `min` to `max` UTF-8 bytes. */
export function stringFieldProblem(
  object: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): string | undefined {
  const v = object[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return `${field} must be a string`;
  if (bytes(v) < min || bytes(v) > max) return `${field} must be ${min} to ${max} bytes`;
  return undefined;
}

/** A required RoomId: a string of 1 to 48 bytes. */
export function roomIdProblem(object: Record<string, unknown>): string | undefined {
  if (typeof object.RoomId !== 'string') return 'RoomId is required and must be a string';
  return stringFieldProblem(object, 'RoomId', 1, 48);
}

/** The first key of `object` outside `allowed`, named for the answer. */
export function unknownFieldProblem(
  object: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  prefix = '',
): string | undefined {
  for (const key of Object.keys(object)) if (!allowed.has(key)) return `unknown field ${prefix}${key}`;
  return undefined;
}

/** Category: at most 3 tags, each a non-empty string or a non-negative integer. */
export function categoryProblem(category: unknown): string | undefined {
  if (category === undefined) return undefined;
  if (!Array.isArray(category) || category.length > 3) return 'Category must be an array of at most 3 tags';
  for (const tag of category) {
    const ok = (typeof tag === 'string' && tag.length > 0) || (Number.isInteger(tag) && tag >= 0);
    if (!ok) return 'Category tag invalid';
  }
  return undefined;
}

export function booleanFieldProblem(object: Record<string, unknown>, field: string): string | undefined {
  return object[field] !== undefined && typeof object[field] !== 'boolean'
    ? `${field} must be a boolean`
    : undefined;
}

export const TAKE_SEAT_MODES = new Set(['FreeToTake', 'ApplyToTake']);
