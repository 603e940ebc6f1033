import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

type Transform = typeof jsonSchemaTransform;
type TransformObject = typeof jsonSchemaTransformObject;

/** The zod transform drops `headers` of content-typed responses (Location, Retry-After); put them back. */
const transformKeepingHeaders: Transform = (input) => {
  const output = jsonSchemaTransform(input);
  const original = (input.schema as { response?: Record<string, { headers?: unknown }> } | undefined)
    ?.response;
  const transformed = (output.schema as { response?: Record<string, Record<string, unknown>> } | undefined)
    ?.response;
  for (const [status, entry] of Object.entries(original ?? {})) {
    const target = transformed?.[status];
    if (entry.headers && target) target.headers = entry.headers;
  }
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
