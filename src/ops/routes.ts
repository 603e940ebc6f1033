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
        description:
          'Answers while the process runs, with no I/O at all: restart the replica when it does not.',
        tags: ['operations'],
        response: { 200: HealthSchema.describe('The process runs.') },
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
        description:
          'Whether this replica should get traffic, from cached state (no upstream call): `config`, `limiter` (with REDIS_URL, whether Redis answers; while it does not, the replica still serves with its share of the limits), `shutdown` (fails from SIGTERM on, through the drain) and `upstream` (the circuit breaker, for information: it never makes the replica unready).',
        tags: ['operations'],
        response: {
          200: ReadySchema.describe('Ready: every check is ok.'),
          503: ReadySchema.describe('Unready: a check failed; its `reason` says why.'),
        },
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
