import { z } from 'zod';
import { PROBLEM_TYPES, type ProblemSlug } from './catalog.js';

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

const RETRY_AFTER = {
  'Retry-After': {
    type: 'integer',
    minimum: 1,
    description: 'Seconds to wait before retrying (whole seconds, at least 1).',
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
        ...(status === 429 ? { headers: RETRY_AFTER } : {}),
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}
