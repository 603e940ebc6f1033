import { z } from 'zod';

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A string limited in UTF-8 bytes, as Tencent counts (a CJK character is 3 bytes). */
/** A lone UTF-16 surrogate has no UTF-8 form: Tencent could not store it, and it breaks percent-encoding. */
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = () =>
  z.string().refine((s) => !LONE_SURROGATE.test(s), {
    error: 'must be valid Unicode (it has a lone surrogate)',
    abort: true,
  });

function byteString(min: number, max: number) {
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
  'Unique room identifier, 1 to 48 bytes of UTF-8. Use a prefix to distinguish room types (live_, voice_).',
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
  .describe('Room category tags (custom), at most 3; Tencent samples show both strings and integers.');

export const CreateRoomInfoSchema = z
  .strictObject({
    RoomId: RoomIdSchema,
    RoomType: z
      .literal('Live')
      .default('Live')
      .describe('Room type; fixed value Live (filled in when absent).'),
    Owner_Account: byteString(1, 32)
      .optional()
      .describe('Host user ID (an imported account), 1 to 32 bytes; defaults to the administrator.'),
    TakeSeatMode: z
      .enum(['FreeToTake', 'ApplyToTake'])
      .optional()
      .describe('Guest mode: FreeToTake (default) or ApplyToTake (guests need approval).'),
    SeatTemplate: z.enum(SEAT_TEMPLATES).describe('Layout template ID.'),
    MaxSeatCount: z
      .int()
      .positive()
      .optional()
      .describe(
        'Number of microphone seats; only with SeatTemplate AudioSalon or Karaoke (limited by the package).',
      ),
    IsMessageDisabled: z.boolean().optional().describe('Global mute of live comments; default false.'),
    IsPublicVisible: z
      .boolean()
      .optional()
      .describe('Whether the room appears in the Live Stream List; default true.'),
    RoomName: byteString(0, 100)
      .optional()
      .describe('Room name for the Live Stream List, at most 100 bytes.'),
    CoverURL: byteString(0, 200)
      .optional()
      .describe('Room cover image, at most 200 bytes (not required to be a URL).'),
    Category: CategorySchema.optional(),
    ActivityStatus: z
      .int()
      .optional()
      .describe('Custom activity status, e.g. 0 preparing, 1 in progress, 2 ended.'),
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

export const CreateRoomBodySchema = z
  .strictObject({ RoomInfo: CreateRoomInfoSchema })
  .describe("Tencent's own create_room body, so the documentation's examples work as they are.");

export type CreateRoomBody = z.infer<typeof CreateRoomBodySchema>;

export const CreateRoomResultSchema = z.object({
  roomId: z.string(),
  created: z.boolean().describe('false when the room already existed with the same owner (Tencent 100010).'),
  upstreamRequestId: z.string().describe("Tencent's RequestId, for its support."),
});

export type CreateRoomResult = z.infer<typeof CreateRoomResultSchema>;
