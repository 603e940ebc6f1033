import { TENCENT } from '../tencent/codes.js';
import { isObject } from './body-checks.js';
import { createRoomBodyProblem } from './create-room-body.js';
import {
  DEFAULT_LIST_COUNT,
  roomIdBodyProblem,
  roomListBodyProblem,
  updateRoomBodyProblem,
} from './room-bodies.js';
import { pageOfRooms } from './room-list.js';
import { isPublicVisible, roomInfoView, statisticOf, type ViewOptions } from './room-view.js';
import type { SandboxRoom, SandboxState } from './types.js';

/** A command's answer: the ErrorCode, the ErrorInfo, and members added to the envelope on success. */
export interface Result {
  code: number;
  info: string;
  extra?: Record<string, unknown>;
}

/** What a command may read and change besides its body. */
export interface CommandContext {
  state: SandboxState;
  /** The calling administrator (the query's identifier). */
  identifier: string;
  /** When the request arrived, in milliseconds since the epoch. */
  at: number;
  sensitiveWords: readonly string[];
  view: ViewOptions;
}

/** One command of live_engine_http_srv, behind the access layer the sandbox applies to all of them. */
export interface SandboxCommand {
  /** The RoomId a body names, for arrivals, fault matching and the per-RoomId rule. */
  roomIdOf(body: unknown): string | undefined;
  /** Tencent's per-second limit for this command when it is not the usual one. */
  perSecond?: number;
  /** Tencent lets the same RoomId arrive at most once per second (100012). */
  perRoomOncePerSecond?: boolean;
  /** Runs on a body that parsed as JSON. */
  run(body: unknown, ctx: CommandContext): Result;
}

/** Chat group IDs that Tencent generates start with @TGS#; such a RoomId is taken by Chat (100011). */
const CHAT_GROUP_PREFIX = '@TGS#';

const ok = (extra?: Record<string, unknown>): Result => ({ code: TENCENT.OK, info: '', extra });
const invalid = (info: string): Result => ({ code: TENCENT.INVALID_PARAMETERS, info });
const notFound = (): Result => ({ code: TENCENT.ROOM_NOT_FOUND, info: 'room does not exist' });
const sensitive = (): Result => ({ code: TENCENT.SENSITIVE_CONTENT, info: 'sensitive content' });

const stringOr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const roomIdAtTop = (body: unknown) => (isObject(body) ? stringOr(body.RoomId) : undefined);
const roomIdInRoomInfo = (body: unknown) =>
  isObject(body) && isObject(body.RoomInfo) ? stringOr(body.RoomInfo.RoomId) : undefined;

function hasSensitive(ctx: CommandContext, info: Record<string, unknown>, fields: string[]): boolean {
  const text = fields.map((f) => (typeof info[f] === 'string' ? info[f] : '')).join(' ');
  return ctx.sensitiveWords.some((w) => text.includes(w));
}

const createRoom: SandboxCommand = {
  roomIdOf: roomIdInRoomInfo,
  perRoomOncePerSecond: true,
  run(body, ctx) {
    const problem = createRoomBodyProblem(body);
    if (problem) return invalid(problem);
    const info = (body as { RoomInfo: Record<string, unknown> & { RoomId: string } }).RoomInfo;
    const roomId = info.RoomId;
    if (roomId.startsWith(CHAT_GROUP_PREFIX))
      return { code: TENCENT.ROOM_ID_USED_BY_CHAT, info: 'RoomId is used by Chat' };
    if (hasSensitive(ctx, info, ['RoomName', 'CoverURL'])) return sensitive();
    const owner = (info.Owner_Account as string | undefined) ?? ctx.identifier;
    const existing = ctx.state.rooms.get(roomId);
    if (existing) {
      return existing.Owner_Account === owner
        ? { code: TENCENT.ROOM_EXISTS_SAME_OWNER, info: 'room exists and the owner is the same' }
        : { code: TENCENT.ROOM_ID_TAKEN, info: 'room ID already exists' };
    }
    ctx.state.rooms.set(roomId, {
      ...info,
      RoomId: roomId,
      RoomType: 'Live',
      Owner_Account: owner,
      CreateTime: Math.floor(ctx.at / 1000),
    });
    return ok({ RoomId: roomId });
  },
};

/** Runs `then` on the room a `{"RoomId"}` body names, after checking the body. */
function withRoom(body: unknown, ctx: CommandContext, then: (room: SandboxRoom) => Result): Result {
  const problem = roomIdBodyProblem(body);
  if (problem) return invalid(problem);
  const room = ctx.state.rooms.get((body as { RoomId: string }).RoomId);
  return room ? then(room) : notFound();
}

const destroyRoom: SandboxCommand = {
  roomIdOf: roomIdAtTop,
  run: (body, ctx) =>
    withRoom(body, ctx, (room) => {
      ctx.state.rooms.delete(room.RoomId);
      return ok({ Response: { Statistic: statisticOf(room) } });
    }),
};

const getRoomInfo: SandboxCommand = {
  roomIdOf: roomIdAtTop,
  run: (body, ctx) =>
    withRoom(body, ctx, (room) => ok({ Response: { RoomInfo: roomInfoView(room, ctx.view) } })),
};

const updateRoomInfo: SandboxCommand = {
  roomIdOf: roomIdInRoomInfo,
  run(body, ctx) {
    const problem = updateRoomBodyProblem(body);
    if (problem) return invalid(problem);
    const { RoomId, ...changes } = (body as { RoomInfo: Record<string, unknown> & { RoomId: string } })
      .RoomInfo;
    const room = ctx.state.rooms.get(RoomId);
    if (!room) return notFound();
    if (hasSensitive(ctx, changes, ['RoomName', 'CoverURL', 'Notice'])) return sensitive();
    Object.assign(room, changes);
    return ok();
  },
};

const getRoomList: SandboxCommand = {
  roomIdOf: () => undefined,
  perSecond: 10,
  run(body, ctx) {
    const problem = roomListBodyProblem(body);
    if (problem) return invalid(problem);
    const { Next, Count = DEFAULT_LIST_COUNT } = body as { Next: string; Count?: number };
    // The list is the Live Stream List: rooms created with IsPublicVisible false do not appear in it.
    const visible = [...ctx.state.rooms.values()].filter(isPublicVisible);
    const page = pageOfRooms(visible, Next, Count);
    if (!page.ok) return invalid(page.problem);
    return ok({
      Response: { Next: page.next, RoomList: page.rooms.map((room) => roomInfoView(room, ctx.view)) },
    });
  },
};

/** The commands the sandbox serves; any other name under live_engine_http_srv answers 60009. */
export const SANDBOX_COMMANDS: ReadonlyMap<string, SandboxCommand> = new Map([
  ['create_room', createRoom],
  ['destroy_room', destroyRoom],
  ['get_room_info', getRoomInfo],
  ['update_room_info', updateRoomInfo],
  ['get_room_list', getRoomList],
]);
