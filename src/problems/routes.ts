import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_TYPES, type ProblemSlug, TENCENT_CODES } from './catalog.js';
import { ProblemError, problemTypeUri } from './problem.js';
import { problemResponses } from './schema.js';

const slugs = Object.keys(PROBLEM_TYPES) as [ProblemSlug, ...ProblemSlug[]];

export const ProblemTypeDocSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  description: z.string(),
  tencentCodes: z.array(z.object({ code: z.int(), meaning: z.string(), retryable: z.boolean() })),
});

/** `GET /problems/{slug}`: what each problem type means, and which Tencent codes lead to it. */
export async function problemRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/problems/:slug',
    {
      schema: {
        operationId: 'getProblemType',
        summary: 'Explain a problem type',
        tags: ['problems'],
        params: z.object({
          slug: z
            .string()
            .describe(`A problem type: ${slugs.join(', ')}.`)
            .meta({ examples: ['rate-limited'] }),
        }),
        response: {
          200: ProblemTypeDocSchema.describe(
            'What the type means and what to do about it, with the Tencent codes that lead to it.',
          ),
          ...problemResponses('not-found'),
        },
      },
    },
    async (request) => {
      const slug = request.params.slug as ProblemSlug;
      if (!slugs.includes(slug)) {
        throw new ProblemError('not-found', `There is no problem type "${request.params.slug}".`);
      }
      const { status, title, description } = PROBLEM_TYPES[slug];
      const tencentCodes = Object.entries(TENCENT_CODES)
        .filter(([, entry]) => entry.slug === slug)
        .map(([code, entry]) => ({ code: Number(code), meaning: entry.meaning, retryable: entry.retryable }));
      return { type: problemTypeUri(slug), title, status, description, tencentCodes };
    },
  );
}
