/**
 * The Tencent commands roomgate calls. Adding one is one entry here: its path under /v4, its per-second limit
 * (per SDKAppID), and which body field names the room for the once-per-second-per-room rule.
 */
export interface CommandSpec {
  path: string;
  perSecond: number;
  /** True when Tencent limits the same RoomId to once per second for this command. */
  perRoomOncePerSecond: boolean;
}

export const COMMANDS = {
  create_room: { path: 'live_engine_http_srv/create_room', perSecond: 200, perRoomOncePerSecond: true },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
