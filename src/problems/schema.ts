import { z } from 'zod';
import { PROBLEM_TYPES, type ProblemSlug } from './catalog.js';
import { buildProblem, type Problem, type ProblemExtras } from './problem.js';

export const FieldErrorSchema = z.object({
  path: z
    .string()
    .describe(
      'Dotted path of the offending field (`RoomInfo.RoomName`), a parameter name, or "" for the body.',
    ),
  message: z.string(),
});

export const ProblemSchema = z
  .object({
    type: z.string().describe('`/problems/{slug}`; GET it for an explanation.'),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    requestId: z.string().describe('The X-Request-Id of this request; quote it in reports.'),
    instance: z.string().optional().describe('The path of the request.'),
    errors: z
      .array(FieldErrorSchema)
      .optional()
      .describe('validation-failed: every rule the request breaks.'),
    limit: z.enum(['global', 'room']).optional().describe('rate-limited: which limit refused the request.'),
    upstream: z
      .object({
        errorCode: z.int(),
        errorInfo: z.string(),
        requestId: z.string().optional(),
      })
      .optional()
      .describe(
        'Present exactly when Tencent answered with its JSON envelope: its ErrorCode, ErrorInfo and RequestId.',
      ),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem (application/problem+json).' });

const example = (
  slug: ProblemSlug,
  detail: string,
  requestId: string,
  instance: string,
  extras: ProblemExtras = {},
): Problem => buildProblem(slug, detail, requestId, instance, extras);

/**
 * One realistic body per problem type, as the gateway sends it (a test compares each with a real answer of the
 * same type), for the OpenAPI document and the Postman collection's saved responses.
 */
export const PROBLEM_EXAMPLES: Record<ProblemSlug, Problem> = {
  'validation-failed': example(
    'validation-failed',
    'The request breaks 2 rules; nothing was sent to Tencent.',
    '3f6d2b0e-8c1a-4f5e-9b7d-2a4c6e8f0a1b',
    '/rooms',
    {
      errors: [
        { path: 'RoomInfo.RoomId', message: 'must be 1 to 48 bytes of UTF-8 (got 57)' },
        { path: 'RoomInfo.Owner_account', message: 'unknown field; did you mean "Owner_Account"?' },
      ],
    },
  ),
  'invalid-parameters': example(
    'invalid-parameters',
    'Tencent answered 100002 (invalid request parameters).',
    '9a1e4c7b-2d5f-4e83-8b16-c0f9a7d3e254',
    '/rooms',
    {
      upstream: {
        errorCode: 100002,
        errorInfo: 'invalid parameter: MaxSeatCount exceeds the package limit',
        requestId: 'Id-5b2e8f0c3a9d4c71b6e2f4a8d0c1e3b5-O-Seq-61022',
      },
    },
  ),
  unauthorized: example(
    'unauthorized',
    'Send an API key as `Authorization: Bearer <secret>`; ask the gateway operator for one.',
    'c2b7e915-6f0a-4d38-a1e4-7b9c3d5f8e20',
    '/rooms',
  ),
  'not-found': example(
    'not-found',
    'There is no problem type "no-such-thing".',
    'e4a90c63-1b7d-4f25-9c8e-3d6f0a2b5c71',
    '/problems/no-such-thing',
  ),
  'method-not-allowed': example(
    'method-not-allowed',
    '/rooms/live_testA does not take PUT; it takes DELETE, GET, HEAD, PATCH.',
    '8c2e5a7f-3d1b-4f96-a0e8-6b4d2c9f1a53',
    '/rooms/live_testA',
  ),
  'room-not-found': example(
    'room-not-found',
    'Tencent answered 100004 (room does not exist).',
    '5d8f1a2c-7e3b-4c69-b0a4-9f2e6d1c8b37',
    '/rooms/live_testA',
    {
      upstream: {
        errorCode: 100004,
        errorInfo: 'room not exist',
        requestId: 'Id-0e7c3a5f9b1d4e26a8c4f6b2d9e0a1c7-O-Seq-41877',
      },
    },
  ),
  'room-id-taken': example(
    'room-id-taken',
    'Tencent answered 100003 (room ID already exists).',
    '7b3c9e1f-4a6d-4b08-8e2c-1f5a9d7c3e64',
    '/rooms',
    {
      upstream: {
        errorCode: 100003,
        errorInfo: 'room id already exist',
        requestId: 'Id-c41f8a2e6b0d4f93a7e5c1b9d3f2a6e8-O-Seq-52744',
      },
    },
  ),
  'room-id-reserved-by-chat': example(
    'room-id-reserved-by-chat',
    'Tencent answered 100011 (room ID occupied by Chat).',
    '0f6a2d8c-9b4e-4e17-a3c5-6d1b8f0e2a93',
    '/rooms',
    {
      upstream: {
        errorCode: 100011,
        errorInfo: 'room id is used by chat group',
        requestId: 'Id-7a2c5e9f1b3d4a08c6e4b2d0f8a9c1e5-O-Seq-52790',
      },
    },
  ),
  'payload-too-large': example(
    'payload-too-large',
    'The body is larger than the 16 KiB the gateway accepts.',
    '2e9b5f1a-3c7d-4a86-b4e0-8c2f6a1d9e35',
    '/rooms',
  ),
  // Answered before the request could be read, so without an instance (the path is unknown).
  'malformed-request': example(
    'malformed-request',
    'The request is not valid HTTP/1.1 (HPE_INVALID_HEADER_TOKEN); nothing was sent to Tencent.',
    '6c1f9e3a-2b8d-4e57-a0c4-5d7b3f9e1a26',
    '',
  ),
  'request-timeout': example(
    'request-timeout',
    'The request did not arrive in time (headers within 10 s, all of it within 15 s); nothing was sent to Tencent.',
    'a3e8d2c6-5f1b-4a97-8e0d-4c2b6f9a1e58',
    '',
  ),
  'headers-too-large': example(
    'headers-too-large',
    'The request headers are larger than the 16 KiB the gateway reads; nothing was sent to Tencent.',
    'd7b2f4e9-1c6a-4f38-b5e2-9a0c3d7f6b14',
    '',
  ),
  'sensitive-content': example(
    'sensitive-content',
    'Tencent answered 100026 (sensitive content).',
    '6c1e8a4d-2f9b-4d53-8a6e-0b7c5f3d1e98',
    '/rooms',
    {
      upstream: {
        errorCode: 100026,
        errorInfo: 'RoomName contains sensitive words',
        requestId: 'Id-3e9b1d7f5a2c4e60b8d6a4c2e0f1b9d7-O-Seq-52812',
      },
    },
  ),
  'rate-limited': example(
    'rate-limited',
    'Not sent: this RoomId was sent to Tencent less than a second ago, and Tencent allows it once per second. Retry in 1 s.',
    'd5f2a9c7-8e1b-4b64-a0d3-5c9e7f2b4a18',
    '/rooms',
    { limit: 'room' },
  ),
  'upstream-rate-limited': example(
    'upstream-rate-limited',
    'Tencent answered 100012 (the same room ID created more than once per second).',
    '1a7e4c0b-6d3f-4f29-9b8c-2e5a0d7f3c46',
    '/rooms',
    {
      upstream: {
        errorCode: 100012,
        errorInfo: 'create room too frequently',
        requestId: 'Id-9d4f2b6e0c8a4d17e5b3f1a9c7e2d0b4-O-Seq-52830',
      },
    },
  ),
  'internal-error': example(
    'internal-error',
    'Unexpected failure; quote request ID 8e0c5b3a-1f7d-4a92-b6e4-3d9f2c7a5b10 to the operator.',
    '8e0c5b3a-1f7d-4a92-b6e4-3d9f2c7a5b10',
    '/rooms',
  ),
  'upstream-failure': example(
    'upstream-failure',
    'Tencent answered 70020 (SDKAppID not found). Operator: check TENCENT_REGION: the SDKAppID is probably in another data center.',
    '4b9d7f2e-0a5c-4e38-8f1b-6c3a9e5d2f07',
    '/rooms',
    {
      upstream: {
        errorCode: 70020,
        errorInfo: 'SDKAppID not found',
        requestId: 'Id-1c6e0a8d4f2b4c95a3e7d1f9b5c0e8a2-O-Seq-52851',
      },
    },
  ),
  'upstream-unavailable': example(
    'upstream-unavailable',
    'Not sent: Tencent has been failing, so the gateway pauses for a cool-down. Retry in 5 s.',
    'b7e2c9a4-3f1d-4e8b-9a6c-2d5f8e1b4c70',
    '/rooms',
  ),
  'upstream-timeout': example(
    'upstream-timeout',
    'Tencent gave no answer in time: no complete answer within 5000 ms. Repeating the same request is safe.',
    'f3c8a1e6-9d2b-4c70-a5f9-1e4b7d0c6a83',
    '/rooms',
  ),
};

const RETRY_AFTER = {
  'Retry-After': {
    type: 'integer',
    minimum: 1,
    description: 'Seconds to wait before retrying (whole seconds, at least 1).',
    examples: [1],
  },
};

const WWW_AUTHENTICATE = {
  'WWW-Authenticate': {
    type: 'string',
    description: 'The scheme to authenticate with (RFC 9110): a Bearer API key.',
    examples: ['Bearer realm="roomgate"'],
  },
};

/** OpenAPI response entries for the problem statuses a route can answer, grouped by status. */
export function problemResponses(...slugs: ProblemSlug[]) {
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of slugs) {
    const { status } = PROBLEM_TYPES[slug];
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      status,
      {
        description: group.map((s) => `${PROBLEM_TYPES[s].title} (\`/problems/${s}\`)`).join('; '),
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
        ...(status === 401 ? { headers: WWW_AUTHENTICATE } : {}),
        content: {
          'application/problem+json': {
            schema: ProblemSchema,
            examples: Object.fromEntries(
              group.map((s) => [s, { summary: PROBLEM_TYPES[s].title, value: PROBLEM_EXAMPLES[s] }]),
            ),
          },
        },
      },
    ]),
  );
}
