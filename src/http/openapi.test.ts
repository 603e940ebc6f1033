import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { gatewayStackForTests } from '../../test/helpers.js';
import { PROBLEM_TYPES } from '../problems/catalog.js';
import { buildOpenApiDocument } from './openapi-document.js';

const stack = gatewayStackForTests();

describe('the OpenAPI document', () => {
  it('is checked in exactly as the code produces it (run `npm run openapi` after changing a route)', async () => {
    const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(await buildOpenApiDocument());
  });

  it('is served at /openapi.json byte for byte as the checked-in file', async () => {
    const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    const res = await fetch(`${stack.gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe(committed);
  });

  it('is OpenAPI 3.1 with a bearer scheme and every problem status of POST /rooms', async () => {
    const doc = JSON.parse(await buildOpenApiDocument());
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const createRoom = doc.paths['/rooms'].post;
    expect(createRoom.operationId).toBe('createRoom');
    expect(createRoom.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(createRoom.responses).sort()).toEqual(
      ['200', '201', '400', '401', '409', '413', '422', '429', '500', '502', '503', '504'].sort(),
    );
    expect(createRoom.responses['429'].headers['Retry-After']).toBeDefined();
    expect(createRoom.responses['201'].headers.Location).toBeDefined();
    expect(createRoom.responses['409'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });

  it("names the Create Room page's Showroom Live and Voice Chat Room scenarios as request examples", async () => {
    const doc = JSON.parse(await buildOpenApiDocument());
    const media = doc.paths['/rooms'].post.requestBody.content['application/json'];
    expect(Object.keys(media.examples)).toEqual(['showroomLive', 'voiceChatRoom']);
    expect(media.examples.showroomLive).toMatchObject({
      summary: 'Showroom Live',
      value: { RoomInfo: { RoomId: 'live_testA', SeatTemplate: 'VideoDynamicGrid9Seats' } },
    });
    expect(media.examples.voiceChatRoom).toMatchObject({
      summary: 'Voice Chat Room',
      value: { RoomInfo: { RoomId: 'voice_testA', SeatTemplate: 'AudioSalon', MaxSeatCount: 10 } },
    });
  });

  it('gives the 201 and the idempotent 200 of POST /rooms an example each', async () => {
    const doc = JSON.parse(await buildOpenApiDocument());
    const { responses } = doc.paths['/rooms'].post;
    expect(responses['201'].content['application/json'].examples.created.value).toMatchObject({
      created: true,
    });
    expect(responses['200'].content['application/json'].examples.exists.value).toMatchObject({
      created: false,
    });
    expect(responses['201'].headers.Location.schema.examples).toEqual(['/rooms/live_testA']);
  });

  it('gives every problem response one example per problem type it lists, named after the type', async () => {
    const doc = JSON.parse(await buildOpenApiDocument());
    for (const [path, operations] of Object.entries<Record<string, { responses: object }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries<{
          description: string;
          content?: Record<
            string,
            { examples?: Record<string, { value: { type: string; status: number } }> }
          >;
        }>(operation.responses as never)) {
          const problem = response.content?.['application/problem+json'];
          if (!problem) continue;
          const where = `${method} ${path} ${status}`;
          const listed = [...response.description.matchAll(/`\/problems\/([a-z-]+)`/g)].map((m) => m[1]);
          expect(Object.keys(problem.examples ?? {}), where).toEqual(listed);
          for (const [slug, example] of Object.entries(problem.examples ?? {})) {
            expect(example.value, where).toMatchObject({ type: `/problems/${slug}`, status: Number(status) });
          }
        }
      }
    }
  });

  it('says which operations need no API key, and is served from the same origin', async () => {
    const doc = JSON.parse(await buildOpenApiDocument());
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    for (const path of ['/healthz', '/readyz', '/problems/{slug}'])
      expect(doc.paths[path].get.security).toEqual([]);
    expect(doc.paths['/rooms'].post.security).toEqual([{ apiKey: [] }]);
  });

  it('serves Swagger UI at /docs from the gateway itself, without a CDN', async () => {
    const res = await fetch(`${stack.gateway.url}/docs/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\.[a-z]+\//i);
  });
});

describe('GET /problems/{slug}', () => {
  it.each(Object.keys(PROBLEM_TYPES))('explains %s', async (slug) => {
    const res = await fetch(`${stack.gateway.url}/problems/${slug}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      type: `/problems/${slug}`,
      status: PROBLEM_TYPES[slug as keyof typeof PROBLEM_TYPES].status,
      title: expect.any(String),
      description: expect.any(String),
    });
  });

  it('lists the Tencent codes behind a problem type', async () => {
    const res = await fetch(`${stack.gateway.url}/problems/upstream-rate-limited`);
    const body = (await res.json()) as { tencentCodes: { code: number }[] };
    const codes = body.tencentCodes.map((c) => c.code).sort((a, b) => a - b);
    expect(codes).toEqual([60007, 60011, 60018, 60019, 100012]);
  });

  it('answers 404 not-found as a problem for an unknown slug', async () => {
    const res = await fetch(`${stack.gateway.url}/problems/no-such-thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ type: '/problems/not-found', status: 404 });
  });
});

describe('operations', () => {
  it('answers /healthz with 200 {"status":"ok"} and an X-Request-Id', async () => {
    const res = await fetch(`${stack.gateway.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers /readyz with 200 when configured', async () => {
    const res = await fetch(`${stack.gateway.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });

  it('answers unknown routes with a 404 not-found problem', async () => {
    const res = await fetch(`${stack.gateway.url}/rooms-typo`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: '/problems/not-found' });
  });
});
