import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../ops/metrics.js';
import { type Audit, logRequestLine, type RequestHead } from './request-line.js';
import { pathOf } from './url-path.js';

declare module 'fastify' {
  interface FastifyRequest {
    audit: Audit;
  }
}

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The metrics' labels of a request no route took, and of one without a known caller. */
export const UNMATCHED_ROUTE = 'unmatched';
export const ANONYMOUS_CALLER = 'anonymous';

/** nginx's status for a request whose caller closed the connection before the answer: never sent, only logged. */
const CALLER_CLOSED_STATUS = 499;

/**
 * Echoes X-Request-Id on every answer, logs exactly one line per request, and counts it. A request whose caller
 * hung up is logged when the connection closes, with status 499 and outcome `caller-gone`: its answer is never
 * sent, so Fastify's onResponse does not run for it. The hooks take callbacks rather than being async: they run
 * on every request, and an async hook costs a promise and a microtask turn each.
 */
export function registerRequestLog(app: FastifyInstance, metrics: Metrics): void {
  const logLine = createLogLine(metrics);

  /** The caller hung up before this answer went out. */
  const gone = (reply: FastifyReply) => {
    if (reply.raw.writableFinished) return;
    reply.request.audit.outcome = 'caller-gone';
    logLine(reply.request, reply, CALLER_CLOSED_STATUS);
  };

  app.decorateRequest('audit', null as unknown as Audit);
  app.addHook('onRequest', (request, reply, done) => {
    request.audit = {};
    reply.header('x-request-id', request.id);
    owe(reply, gone);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    (request.raw.socket as TrackedSocket | null)?.[OWED]?.delete(reply);
    logLine(request, reply, reply.statusCode);
    done();
  });
}

/**
 * For a request that Fastify refuses before routing (its `frameworkErrors`: a URL it cannot decode), for which
 * no hook runs: what onRequest and onResponse do for every other request is done here, so it too gets its
 * X-Request-Id, its one line and its count.
 */
export function logUnroutedRequest(request: FastifyRequest, reply: FastifyReply, metrics: Metrics): void {
  request.audit = {};
  reply.header('x-request-id', request.id);
  const logLine = createLogLine(metrics);
  reply.raw.once('finish', () => logLine(request, reply, reply.statusCode));
}

/** One request's line in the log and its count in the metrics. */
function createLogLine(metrics: Metrics) {
  return (request: FastifyRequest, reply: FastifyReply, status: number) => {
    const route = request.routeOptions.url;
    const audit = request.audit;
    const elapsedMs = reply.elapsedTime;
    const head: RequestHead = {
      method: request.method,
      route: route ?? pathOf(request.url),
      status,
      latencyMs: Math.round(elapsedMs * 100) / 100,
    };
    // Unmatched URLs share one label, so probing random paths cannot blow up the metrics' cardinality.
    const routeLabel = route ?? UNMATCHED_ROUTE;
    const statusLabel = String(status);
    metrics.requests.inc({
      route: routeLabel,
      status: statusLabel,
      caller: audit.caller ?? ANONYMOUS_CALLER,
    });
    metrics.requestSeconds.observe({ route: routeLabel, status: statusLabel }, elapsedMs / 1000);
    // Probes and scrapes arrive every few seconds; they are logged only when asked for.
    const level = route && QUIET_ROUTES.has(route) && status < 400 ? 'debug' : 'info';
    logRequestLine(request.log, level, head, audit);
  };
}

const OWED = Symbol('roomgate.answersOwed');
type TrackedSocket = NonNullable<FastifyRequest['raw']['socket']> & { [OWED]?: Set<FastifyReply> };

/**
 * Notes that `reply` is owed on its connection, for `gone` if the connection closes first. One close listener per
 * connection, which knows the answers still owed on it, rather than one listener added and removed for every
 * request (a keep-alive connection carries many). The listener is made in a function of its own, not in the
 * onRequest hook: a closure made where `reply` is captured shares that scope, so the connection's listener kept
 * its first request and reply alive for as long as the connection lasted (bench/ANALYSIS.md, thirteenth round).
 */
function owe(reply: FastifyReply, gone: (reply: FastifyReply) => void): void {
  const socket = reply.request.raw.socket as TrackedSocket | null;
  if (!socket) {
    reply.raw.once('close', () => gone(reply));
    return;
  }
  (socket[OWED] ?? watchConnection(socket, gone)).add(reply);
}

/** The set of answers owed on `socket`, each handed to `gone` when the connection closes. */
function watchConnection(socket: TrackedSocket, gone: (reply: FastifyReply) => void): Set<FastifyReply> {
  const answers = new Set<FastifyReply>();
  socket[OWED] = answers;
  socket.once('close', () => {
    for (const answer of answers) gone(answer);
    answers.clear();
  });
  return answers;
}
