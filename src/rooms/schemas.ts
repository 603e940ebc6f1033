import { z } from 'zod';

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * A lone UTF-16 surrogate has no UTF-8 form: Tencent could not store it, and it breaks percent-encoding.
 * String.prototype.isWellFormed (ES2024, in Node 20) checks that in ~60 ns where a /\p{Cs}/u test took ~280.
 */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
const wellFormed = () =>
  z.string().refine(isWellFormed, {
    error: 'must be valid Unicode (it has a lone surrogate)',
    abort: true,
  });

/** A string limited in UTF-8 bytes, as Tencent counts (a CJK character is 3 bytes). */
export function byteString(min: number, max: number) {
  const rule = min === max ? `${max}` : min > 0 ? `${min} to ${max}` : `at most ${max}`;
  return wellFormed()
    .refine(
      (s) => {
        const n = utf8Bytes(s);
        return n >= min && n <= max;
      },
      { error: (issue) => `must be ${rule} bytes of UTF-8 (got ${utf8Bytes(String(issue.input))})` },
    )
    .meta({ minLength: min, maxLength: max });
}

export const SEAT_TEMPLATES = [
  'VideoDynamicGrid9Seats',
  'VideoDynamicFloat7Seats',
  'VideoFixedGrid9Seats',
  'VideoFixedFloat7Seats',
  'AudioSalon',
  'Karaoke',
] as const;

/** Templates of voice rooms, the only ones where MaxSeatCount means something. */
const VOICE_TEMPLATES: ReadonlySet<string> = new Set(['AudioSalon', 'Karaoke']);

export const RoomIdSchema = byteString(1, 48).describe(
  'Unique room identifier: 1 to 48 bytes of UTF-8 (a CJK character is 3 bytes). Use a prefix to tell room types apart (live_, voice_).',
);

export const CategorySchema = z
  .array(
    z.union(
      [
        wellFormed().min(1, { error: 'a tag must not be empty' }),
        z.int().nonnegative({ error: 'a numeric tag must be a non-negative integer' }),
      ],
      { error: 'a tag must be a non-empty string or a non-negative integer' },
    ),
  )
  // A refinement, not .max(3): zod's max also measures a string's length, so "music" would earn a second,
  // misleading error beside "expected array"; this runs on arrays only and still reports every bad tag.
  .refine((tags) => tags.length <= 3, { error: 'at most 3 tags' })
  .meta({ maxItems: 3 })
  .describe(
    'Custom category tags, e.g. gaming or music: at most 3, each a non-empty string or a non-negative integer (Tencent samples show both).',
  );

export const CreateRoomInfoSchema = z
  .strictObject({
    RoomId: RoomIdSchema,
    RoomType: z
      .literal('Live')
      .default('Live')
      .describe(
        'Room type; the only value is Live. Tencent requires it; the gateway fills it in when absent.',
      ),
    Owner_Account: byteString(1, 32)
      .optional()
      .describe(
        "Host user ID, 1 to 32 bytes; it must be an account imported into the application. Defaults to the gateway's administrator (TENCENT_ADMIN_ID); Tencent recommends naming the current host.",
      ),
    TakeSeatMode: z
      .enum(['FreeToTake', 'ApplyToTake'])
      .optional()
      .describe(
        'How audience members become guests. FreeToTake (default): they take a seat without approval. ApplyToTake: they apply, and the host or an administrator approves.',
      ),
    SeatTemplate: z
      .enum(SEAT_TEMPLATES)
      .describe(
        'Layout template. Video: VideoDynamicGrid9Seats (the default layout: full screen while the host is alone, a grid that adapts to up to 9 guests), VideoDynamicFloat7Seats (guests in floating windows, up to 7), VideoFixedGrid9Seats (9 fixed grid cells), VideoFixedFloat7Seats (7 fixed floating windows). Voice: AudioSalon (voice chat room) and Karaoke (KTV), with MaxSeatCount seats. Seat counts are capped by the package.',
      ),
    MaxSeatCount: z
      .int()
      .positive()
      .optional()
      .describe(
        "Number of microphone seats, e.g. 8 or 10; only for voice rooms (SeatTemplate AudioSalon or Karaoke). The package's maximum number of seats caps it.",
      ),
    IsMessageDisabled: z
      .boolean()
      .optional()
      .describe('Global mute: true stops the audience from sending live comments. Default false.'),
    IsPublicVisible: z
      .boolean()
      .optional()
      .describe(
        'Whether the room appears in the Live Stream List. Default true; false suits private or test streams.',
      ),
    RoomName: byteString(0, 100)
      .optional()
      .describe(
        'Room name shown in the Live Stream List, at most 100 bytes of UTF-8; Tencent shows the RoomId without it.',
      ),
    CoverURL: byteString(0, 200)
      .optional()
      .describe(
        'Cover image shown in the Live Stream List, at most 200 bytes of UTF-8. Not checked to be a URL (Tencent\'s own example is "cover url").',
      ),
    Category: CategorySchema.optional(),
    ActivityStatus: z
      .int()
      .optional()
      .describe(
        'Custom activity status, e.g. 0 preparing, 1 in progress, 2 ended. Everyone entering the room receives it, and everyone in the room receives each update.',
      ),
  })
  .superRefine((info, ctx) => {
    if (info.MaxSeatCount !== undefined && !VOICE_TEMPLATES.has(info.SeatTemplate)) {
      ctx.addIssue({
        code: 'custom',
        path: ['MaxSeatCount'],
        message: `is only allowed with SeatTemplate AudioSalon or Karaoke (got ${info.SeatTemplate})`,
      });
    }
  });

/**
 * The two scenarios of Tencent's Create Room page, exactly as its request examples show them minus their `//`
 * comments, which JSON does not allow. They are the named examples of `POST /rooms` in the OpenAPI document,
 * and so the requests of the Postman collection.
 */
export const CREATE_ROOM_EXAMPLES = {
  showroomLive: {
    summary: 'Showroom Live',
    description:
      'A high-concurrency showroom: audience members apply to become guests, the dynamic nine-seat grid layout, listed in the Live Stream List.',
    value: {
      RoomInfo: {
        RoomId: 'live_testA',
        RoomType: 'Live',
        Owner_Account: 'testA',
        TakeSeatMode: 'ApplyToTake',
        SeatTemplate: 'VideoDynamicGrid9Seats',
        IsPublicVisible: true,
        RoomName: 'Happy new year',
        CoverURL: 'cover url',
      },
    },
  },
  voiceChatRoom: {
    summary: 'Voice Chat Room',
    description:
      'Pure audio: audience members take one of 10 seats freely and speak, listed in the Live Stream List.',
    value: {
      RoomInfo: {
        RoomId: 'voice_testA',
        RoomType: 'Live',
        Owner_Account: 'testA',
        TakeSeatMode: 'FreeToTake',
        MaxSeatCount: 10,
        SeatTemplate: 'AudioSalon',
        IsPublicVisible: true,
        RoomName: 'Happy new year',
        CoverURL: 'cover url',
      },
    },
  },
} as const;

export const CreateRoomBodySchema = z
  .strictObject({ RoomInfo: CreateRoomInfoSchema })
  .describe(
    "Tencent's own create_room body, so the Create Room page's examples work as they are (without their // comments). It is validated in full before anything is sent: every broken rule is reported, and an unknown field is rejected by name.",
  )
  // @fastify/swagger turns `x-examples` into the named examples of the request body.
  .meta({ 'x-examples': CREATE_ROOM_EXAMPLES });

export type CreateRoomBody = z.infer<typeof CreateRoomBodySchema>;

export const CreateRoomResultSchema = z.object({
  roomId: z.string().describe('The RoomId, as sent.'),
  created: z
    .boolean()
    .describe(
      'true: Tencent created the room (201). false: it already existed with the same owner (Tencent 100010, answered 200), so it is usable as it is.',
    ),
  upstreamRequestId: z.string().describe("Tencent's RequestId for the call; quote it to Tencent support."),
});

export type CreateRoomResult = z.infer<typeof CreateRoomResultSchema>;

/** What `POST /rooms` answers for the Showroom Live example: created (201), or already there (200). */
export const CREATE_ROOM_RESULT_EXAMPLES = {
  created: {
    summary: 'Created',
    value: {
      roomId: 'live_testA',
      created: true,
      upstreamRequestId: 'Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720',
    },
  },
  exists: {
    summary: 'Already there with the same owner (Tencent 100010)',
    value: {
      roomId: 'live_testA',
      created: false,
      upstreamRequestId: 'Id-2f4a7c1e9b3d4e8fa6c05d7e1b2a3c4d-O-Seq-52731',
    },
  },
} as const satisfies Record<string, { summary: string; value: CreateRoomResult }>;
