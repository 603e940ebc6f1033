import type { Fault, FaultQueue } from './faults.js';

export interface SandboxOptions {
  sdkAppId: number;
  secretKey: string;
  /** The application's administrator accounts (the only identifiers allowed to call). */
  admins?: string[];
  /** Requests per second per command before 60007, for commands without their own limit (Tencent: 200). */
  perSecond?: number;
  /**
   * Per-command limits that replace `perSecond` for the commands they name. Tencent's own are the defaults
   * (get_room_list: 10); entries given here override them one by one.
   */
  perSecondByCommand?: Record<string, number>;
  /** Words whose presence in RoomName, CoverURL or Notice makes create/update answer 100026. */
  sensitiveWords?: string[];
  /** Unix seconds, for UserSig expiry; injected so tests can age a signature. */
  nowSeconds?: () => number;
  /** Answer TakeSeatMode in Tencent's older integer form (1 = FreeToTake, 2 = ApplyToTake). */
  legacyTakeSeatMode?: boolean;
  /**
   * Write an Owner_Account made only of digits as a bare JSON number, exactly those digits, as Tencent's
   * samples do (e.g. 144115233775727695, beyond 2^53).
   */
  numericAccounts?: boolean;
}

/** One request as it reached the sandbox, whatever its answer: the receiving end's own accounting. */
export interface Arrival {
  /** Milliseconds since the epoch, with sub-millisecond precision. */
  at: number;
  command: string;
  roomId?: string;
  random?: string;
  /** The UserSig it carried: lets tests check that one signature is reused, and grep logs for it. */
  userSig?: string;
  contentType?: string;
  /** The ErrorCode answered, or the fault applied. */
  outcome: number | Fault['kind'];
}

/** What destroy_room reports about a room's life. */
export interface RoomStatistic {
  TotalViewers: number;
  TotalGiftsSent: number;
  TotalGiftCoins: number;
  TotalUniqueGiftSenders: number;
  TotalLikesReceived: number;
}

/**
 * A room as the sandbox keeps it: the fields create_room and update_room_info were given, plus what Tencent
 * sets itself. Tests stand in for an audience by setting `ViewCount` (get_room_info, get_room_list's order) and
 * the counters destroy_room reports (`TotalViewers`...) directly on the room; each is 0 when unset.
 */
export interface SandboxRoom extends Partial<RoomStatistic> {
  RoomId: string;
  RoomType: string;
  Owner_Account: string;
  CreateTime: number;
  ViewCount?: number;
  /**
   * JSON text to write for some fields instead of their values, as Tencent may write them and no JavaScript
   * value can hold: `{ViewCount: '9007199254740993', Owner_Account: '-1.5e3'}`. Set by tests on the room; a
   * RoomStatistic field's text goes into destroy_room's Statistic, any other into the room's description (a
   * field the description has not got included). Only the answers change: order and counts use the values.
   */
  asWritten?: Record<string, string>;
  [field: string]: unknown;
}

export interface SandboxState {
  rooms: Map<string, SandboxRoom>;
  arrivals: Arrival[];
  faults: FaultQueue;
  reset(): void;
}
