import { z } from 'zod';
import { LosslessNumber } from './lossless-json.js';

/** Tencent's older pages send TakeSeatMode as an integer; roomgate always answers with its name. */
const TAKE_SEAT_MODES: Record<number, string> = { 1: 'FreeToTake', 2: 'ApplyToTake' };

/**
 * A room as Tencent describes it (get_room_info, get_room_list): every field it sends is kept under its own
 * name, as it sent it (a number a double cannot hold exactly is a LosslessNumber, written back as Tencent's text),
 * normalized in two ways only: TakeSeatMode as its string name, Owner_Account as an exact string, Tencent's own
 * text when it sends a number (in whatever form: 144115233775727695, 1.5e3).
 */
export const TencentRoomInfoSchema = z.looseObject({
  RoomId: z.string(),
  Owner_Account: z
    .union([z.string(), z.number(), z.instanceof(LosslessNumber)])
    // A plain number is one whose shortest form is Tencent's text (the parser keeps any other as its text).
    .transform((v) => String(v))
    .optional(),
  TakeSeatMode: z
    .union([z.string(), z.int(), z.instanceof(LosslessNumber)])
    .transform((v) => (typeof v === 'string' ? v : (TAKE_SEAT_MODES[Number(v)] ?? String(v))))
    .optional(),
});

export type TencentRoomInfo = z.output<typeof TencentRoomInfoSchema>;
