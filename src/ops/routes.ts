import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';

export interface ReadinessCheck {
  name: string;
  /** Must answer from cached state: probes come every few seconds and must not cost an upstream call. */
  check: () => { ok: boolean; reason?: string };
}

const HealthSchema = z.object({ status: z.literal('ok') });
const ReadySchema = z.object({
  status: z.enum(['ready', 'unready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), reason: z.string().optional() })),
});

/** Liveness (no I/O at all) and readiness (the cached results of the given checks). */
export async function opsRoutes(
  app: FastifyInstance,
  deps: { checks: ReadinessCheck[]; registry: Registry },
): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness',
        tags: ['operations'],
        response: { 200: HealthSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  routes.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness',
        tags: ['operations'],
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (_request, reply) => {
      const checks = Object.fromEntries(deps.checks.map((c) => [c.name, c.check()]));
      const ready = Object.values(checks).every((c) => c.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks });
    },
  );
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        description:
          'Requests, upstream latency and Tencent codes, limiter admissions, waits and refusals, UserSig renewals, process metrics.',
        tags: ['operations'],
        response: {
          200: {
            description: 'Prometheus text exposition format.',
            content: { 'text/plain': { schema: z.string() } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.type(deps.registry.contentType);
      return deps.registry.metrics();
    },
  );
}
