import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../ops/metrics.js';

/** What one request did, gathered as it goes and logged once when it ends. */
export interface Audit {
  caller?: string;
  roomId?: string;
  /** `created`, `exists`, … or the problem slug. */
  outcome?: string;
  tencentCode?: number;
  upstreamRequestId?: string;
  attempts?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit: Audit;
  }
}

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Echoes X-Request-Id on every answer, logs exactly one line per request, and counts it. */
export function registerRequestLog(app: FastifyInstance, metrics: Metrics): void {
  app.decorateRequest('audit', null as unknown as Audit);
  app.addHook('onRequest', async (request, reply) => {
    request.audit = {};
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const line = {
      method: request.method,
      route: route ?? request.url.split('?')[0],
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime * 100) / 100,
      ...request.audit,
    };
    // Unmatched URLs share one label, so probing random paths cannot blow up the metrics' cardinality.
    const routeLabel = route ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ route: routeLabel, status, caller: request.audit.caller ?? 'anonymous' });
    metrics.requestSeconds.observe({ route: routeLabel, status }, reply.elapsedTime / 1000);
    // Probes and scrapes arrive every few seconds; they are logged only when asked for.
    if (route && QUIET_ROUTES.has(route) && reply.statusCode < 400) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
  });
}
