import type { FastifyInstance } from 'fastify';

/**
 * Once the app is closing, answers in flight carry `Connection: close`, so keep-alive clients let go of their
 * connections and the server can finish closing as soon as the last answer is out (instead of waiting for
 * idle keep-alive sockets to time out). New requests get Fastify's 503 meanwhile.
 */
export function registerGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
