import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../ops/metrics.js';
import { PROBLEM_TYPES, type ProblemSlug, tencentCodeEntry } from '../problems/catalog.js';
import { problemFromUpstream } from '../problems/from-error.js';
import { buildProblem, fillProblemTemplate, type ProblemAnswer, ProblemError } from '../problems/problem.js';
import { collectAllowedMethods } from './allowed-methods.js';
import { CallerGoneError } from './caller-gone.js';
import { logUnroutedRequest } from './request-log.js';
import { pathOf } from './url-path.js';
import { RequestValidationError } from './validation.js';

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ProblemAnswer,
): FastifyReply {
  const instance = pathOf(request.url);
  const body = problem.template
    ? fillProblemTemplate(problem.template, request.id, instance)
    : JSON.stringify(buildProblem(problem.slug, problem.detail, request.id, instance, problem.extras));
  request.audit.outcome = problem.slug;
  if (problem.extras.upstream) {
    request.audit.tencentCode = problem.extras.upstream.errorCode;
    request.audit.upstreamRequestId = problem.extras.upstream.requestId;
  }
  return (
    reply
      .code(PROBLEM_TYPES[problem.slug].status)
      .headers(problem.headers)
      .type('application/problem+json')
      // The body is JSON already. A serializer of its own keeps Fastify from adding `; charset=utf-8` to the
      // media type, which it does for a string sent as JSON without one.
      .serializer(asIs)
      .send(body)
  );
}

const asIs = (body: string) => body;

/** Answers true for a key at most once per `intervalMs`. */
function createOncePer(intervalMs: number) {
  const last = new Map<number, number>();
  return {
    due(key: number): boolean {
      const now = performance.now();
      if (now - (last.get(key) ?? Number.NEGATIVE_INFINITY) < intervalMs) return false;
      last.set(key, now);
      return true;
    },
  };
}

/** Fastify's own errors (body size, framing) as problems. Content types are judged by json-body.ts. */
function problemFromFastify(err: FastifyError): ProblemError | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ProblemError('payload-too-large', 'The body is larger than the 16 KiB the gateway accepts.');
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return new ProblemError('validation-failed', err.message, {
      errors: [{ path: '', message: err.message }],
    });
  }
  return undefined;
}

/**
 * The one place where errors become answers: everything a caller sees is an application/problem+json body of
 * a documented type. Unexpected errors are logged in full and answered without their message.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  const operatorAlerts = createOncePer(60_000);
  const allowedMethods = collectAllowedMethods(app);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // Nobody is left to answer; the request log has its line already (request-log.ts).
    if (err instanceof CallerGoneError) return reply.hijack();
    let problem: ProblemError | undefined;
    if (err instanceof RequestValidationError) {
      const detail = `The request breaks ${err.errors.length === 1 ? 'a rule' : `${err.errors.length} rules`}; nothing was sent to Tencent.`;
      problem = new ProblemError('validation-failed', detail, { errors: err.errors });
    } else {
      problem = problemFromUpstream(err) ?? problemFromFastify(err);
    }
    if (!problem) {
      request.log.error({ err }, 'unexpected error');
      problem = new ProblemError(
        'internal-error',
        `Unexpected failure; quote request ID ${request.id} to the operator.`,
      );
    } else if (problem.slug === 'upstream-failure' || problem.slug === 'upstream-timeout') {
      const code = problem.extras.upstream?.errorCode;
      const fields = { detail: problem.detail, upstream: problem.extras.upstream };
      // Failures only the operator can fix (a wrong key, region, package…) are errors, but a burst of them is
      // one problem: logged at error level once a minute per code, at warn otherwise.
      if (code !== undefined && tencentCodeEntry(code).operatorHint && operatorAlerts.due(code)) {
        request.log.error(fields, 'Tencent refuses the gateway itself: operator action needed');
      } else {
        request.log.warn(fields, 'upstream failure');
      }
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const allowed = allowedMethods.forPath(path);
    if (allowed) {
      const allow = allowed.join(', ');
      const detail = `${path} does not take ${request.method}; it takes ${allow}.`;
      return sendProblem(request, reply, new ProblemError('method-not-allowed', detail, {}, { allow }));
    }
    return sendProblem(
      request,
      reply,
      new ProblemError('not-found', `No route for ${request.method} ${path}.`),
    );
  });
}

/**
 * Path parameters are judged by their route's schema, which names them: the router's own limit is only a guard
 * against absurd lengths, far above any valid value (a RoomId is at most 48 bytes).
 */
export const MAX_PATH_PARAM_CHARS = 1024;

/**
 * Errors Fastify raises before a route is found: a path that is not valid percent-encoded UTF-8, or a parameter
 * over MAX_PATH_PARAM_CHARS. No hook runs for them, so the request log is told of them here; they are answered as
 * every other error is, a problem naming the path parameter (the only one a caller's text can fill is `roomId`).
 */
export function createFrameworkErrorHandler(metrics: Metrics) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    logUnroutedRequest(request, reply, metrics);
    const param = pathOf(request.url).startsWith('/rooms/') ? 'roomId' : '';
    const message =
      err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? `is longer than the ${MAX_PATH_PARAM_CHARS} characters the gateway reads`
        : err.code === 'FST_ERR_BAD_URL'
          ? 'is not valid percent-encoded UTF-8'
          : err.message;
    sendProblem(
      request,
      reply,
      new ProblemError('validation-failed', 'The request URL cannot be read; nothing was sent to Tencent.', {
        errors: [{ path: param, message: param === '' ? `the URL path ${message}` : message }],
      }),
    );
  };
}

export function problemSlugs(): ProblemSlug[] {
  return Object.keys(PROBLEM_TYPES) as ProblemSlug[];
}
