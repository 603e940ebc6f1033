import { z } from 'zod';
import { TencentRoomInfoSchema } from './room-info.js';

/**
 * The Tencent commands roomgate calls. Adding one is one entry here: its path under /v4, its per-second limit
 * (per SDKAppID), whether Tencent also limits one RoomId to once per second, and the zod schemas of its body
 * and of the `Response` member of its answer (undefined when the answer has none). The client takes its
 * types from this table.
 */
export interface CommandSpec {
  path: string;
  perSecond: number;
  perRoomOncePerSecond: boolean;
  request: z.ZodType;
  response: z.ZodType | undefined;
}

const RoomIdOnly = z.object({ RoomId: z.string() });

export const COMMANDS = {
  create_room: {
    path: 'live_engine_http_srv/create_room',
    perSecond: 200,
    perRoomOncePerSecond: true,
    request: z.object({ RoomInfo: z.looseObject({ RoomId: z.string(), RoomType: z.literal('Live') }) }),
    response: undefined,
  },
  destroy_room: {
    path: 'live_engine_http_srv/destroy_room',
    perSecond: 200,
    perRoomOncePerSecond: false,
    request: RoomIdOnly,
    // Newer pages return the room's statistics; older ones return nothing.
    response: z.looseObject({ Statistic: z.record(z.string(), z.unknown()).optional() }).optional(),
  },
  get_room_info: {
    path: 'live_engine_http_srv/get_room_info',
    perSecond: 200,
    perRoomOncePerSecond: false,
    request: RoomIdOnly,
    response: z.looseObject({ RoomInfo: TencentRoomInfoSchema }),
  },
  update_room_info: {
    path: 'live_engine_http_srv/update_room_info',
    perSecond: 200,
    perRoomOncePerSecond: false,
    request: z.object({ RoomInfo: z.looseObject({ RoomId: z.string() }) }),
    response: undefined,
  },
  get_room_list: {
    path: 'live_engine_http_srv/get_room_list',
    perSecond: 10,
    perRoomOncePerSecond: false,
    request: z.object({ Next: z.string(), Count: z.int().min(1).max(20) }),
    response: z.looseObject({
      Next: z.string().default(''),
      RoomList: z.array(TencentRoomInfoSchema).default([]),
    }),
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
export type CommandRequest<C extends CommandName> = z.input<(typeof COMMANDS)[C]['request']>;
export type CommandResponse<C extends CommandName> = (typeof COMMANDS)[C]['response'] extends z.ZodType
  ? z.output<NonNullable<(typeof COMMANDS)[C]['response']>>
  : undefined;
