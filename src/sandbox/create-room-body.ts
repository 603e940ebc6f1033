/**
 * The sandbox's own check of a create_room body, written from Tencent's page independently of the gateway's
 * zod schema, so that a gateway that forwards something Tencent would refuse is caught here (100002).
 * Answers the ErrorInfo of the first problem found, or undefined when the body is acceptable.
 */
const SEAT_TEMPLATES = new Set([
  'VideoDynamicGrid9Seats',
  'VideoDynamicFloat7Seats',
  'VideoFixedGrid9Seats',
  'VideoFixedFloat7Seats',
  'AudioSalon',
  'Karaoke',
]);
const VOICE = new Set(['AudioSalon', 'Karaoke']);
const FIELDS = new Set([
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
]);

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkString(
  info: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): string | undefined {
  const v = info[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return `${field} must be a string`;
  if (bytes(v) < min || bytes(v) > max) return `${field} must be ${min} to ${max} bytes`;
  return undefined;
}

export function createRoomBodyProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  for (const key of Object.keys(body)) if (key !== 'RoomInfo') return `unknown field ${key}`;
  const info = body.RoomInfo;
  if (!isObject(info)) return 'RoomInfo is required and must be an object';
  for (const key of Object.keys(info)) if (!FIELDS.has(key)) return `unknown field RoomInfo.${key}`;
  if (typeof info.RoomId !== 'string') return 'RoomId is required';
  if (info.RoomType !== 'Live') return 'RoomType is required and must be Live';
  if (typeof info.SeatTemplate !== 'string' || !SEAT_TEMPLATES.has(info.SeatTemplate))
    return 'SeatTemplate invalid';
  const stringProblem =
    checkString(info, 'RoomId', 1, 48) ??
    checkString(info, 'Owner_Account', 1, 32) ??
    checkString(info, 'RoomName', 0, 100) ??
    checkString(info, 'CoverURL', 0, 200);
  if (stringProblem) return stringProblem;
  if (
    info.TakeSeatMode !== undefined &&
    info.TakeSeatMode !== 'FreeToTake' &&
    info.TakeSeatMode !== 'ApplyToTake'
  ) {
    return 'TakeSeatMode invalid';
  }
  if (info.MaxSeatCount !== undefined) {
    if (!Number.isInteger(info.MaxSeatCount) || (info.MaxSeatCount as number) < 1)
      return 'MaxSeatCount invalid';
    if (!VOICE.has(info.SeatTemplate)) return 'MaxSeatCount only applies to AudioSalon and Karaoke';
  }
  for (const flag of ['IsMessageDisabled', 'IsPublicVisible']) {
    if (info[flag] !== undefined && typeof info[flag] !== 'boolean') return `${flag} must be a boolean`;
  }
  if (info.Category !== undefined) {
    if (!Array.isArray(info.Category) || info.Category.length > 3)
      return 'Category must be an array of at most 3 tags';
    for (const tag of info.Category) {
      const ok = (typeof tag === 'string' && tag.length > 0) || (Number.isInteger(tag) && tag >= 0);
      if (!ok) return 'Category tag invalid';
    }
  }
  if (info.ActivityStatus !== undefined && !Number.isInteger(info.ActivityStatus))
    return 'ActivityStatus invalid';
  return undefined;
}
