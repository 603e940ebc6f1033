import type { FastifyInstance } from 'fastify';
import type { ReadinessCheck } from '../ops/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Starts the drain that precedes a shutdown: requests are still served, but readiness fails, so load
     * balancers stop sending new ones, and every answer carries `Connection: close`, so keep-alive callers open
     * their next connection elsewhere rather than losing a request to the connection's close later. Idempotent.
     */
    drain(): void;
  }
}

const SHUTTING_DOWN = 'shutting down: finishing the requests in flight; send new ones to another replica';

/**
 * Draining (see `drain`) begins with `app.drain()` or, at the latest, when the app starts closing: answers in
 * flight then carry `Connection: close`, so the server can finish closing as soon as the last answer is out
 * (instead of waiting for idle keep-alive sockets to time out). Returns the readiness check that fails from then
 * on.
 */
export function registerGracefulClose(app: FastifyInstance): ReadinessCheck {
  let draining = false;
  app.decorate('drain', () => {
    draining = true;
  });
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  return {
    name: 'shutdown',
    check: () => (draining ? { ok: false, reason: SHUTTING_DOWN } : { ok: true }),
  };
}
