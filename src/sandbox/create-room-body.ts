import {
  booleanFieldProblem,
  categoryProblem,
  isObject,
  roomIdProblem,
  stringFieldProblem,
  TAKE_SEAT_MODES,
  unknownFieldProblem,
} from './body-checks.js';

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

export function createRoomBodyProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  for (const key of Object.keys(body)) if (key !== 'RoomInfo') return `unknown field ${key}`;
  const info = body.RoomInfo;
  if (!isObject(info)) return 'RoomInfo is required and must be an object';
  const unknown = unknownFieldProblem(info, FIELDS, 'RoomInfo.');
  if (unknown) return unknown;
  if (typeof info.RoomId !== 'string') return 'RoomId is required';
  if (info.RoomType !== 'Live') return 'RoomType is required and must be Live';
  if (typeof info.SeatTemplate !== 'string' || !SEAT_TEMPLATES.has(info.SeatTemplate))
    return 'SeatTemplate invalid';
  const stringProblem =
    roomIdProblem(info) ??
    stringFieldProblem(info, 'Owner_Account', 1, 32) ??
    stringFieldProblem(info, 'RoomName', 0, 100) ??
    stringFieldProblem(info, 'CoverURL', 0, 200);
  if (stringProblem) return stringProblem;
  if (info.TakeSeatMode !== undefined && !TAKE_SEAT_MODES.has(info.TakeSeatMode as string))
    return 'TakeSeatMode invalid';
  if (info.MaxSeatCount !== undefined) {
    if (!Number.isInteger(info.MaxSeatCount) || (info.MaxSeatCount as number) < 1)
      return 'MaxSeatCount invalid';
    if (!VOICE.has(info.SeatTemplate)) return 'MaxSeatCount only applies to AudioSalon and Karaoke';
  }
  const flagProblem =
    booleanFieldProblem(info, 'IsMessageDisabled') ?? booleanFieldProblem(info, 'IsPublicVisible');
  if (flagProblem) return flagProblem;
  const categoryIssue = categoryProblem(info.Category);
  if (categoryIssue) return categoryIssue;
  if (info.ActivityStatus !== undefined && !Number.isInteger(info.ActivityStatus))
    return 'ActivityStatus invalid';
  return undefined;
}
