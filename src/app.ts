import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createApiKeyAuth } from './http/auth.js';
import { createClientErrorHandler } from './http/client-errors.js';
import {
  createFrameworkErrorHandler,
  MAX_PATH_PARAM_CHARS,
  registerErrorHandling,
} from './http/error-handler.js';
import { registerGracefulClose } from './http/graceful-close.js';
import { registerJsonBody } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { requestIdFor } from './http/request-id.js';
import { registerRequestLog } from './http/request-log.js';
import { zodValidatorCompiler } from './http/validation.js';
import type { Metrics } from './ops/metrics.js';
import { opsRoutes, type ReadinessCheck } from './ops/routes.js';
import { problemRoutes } from './problems/routes.js';
import { roomRoutes } from './rooms/routes.js';
import type { TencentClient } from './tencent/client.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  tencent: TencentClient;
  readiness: ReadinessCheck[];
  metrics: Metrics;
}

/** Room bodies are a few hundred bytes; anything near this is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * A client gets 10 s to send its headers and 15 s for the whole request (slow-loris protection); a request over
 * them is answered 408 request-timeout.
 */
const REQUEST_DEADLINES = { headersMs: 10_000, requestMs: 15_000 };

/** Builds the gateway from its collaborators; reads no environment, so tests build it the same way. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; saying so keeps the instance's type the default one plugins expect.
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    // Fastify's own two lines per request are replaced by one line with what roomgate knows (request-log.ts).
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_CHARS },
    frameworkErrors: createFrameworkErrorHandler(deps.metrics),
    clientErrorHandler: createClientErrorHandler(deps.logger, deps.metrics, REQUEST_DEADLINES),
    // Node looks for requests over their time only every `connectionsCheckingInterval`, 30 s by default, which
    // let a client that stalled its headers hold its connection for 30 s: it looks every second.
    http: { headersTimeout: REQUEST_DEADLINES.headersMs, connectionsCheckingInterval: 1000 },
    requestTimeout: REQUEST_DEADLINES.requestMs,
    // Idle keep-alive connections are kept 65 s, longer than the usual load balancer's 60 s, so it closes first.
    keepAliveTimeout: 65_000,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // Answers are built by roomgate's own code, typed by the route's zod schema at compile time (the type provider)
  // and checked against the OpenAPI document by the test suite; checking each one again at run time (the type
  // provider's serializer) cost four times what JSON.stringify does, on every request. So every reply is
  // serialized by JSON.stringify as the default reply serializer, which also spares Fastify looking the route's
  // serializer up by status code (it re-parsed the reply's Content-Type each time, the responses being declared
  // per media type). The compiler below then runs only at start-up, where Fastify compiles one per response
  // schema: it must accept zod schemas, which Fastify's own (JSON Schema) compiler would not.
  app.setReplySerializer((payload) => JSON.stringify(payload));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  registerRequestLog(app, deps.metrics);
  const shutdownCheck = registerGracefulClose(app);
  registerErrorHandling(app);
  registerJsonBody(app);
  await registerOpenApi(app);

  await app.register(opsRoutes, {
    checks: [...deps.readiness, shutdownCheck],
    registry: deps.metrics.registry,
  });
  await app.register(problemRoutes);
  await app.register(roomRoutes, {
    tencent: deps.tencent,
    authenticate: createApiKeyAuth(deps.config.apiKeys),
  });
  return app;
}
