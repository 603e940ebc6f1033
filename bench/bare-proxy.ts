/**
 * The baseline of scenario 2: a bare @fastify/http-proxy passthrough, no validation, no authentication, no limits,
 * no logging. It forwards POST /rooms to the sandbox's create_room with a query signed in advance (UPSTREAM_QUERY),
 * so the sandbox accepts what it forwards. Prints `listening <url>` when ready.
 */
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const upstream = process.env.UPSTREAM as string;
const query = process.env.UPSTREAM_QUERY as string;

const app = Fastify({ logger: false });
await app.register(proxy, {
  upstream,
  prefix: '/rooms',
  rewritePrefix: '/v4/live_engine_http_srv/create_room',
  httpMethods: ['POST'],
  replyOptions: { queryString: () => query },
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${url}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
