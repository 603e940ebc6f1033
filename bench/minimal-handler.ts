/**
 * A reference point for scenario 2: the least a validating gateway can be on this stack. Fastify with a zod body
 * schema, one keep-alive undici Pool to the sandbox, a query signed in advance (UPSTREAM_QUERY), the answer's
 * ErrorCode checked and a 201 sent. No authentication, logging, metrics or limits. Prints `listening <url>`.
 *
 * With SHED_INTERVAL_MS set it is scenario 3's reference instead: the least a shedding gateway can do. A request
 * that arrives within that interval of the last one admitted gets a fixed 429 at once, before its body is read;
 * the others go on as above, at most one per interval (no queue, no per-RoomId limit).
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Pool } from 'undici';
import { z } from 'zod';

const upstream = process.env.UPSTREAM as string;
const query = process.env.UPSTREAM_QUERY as string;
const pool = new Pool(upstream, { connections: 64, pipelining: 1 });

const Body = z.strictObject({
  RoomInfo: z.strictObject({
    RoomId: z.string().min(1).max(48),
    RoomType: z.enum(['Live']).optional(),
    SeatTemplate: z.string().optional(),
  }),
});

const app = Fastify({ logger: false });
const shedIntervalMs = Number(process.env.SHED_INTERVAL_MS ?? 0);
if (shedIntervalMs > 0) {
  let nextAdmission = 0;
  app.addHook('onRequest', (_request, reply, done) => {
    const now = performance.now();
    if (now < nextAdmission) {
      reply.code(429).header('retry-after', '1').send({ type: 'rate-limited' });
      return;
    }
    nextAdmission = now + shedIntervalMs;
    done();
  });
}
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
app.withTypeProvider<ZodTypeProvider>().post('/rooms', { schema: { body: Body } }, async (request, reply) => {
  const res = await pool.request({
    path: `/v4/live_engine_http_srv/create_room?${query}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.body),
  });
  const answer = (await res.body.json()) as { ErrorCode: number; RequestId?: string };
  if (answer.ErrorCode !== 0) return reply.code(502).send({ code: answer.ErrorCode });
  return reply
    .code(201)
    .send({ roomId: request.body.RoomInfo.RoomId, created: true, upstreamRequestId: answer.RequestId ?? '' });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${url}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
