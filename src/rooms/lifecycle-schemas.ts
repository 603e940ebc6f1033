import { z } from 'zod';
import { byteString, CategorySchema, RoomIdSchema } from './schemas.js';

export const RoomIdParamsSchema = z.strictObject({
  roomId: RoomIdSchema.meta({
    description:
      'The RoomId, percent-encoded in the path (any 1 to 48 bytes once decoded, `/`, `?` and `#` included).',
    example: 'live_testA',
  }),
});

/** What update_room_info may change: anything else, RoomId included, is rejected by name. */
export const UpdateRoomInfoSchema = z
  .strictObject({
    RoomName: byteString(0, 100)
      .optional()
      .describe('Room name for the Live Stream List, at most 100 bytes.'),
    MaxMemberCount: z.int().positive().optional().describe('Maximum number of members in the room.'),
    IsMessageDisabled: z.boolean().optional().describe('Global mute of live comments.'),
    CoverURL: byteString(0, 200).optional().describe('Room cover image, at most 200 bytes.'),
    Category: CategorySchema.optional(),
    ActivityStatus: z
      .int()
      .optional()
      .describe('Custom activity status, e.g. 0 preparing, 1 in progress, 2 ended.'),
    IsPublicVisible: z.boolean().optional().describe('Whether the room appears in the Live Stream List.'),
    TakeSeatMode: z.enum(['FreeToTake', 'ApplyToTake']).optional().describe('Guest mode.'),
    Notice: byteString(0, 100).optional().describe('Room notice, at most 100 bytes.'),
  })
  .refine((info) => Object.keys(info).length > 0, { error: 'must change at least one field' });

export const UpdateRoomBodySchema = z
  .strictObject({ RoomInfo: UpdateRoomInfoSchema })
  .describe("The fields to change, under Tencent's names; the RoomId is the one in the path.")
  .meta({
    'x-examples': {
      rename: {
        summary: 'Rename the room and post a notice',
        value: { RoomInfo: { RoomName: 'Happy new year!', Notice: 'Back at 8' } },
      },
    },
  });

const LIMIT_RULE = 'must be a whole number from 1 to 20';

export const ListRoomsQuerySchema = z.strictObject({
  cursor: z
    .string()
    .max(1024)
    .optional()
    .describe('The `next` of the previous page; absent for the first page.'),
  limit: z
    .preprocess(
      // A query value is text: only plain decimal digits are a number here. Number() would also take `0x10`,
      // `1e1`, ` 5` and the empty string (as 0), and a repeated parameter arrives as an array.
      (value) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value),
      z
        .int({ error: (issue) => (Array.isArray(issue.input) ? 'must be given once' : LIMIT_RULE) })
        .min(1, LIMIT_RULE)
        .max(20, LIMIT_RULE)
        .default(20),
    )
    .describe("Rooms per page, 1 to 20 (Tencent's maximum)."),
});

/**
 * A room as Tencent describes it: every field Tencent sent, under its names, numbers exactly as Tencent wrote
 * them. Two are normalized: TakeSeatMode is always its string name, Owner_Account always an exact string
 * (Tencent's own text when it sends a number).
 */
export const RoomInfoSchema = z
  .looseObject({
    RoomId: z.string(),
    RoomName: z.string().optional(),
    RoomType: z.string().optional(),
    Owner_Account: z
      .string()
      .optional()
      .describe(
        'Always a string: when Tencent sends a number, its own text of it, exact (beyond 2^53, or written as 1.5e3, say).',
      ),
    CreateTime: z.number().optional().describe('Unix seconds.'),
    IsSeatEnabled: z.boolean().optional(),
    TakeSeatMode: z
      .string()
      .optional()
      .describe('FreeToTake or ApplyToTake (also when Tencent sends the older 1 or 2).'),
    MaxSeatCount: z.number().optional(),
    MaxMemberCount: z.number().optional(),
    IsMessageDisabled: z.boolean().optional(),
    CoverURL: z.string().optional(),
    Category: z.array(z.union([z.string(), z.number()])).optional(),
    ActivityStatus: z.number().optional(),
    ViewCount: z.number().optional(),
    IsPublicVisible: z.boolean().optional(),
    Notice: z.string().optional(),
  })
  .meta({
    id: 'RoomInfo',
    description:
      "Every field Tencent sent, under Tencent's names (those below and any others). Numbers are JSON numbers with exactly Tencent's digits, also beyond 2^53 (read them with a parser that keeps big integers if they matter). Normalized in two ways only: TakeSeatMode as its string name, Owner_Account as an exact string.",
  });

const ROOM_EXAMPLE = {
  RoomId: 'live_testA',
  RoomName: 'Happy new year',
  RoomType: 'Live',
  Owner_Account: 'testA',
  CreateTime: 1767225600,
  IsSeatEnabled: true,
  TakeSeatMode: 'ApplyToTake',
  MaxSeatCount: 9,
  MaxMemberCount: 1000,
  IsMessageDisabled: false,
  CoverURL: 'cover url',
  Category: [],
  ActivityStatus: 1,
  ViewCount: 1024,
  IsPublicVisible: true,
  Notice: '',
};

/** Named examples of the success answers, for the OpenAPI document and the Postman collection. */
export const LIFECYCLE_EXAMPLES = {
  dismissed: {
    summary: 'Dismissed, with the statistics Tencent returns',
    value: {
      roomId: 'live_testA',
      statistic: {
        TotalViewers: 1024,
        TotalGiftsSent: 12,
        TotalGiftCoins: 300,
        TotalUniqueGiftSenders: 5,
        TotalLikesReceived: 88,
      },
      upstreamRequestId: 'Id-4f1c2b7e9a3d4c58b6e0f2a1d7c9e3b5-O-Seq-52733',
    },
  },
  room: {
    summary: 'The Showroom Live room',
    value: { RoomInfo: ROOM_EXAMPLE, upstreamRequestId: 'Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720' },
  },
  updated: {
    summary: 'Updated',
    value: { roomId: 'live_testA', upstreamRequestId: 'Id-2b7d9e1f4a6c4e83b5d0c8f2a9e1b7d4-O-Seq-52741' },
  },
  page: {
    summary: 'A page with more to come',
    value: { rooms: [ROOM_EXAMPLE], next: '1693271355-123123123123' },
  },
};

const UPSTREAM_REQUEST_ID = z.string().describe("Tencent's RequestId, for its support.");

export const DestroyRoomResultSchema = z.object({
  roomId: z.string(),
  statistic: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      "Tencent's Statistic as sent (TotalViewers, TotalGiftsSent, …), when Tencent sends one: numbers with exactly Tencent's digits, also beyond 2^53.",
    ),
  upstreamRequestId: UPSTREAM_REQUEST_ID,
});

export const GetRoomResultSchema = z.object({
  RoomInfo: RoomInfoSchema,
  upstreamRequestId: UPSTREAM_REQUEST_ID,
});

export const UpdateRoomResultSchema = z.object({
  roomId: z.string(),
  upstreamRequestId: UPSTREAM_REQUEST_ID,
});

export const ListRoomsResultSchema = z.object({
  rooms: z.array(RoomInfoSchema).describe('Sorted by ViewCount, highest first.'),
  next: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last page.'),
});
