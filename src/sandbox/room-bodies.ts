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
 * The sandbox's own checks of the bodies of destroy_room, get_room_info, update_room_info and get_room_list,
 * written from Tencent's pages: each answers the ErrorInfo of the first problem (Tencent's 100002), or
 * undefined when the body is acceptable. Fields Tencent does not document are refused, as for create_room.
 */

const ROOM_ID_ONLY = new Set(['RoomId']);

/** destroy_room and get_room_info: `{"RoomId": string}`, nothing else. */
export function roomIdBodyProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  return unknownFieldProblem(body, ROOM_ID_ONLY) ?? roomIdProblem(body);
}

/** The fields update_room_info may change, beside the RoomId that names the room. */
export const UPDATABLE_FIELDS = new Set([
  'RoomName',
  'MaxMemberCount',
  'IsMessageDisabled',
  'CoverURL',
  'Category',
  'ActivityStatus',
  'IsPublicVisible',
  'TakeSeatMode',
  'Notice',
]);
const UPDATE_FIELDS = new Set(['RoomId', ...UPDATABLE_FIELDS]);

/** update_room_info: `{"RoomInfo": {"RoomId", ...the updatable fields}}`. */
export function updateRoomBodyProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  for (const key of Object.keys(body)) if (key !== 'RoomInfo') return `unknown field ${key}`;
  const info = body.RoomInfo;
  if (!isObject(info)) return 'RoomInfo is required and must be an object';
  const problem =
    unknownFieldProblem(info, UPDATE_FIELDS, 'RoomInfo.') ??
    roomIdProblem(info) ??
    stringFieldProblem(info, 'RoomName', 0, 100) ??
    stringFieldProblem(info, 'CoverURL', 0, 200) ??
    stringFieldProblem(info, 'Notice', 0, 100) ??
    booleanFieldProblem(info, 'IsMessageDisabled') ??
    booleanFieldProblem(info, 'IsPublicVisible') ??
    categoryProblem(info.Category);
  if (problem) return problem;
  if (
    info.MaxMemberCount !== undefined &&
    (!Number.isInteger(info.MaxMemberCount) || (info.MaxMemberCount as number) < 1)
  ) {
    return 'MaxMemberCount must be a positive integer';
  }
  if (info.ActivityStatus !== undefined && !Number.isInteger(info.ActivityStatus))
    return 'ActivityStatus must be an integer';
  if (info.TakeSeatMode !== undefined && !TAKE_SEAT_MODES.has(info.TakeSeatMode as string))
    return 'TakeSeatMode must be FreeToTake or ApplyToTake';
  return undefined;
}

const LIST_FIELDS = new Set(['Next', 'Count']);
export const MAX_LIST_COUNT = 20;

/** get_room_list's page size when the body has no Count, as Tencent's page gives it. */
export const DEFAULT_LIST_COUNT = 20;

/** get_room_list: `{"Next": string, "Count"?: 1..20}`; Tencent defaults Count to 20 but has no default Next. */
export function roomListBodyProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  const unknown = unknownFieldProblem(body, LIST_FIELDS);
  if (unknown) return unknown;
  if (typeof body.Next !== 'string') return 'Next is required and must be a string';
  if (
    body.Count !== undefined &&
    (!Number.isInteger(body.Count) || (body.Count as number) < 1 || (body.Count as number) > MAX_LIST_COUNT)
  )
    return `Count must be an integer from 1 to ${MAX_LIST_COUNT}`;
  return undefined;
}
