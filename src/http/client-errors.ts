import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from '../ops/metrics.js';
import { PROBLEM_TYPES, type ProblemSlug } from '../problems/catalog.js';
import { buildProblem } from '../problems/problem.js';
import { ANONYMOUS_CALLER, UNMATCHED_ROUTE } from './request-log.js';

/** The deadlines the server enforces, as the answers to requests over them name them. */
export interface RequestDeadlines {
  headersMs: number;
  requestMs: number;
}

const seconds = (ms: number) => `${ms / 1000} s`;

/** What Node's HTTP parser reports, and which problem answers it. */
function problemFor(
  code: string | undefined,
  deadlines: RequestDeadlines,
): { slug: ProblemSlug; detail: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      slug: 'headers-too-large',
      detail: `The request headers are larger than the ${maxHeaderSize / 1024} KiB the gateway reads; nothing was sent to Tencent.`,
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      slug: 'request-timeout',
      detail: `The request did not arrive in time (headers within ${seconds(deadlines.headersMs)}, all of it within ${seconds(deadlines.requestMs)}); nothing was sent to Tencent.`,
    };
  }
  return {
    slug: 'malformed-request',
    detail: `The request is not valid HTTP/1.1 (${code ?? 'unreadable'}); nothing was sent to Tencent.`,
  };
}

type ClientSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/**
 * Answers the requests Node's HTTP server cannot read at all (malformed HTTP, headers over its limit, a request
 * that did not arrive in time), for which no route, hook or error handler runs. Fastify's default answers them
 * with a JSON shape of its own; here they get a problem like every other answer, with an X-Request-Id, one log
 * line and their count in the metrics. The connection is closed after the answer, as Node does: what follows
 * on it cannot be read either.
 */
export function createClientErrorHandler(logger: Logger, metrics: Metrics, deadlines: RequestDeadlines) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    // A reset connection has nobody to answer; Fastify's default does the same.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { slug, detail } = problemFor(err.code, deadlines);
    const { status } = PROBLEM_TYPES[slug];
    const requestId = randomUUID();
    // Node's own rule: raw bytes may be written only while no answer of this connection has begun.
    const pending = (socket as ClientSocket)._httpMessage;
    if (socket.writable && !pending?.headersSent) {
      const body = JSON.stringify(buildProblem(slug, detail, requestId, undefined));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          'content-type: application/problem+json\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\n` +
          `x-request-id: ${requestId}\r\n` +
          'connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
    metrics.requests.inc({ route: UNMATCHED_ROUTE, status: String(status), caller: ANONYMOUS_CALLER });
    logger.info({ requestId, status, outcome: slug, reason: err.code }, 'unreadable request');
  };
}
