import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

type Transform = typeof jsonSchemaTransform;
type TransformObject = typeof jsonSchemaTransformObject;

interface ContentTypedResponse {
  headers?: unknown;
  content?: Record<string, Record<string, unknown>>;
}

/** Sent with every answer (request-log.ts), so documented on every response. */
const REQUEST_ID_HEADER = {
  type: 'string',
  pattern: '^[A-Za-z0-9._:-]{1,128}$',
  description:
    "The request's ID: the caller's X-Request-Id when it is 1 to 128 characters of `A-Za-z0-9._:-`, else a UUID the gateway made. Problems carry it as `requestId`.",
  examples: ['3f6d2b0e-8c1a-4f5e-9b7d-2a4c6e8f0a1b'],
};

/**
 * The zod transform keeps only the description and the schemas of content-typed responses; put back what it
 * drops: `headers` (Location, Retry-After; X-Request-Id on every response) and each media type's `examples`. A route that declares no security
 * requirement needs no API key, and says so (`security: []`) instead of leaving readers to guess.
 */
const transformKeepingHeaders: Transform = (input) => {
  const output = jsonSchemaTransform(input);
  const schema = input.schema as { response?: Record<string, ContentTypedResponse>; security?: unknown };
  const transformed = output.schema as {
    response?: Record<string, ContentTypedResponse>;
    security?: unknown;
    hide?: boolean;
  };
  for (const [status, entry] of Object.entries(schema?.response ?? {})) {
    const target = transformed?.response?.[status];
    if (!target) continue;
    target.headers = { 'X-Request-Id': REQUEST_ID_HEADER, ...(entry.headers ?? {}) };
    for (const [type, media] of Object.entries(entry.content ?? {})) {
      const { schema: _schema, ...extras } = media;
      const targetMedia = target.content?.[type];
      if (targetMedia) Object.assign(targetMedia, extras);
    }
  }
  if (transformed && !transformed.hide && transformed.security === undefined) transformed.security = [];
  return output;
};

/**
 * Each schema with an id is emitted twice, for input and output; drop the copies nothing refers to (the
 * Problem schema is only ever an output) so the document lists what it uses.
 */
const transformObjectWithoutUnused: TransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) {
    const { [name]: _self, ...rest } = schemas;
    const elsewhere = JSON.stringify({ ...document, components: { ...document.components, schemas: rest } });
    if (!elsewhere.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  }
  return document as ReturnType<TransformObject>;
};

export const API_VERSION = '0.1.0';

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas, served at /openapi.json with Swagger UI
 * at /docs (assets served by the gateway itself, no CDN). Must be registered before the routes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'roomgate',
        version: API_VERSION,
        description:
          "A gateway to Tencent RTC Live rooms: it holds the administrator secret, validates requests, keeps Tencent's rate limits across replicas, and answers with proper HTTP statuses and RFC 9457 problems.",
      },
      // Relative: the gateway that serves this document (Swagger UI's "Try it out" calls it back); clients and
      // the Postman collection set their own base URL.
      servers: [{ url: '/', description: 'The gateway serving this document' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'One of the secrets in ROOMGATE_API_KEYS.' },
        },
      },
      tags: [
        { name: 'rooms', description: 'Live rooms' },
        { name: 'problems', description: 'Problem types' },
        { name: 'operations', description: 'Health and readiness' },
      ],
    },
    transform: transformKeepingHeaders,
    transformObject: transformObjectWithoutUnused,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { url: '/openapi.json' } });
  // The checked-in file's very bytes (pretty-printed, a final newline), made once: a client may compare them.
  let text: string | undefined;
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => {
    text ??= openApiDocumentText(app);
    return reply.type('application/json; charset=utf-8').send(text);
  });
}

/** The document as openapi/openapi.json holds it. */
export function openApiDocumentText(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
