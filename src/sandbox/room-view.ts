import { LosslessNumber } from '../tencent/lossless-json.js';
import type { RoomStatistic, SandboxRoom } from './types.js';

/** How the sandbox writes rooms: Tencent's current form, or the older forms some of its pages show. */
export interface ViewOptions {
  /** TakeSeatMode as 1 (FreeToTake) or 2 (ApplyToTake). */
  legacyTakeSeatMode: boolean;
  /** An all-digit Owner_Account as a bare JSON number. */
  numericAccounts: boolean;
}

const LEGACY_TAKE_SEAT_MODE: Record<string, number> = { FreeToTake: 1, ApplyToTake: 2 };

/** Seats per layout template when MaxSeatCount was not given (the voice templates: the package's count). */
const DEFAULT_SEATS: Record<string, number> = {
  VideoDynamicGrid9Seats: 9,
  VideoDynamicFloat7Seats: 7,
  VideoFixedGrid9Seats: 9,
  VideoFixedFloat7Seats: 7,
  AudioSalon: 10,
  Karaoke: 10,
};
const DEFAULT_MAX_SEATS = 9;
/** Tencent defaults MaxMemberCount to the package's limit; the sandbox's package holds 1,000. */
export const DEFAULT_MAX_MEMBERS = 1000;

const field = <T>(room: SandboxRoom, name: string, fallback: T): T =>
  (room[name] as T | undefined) ?? fallback;
const count = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Digits that form a valid JSON number (no leading zeros), so that they can be written unquoted. */
const JSON_INTEGER = /^(0|[1-9]\d*)$/;

/** The Statistic's fields, as statisticValues writes them. */
const STATISTIC_FIELDS = new Set(Object.keys(statisticValues({})));

/**
 * `view` with the room's `asWritten` texts (of the fields `statistic` says) in place of their values, as numbers
 * the way Tencent wrote them: stringifyLosslessly, which writes the answers (app.ts), writes them as their text.
 */
function withTextsAsWritten(view: object, room: SandboxRoom, statistic: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...view };
  for (const [name, text] of Object.entries(room.asWritten ?? {}))
    if (STATISTIC_FIELDS.has(name) === statistic) out[name] = new LosslessNumber(text);
  return out;
}

/** A room as get_room_info and get_room_list describe it: every documented field, defaults filled in. */
export function roomInfoView(room: SandboxRoom, options: ViewOptions): Record<string, unknown> {
  return withTextsAsWritten(valuesView(room, options), room, false);
}

function valuesView(room: SandboxRoom, options: ViewOptions): Record<string, unknown> {
  const takeSeatMode = field(room, 'TakeSeatMode', 'FreeToTake');
  const template = room.SeatTemplate as string | undefined;
  const owner = room.Owner_Account;
  return {
    RoomId: room.RoomId,
    RoomName: field(room, 'RoomName', room.RoomId),
    RoomType: room.RoomType,
    Owner_Account: options.numericAccounts && JSON_INTEGER.test(owner) ? new LosslessNumber(owner) : owner,
    CreateTime: room.CreateTime,
    IsSeatEnabled: true,
    TakeSeatMode: options.legacyTakeSeatMode
      ? (LEGACY_TAKE_SEAT_MODE[takeSeatMode] ?? takeSeatMode)
      : takeSeatMode,
    MaxSeatCount: field(room, 'MaxSeatCount', (template && DEFAULT_SEATS[template]) || DEFAULT_MAX_SEATS),
    MaxMemberCount: field(room, 'MaxMemberCount', DEFAULT_MAX_MEMBERS),
    IsMessageDisabled: field(room, 'IsMessageDisabled', false),
    CoverURL: field(room, 'CoverURL', ''),
    Category: field(room, 'Category', []),
    ActivityStatus: field(room, 'ActivityStatus', 0),
    ViewCount: viewCount(room),
    IsPublicVisible: isPublicVisible(room),
    Notice: field(room, 'Notice', ''),
  };
}

export const viewCount = (room: SandboxRoom): number => count(room.ViewCount);
export const isPublicVisible = (room: SandboxRoom): boolean => room.IsPublicVisible !== false;

/** destroy_room's account of the room's life, each counter 0 unless a test set it. */
export function statisticOf(room: SandboxRoom): Record<string, unknown> {
  return withTextsAsWritten(statisticValues(room), room, true);
}

function statisticValues(room: Partial<RoomStatistic>): RoomStatistic {
  return {
    TotalViewers: count(room.TotalViewers),
    TotalGiftsSent: count(room.TotalGiftsSent),
    TotalGiftCoins: count(room.TotalGiftCoins),
    TotalUniqueGiftSenders: count(room.TotalUniqueGiftSenders),
    TotalLikesReceived: count(room.TotalLikesReceived),
  };
}
