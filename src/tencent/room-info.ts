import { z } from 'zod';

/** Tencent's older pages send TakeSeatMode as an integer; roomgate always answers with its name. */
const TAKE_SEAT_MODES: Record<number, string> = { 1: 'FreeToTake', 2: 'ApplyToTake' };

/**
 * A room as Tencent describes it (get_room_info, get_room_list): every field it sends is kept under its own
 * name, normalized in two ways only: TakeSeatMode as its string name, Owner_Account as an exact string
 * (parseJsonLosslessly has already turned an account number beyond 2^53 into its exact digits).
 */
export const TencentRoomInfoSchema = z.looseObject({
  RoomId: z.string(),
  Owner_Account: z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .optional(),
  TakeSeatMode: z
    .union([z.string(), z.int()])
    .transform((v) => (typeof v === 'number' ? (TAKE_SEAT_MODES[v] ?? String(v)) : v))
    .optional(),
});

export type TencentRoomInfo = z.output<typeof TencentRoomInfoSchema>;
