/**
 * Responses match the document: real answers of the gateway, for success and for every problem type it can
 * produce, validated against the response schemas of the checked-in openapi/openapi.json (JSON Schema 2020-12,
 * as OpenAPI 3.1 uses) for their status and media type, with the documented headers. Problem bodies are also
 * compared with the document's example of their type, so the examples stay true.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BILLING,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startGatewayWith,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';
import { buildApp } from '../app.js';
import { createMetrics } from '../ops/metrics.js';
import { PROBLEM_TYPES, type ProblemSlug } from '../problems/catalog.js';
import type { Problem } from '../problems/problem.js';
import type { Fault } from '../sandbox/faults.js';

interface Media {
  schema: object;
  examples?: Record<string, { value: unknown }>;
}
interface DocumentedResponse {
  headers?: Record<string, { schema: object }>;
  content?: Record<string, Media>;
}
interface Document {
  components: { schemas: Record<string, object> };
  paths: Record<
    string,
    Record<
      string,
      { responses: Record<string, DocumentedResponse>; requestBody?: { content: Record<string, Media> } }
    >
  >;
}

const document: Document = JSON.parse(
  readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
);

/** The document's `#/components/schemas/X` references, pointed at the components registered with ajv. */
const COMPONENTS = 'urn:roomgate:openapi:components';
const withResolvableRefs = <T>(schema: T): T =>
  JSON.parse(JSON.stringify(schema), (key, value) =>
    key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')
      ? `${COMPONENTS}#/$defs/${value.slice('#/components/schemas/'.length)}`
      : value,
  );

// Strict: a keyword ajv does not know would be an error, not silently ignored. OpenAPI 3.1 adds `example`.
// Union types (`"type": ["string", "number"]`) are valid JSON Schema: Tencent sends Category tags of either kind.
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
ajv.addKeyword('example');
ajv.addSchema({ $id: COMPONENTS, $defs: withResolvableRefs(document.components.schemas) });
const validators = new Map<object, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(withResolvableRefs(schema));
    validators.set(schema, validate);
  }
  return validate;
}

/** Every problem type seen in a validated answer, to check at the end that none was left out. */
const seen = new Set<string>();

/**
 * Asserts that `res` is documented for `method path` (its status, its media type, every documented header with
 * a valid value) and that its body is valid against the documented schema. Returns the body.
 */
async function expectDocumented(
  method: string,
  path: string,
  res: Response,
): Promise<Record<string, unknown>> {
  const where = `${method.toUpperCase()} ${path} ${res.status}`;
  const operation = document.paths[path]?.[method];
  expect(operation, `${method} ${path} is in the document`).toBeDefined();
  const documented = operation?.responses[String(res.status)];
  expect(documented, `${where} is documented`).toBeDefined();

  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const media = documented?.content?.[mediaType];
  expect(media, `${where} is documented as ${mediaType}`).toBeDefined();
  const body = (await res.json()) as Record<string, unknown>;
  const validate = validatorFor(media?.schema as object);
  expect(validate(body) ? [] : validate.errors, `${where} body`).toEqual([]);

  for (const [name, header] of Object.entries(documented?.headers ?? {})) {
    const raw = res.headers.get(name);
    expect(raw, `${where} header ${name}`).not.toBeNull();
    const type = (header.schema as { type?: string }).type;
    const value = type === 'integer' && /^-?\d+$/.test(raw ?? '') ? Number(raw) : raw;
    const validateHeader = validatorFor(header.schema);
    expect(validateHeader(value) ? [] : validateHeader.errors, `${where} header ${name}`).toEqual([]);
  }

  if (mediaType === 'application/problem+json') {
    const slug = String(body.type).replace('/problems/', '');
    expect(Object.keys(media?.examples ?? {}), `${where} lists ${slug} among its problem types`).toContain(
      slug,
    );
    seen.add(slug);
  }
  return body;
}

/** The document's example of this problem type on this route and status. */
function problemExample(path: string, method: string, status: number, slug: ProblemSlug): Problem {
  const responses = document.paths[path]?.[method]?.responses;
  const value = responses?.[String(status)]?.content?.['application/problem+json']?.examples?.[slug]?.value;
  if (!value) throw new Error(`the document has no ${slug} example for ${method} ${path} ${status}`);
  return value as Problem;
}

/**
 * The example as the real answer would be with the example's request ID (sent as X-Request-Id): only Tencent's
 * own RequestId is taken from the real answer.
 */
function exampleOf(
  path: string,
  method: string,
  status: number,
  slug: ProblemSlug,
  real: Record<string, unknown>,
) {
  const example = problemExample(path, method, status, slug);
  const upstream = real.upstream as Problem['upstream'];
  return example.upstream && upstream
    ? { ...example, upstream: { ...example.upstream, requestId: upstream.requestId } }
    : example;
}

const exampleRequestId = (path: string, method: string, status: number, slug: ProblemSlug) =>
  problemExample(path, method, status, slug).requestId;

let sandbox: RunningSandbox;
let gateway: RunningGateway;

beforeAll(async () => {
  sandbox = await startSandbox();
  // Many upstream faults in a row: a circuit breaker opening would hide them (it has tests of its own).
  gateway = await startGatewayWith(testConfig(sandbox, { upstreamTimeoutMs: 300 }), {
    breaker: { failures: 1000 },
  });
});
afterAll(async () => {
  await gateway.close();
  await sandbox.close();
});

const showroom = (id: string) => ({
  RoomInfo: { RoomId: id, Owner_Account: 'testA', SeatTemplate: 'VideoDynamicGrid9Seats' },
});

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/rooms`, {
    method: 'POST',
    headers: { ...BILLING, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /rooms answers as documented', () => {
  const examples = Object.entries(
    document.paths['/rooms']?.post?.requestBody?.content['application/json']?.examples ?? {},
  );

  it.each(examples)('201 for the %s request example, with Location', async (_name, example) => {
    const res = await post(gateway.url, example.value);
    expect(res.status).toBe(201);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body.created).toBe(true);
  });

  it('200 created:false when the room exists with the same owner', async () => {
    const id = roomId('live');
    sandbox.state.rooms.set(id, { RoomId: id, RoomType: 'Live', Owner_Account: 'testA', CreateTime: 1 });
    const res = await post(gateway.url, showroom(id));
    expect(res.status).toBe(200);
    expect(await expectDocumented('post', '/rooms', res)).toMatchObject({ roomId: id, created: false });
  });

  it('400 validation-failed, exactly as its example', async () => {
    const requestId = exampleRequestId('/rooms', 'post', 400, 'validation-failed');
    const res = await post(
      gateway.url,
      { RoomInfo: { RoomId: 'r'.repeat(57), Owner_account: 'testA', SeatTemplate: 'AudioSalon' } },
      { 'x-request-id': requestId },
    );
    expect(res.status).toBe(400);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toEqual(exampleOf('/rooms', 'post', 400, 'validation-failed', body));
  });

  it('401 unauthorized, exactly as its example', async () => {
    const requestId = exampleRequestId('/rooms', 'post', 401, 'unauthorized');
    const res = await post(gateway.url, showroom(roomId()), { authorization: '', 'x-request-id': requestId });
    expect(res.status).toBe(401);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toEqual(exampleOf('/rooms', 'post', 401, 'unauthorized', body));
  });

  it('413 payload-too-large, exactly as its example', async () => {
    const requestId = exampleRequestId('/rooms', 'post', 413, 'payload-too-large');
    const res = await post(
      gateway.url,
      { RoomInfo: { RoomId: 'big', SeatTemplate: 'AudioSalon', RoomName: 'x'.repeat(17_000) } },
      { 'x-request-id': requestId },
    );
    expect(res.status).toBe(413);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toEqual(exampleOf('/rooms', 'post', 413, 'payload-too-large', body));
  });

  it('400 validation-failed for a body not labelled JSON, as documented', async () => {
    const res = await post(gateway.url, 'RoomId=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(400);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toMatchObject({ type: '/problems/validation-failed', errors: [{ path: '' }] });
  });

  it('429 rate-limited with limit room and Retry-After, exactly as its example', async () => {
    const id = roomId();
    expect((await post(gateway.url, showroom(id))).status).toBe(201);
    const requestId = exampleRequestId('/rooms', 'post', 429, 'rate-limited');
    const res = await post(gateway.url, showroom(id), { 'x-request-id': requestId });
    expect(res.status).toBe(429);
    const body = await expectDocumented('post', '/rooms', res);
    // How long to wait depends on when the second request came; the example shows 1 s.
    const seconds = res.headers.get('retry-after');
    expect(body.detail).toContain(`Retry in ${seconds} s.`);
    expect({
      ...body,
      detail: String(body.detail).replace(`Retry in ${seconds} s.`, 'Retry in 1 s.'),
    }).toEqual(exampleOf('/rooms', 'post', 429, 'rate-limited', body));
  });

  it('429 rate-limited with limit global', async () => {
    const limited = await startGateway(
      testConfig(sandbox, { limits: { globalPerSecond: 1, queueMs: 0, replicas: 1, marginMs: 25 } }),
    );
    try {
      expect((await post(limited.url, showroom(roomId()))).status).toBe(201);
      const res = await post(limited.url, showroom(roomId()));
      expect(res.status).toBe(429);
      expect(await expectDocumented('post', '/rooms', res)).toMatchObject({ limit: 'global' });
    } finally {
      await limited.close();
    }
  });

  // Tencent's answers, each as its problem type's example says (the sandbox sends the example's ErrorInfo).
  it.each([
    [400, 'invalid-parameters', 100002],
    [409, 'room-id-taken', 100003],
    [409, 'room-id-reserved-by-chat', 100011],
    [422, 'sensitive-content', 100026],
    [429, 'upstream-rate-limited', 100012],
    [502, 'upstream-failure', 70020],
  ] as const)('%d %s for Tencent %d, exactly as its example', async (status, slug, code) => {
    const example = exampleOf('/rooms', 'post', status, slug, {});
    sandbox.state.faults.add({
      fault: { kind: 'code', code, info: example.upstream?.errorInfo as string },
      times: 1,
    });
    const res = await post(gateway.url, showroom(roomId()), { 'x-request-id': example.requestId });
    expect(res.status).toBe(status);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toEqual(exampleOf('/rooms', 'post', status, slug, body));
  });

  it.each<[string, Fault]>([
    ['an HTML error page', { kind: 'http-status', status: 503 }],
    ['a body that is not JSON', { kind: 'non-json' }],
  ])('502 upstream-failure without upstream for %s', async (_what, fault) => {
    sandbox.state.faults.add({ fault, times: 1 });
    const res = await post(gateway.url, showroom(roomId()));
    expect(res.status).toBe(502);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toMatchObject({ type: '/problems/upstream-failure' });
    expect(body).not.toHaveProperty('upstream');
  });

  it('503 upstream-unavailable with Retry-After while the circuit is open', async () => {
    const fragile = await startGatewayWith(testConfig(sandbox), {
      breaker: { failures: 1, cooldownMs: 60_000 },
    });
    try {
      sandbox.state.faults.add({ fault: { kind: 'non-json' }, times: 1 });
      expect((await post(fragile.url, showroom(roomId()))).status).toBe(502);
      const res = await post(fragile.url, showroom(roomId()));
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await expectDocumented('post', '/rooms', res)).toMatchObject({
        type: '/problems/upstream-unavailable',
      });
    } finally {
      await fragile.close();
    }
  });

  it("200s of a room's life (read, update, list, dismiss) as documented", async () => {
    const id = roomId('doc');
    expect((await post(gateway.url, showroom(id))).status).toBe(201);
    const at = `${gateway.url}/rooms/${id}`;
    const json = { ...BILLING, 'content-type': 'application/json' };
    await expectDocumented('get', '/rooms/{roomId}', await fetch(at, { headers: BILLING }));
    const patch = {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ RoomInfo: { RoomName: 'renamed' } }),
    };
    await expectDocumented('patch', '/rooms/{roomId}', await fetch(at, patch));
    await expectDocumented(
      'get',
      '/rooms',
      await fetch(`${gateway.url}/rooms?limit=5`, { headers: BILLING }),
    );
    await expectDocumented(
      'delete',
      '/rooms/{roomId}',
      await fetch(at, { method: 'DELETE', headers: BILLING }),
    );
  });

  it.each([
    ['400 for a body that is not JSON', 400, 'text/plain', 'dismiss it'],
    ['413 for a body over 16 KiB', 413, 'application/json', JSON.stringify({ pad: 'x'.repeat(17_000) })],
  ])(
    'DELETE answers %s, as documented (a body is read when one is sent)',
    async (_what, status, type, body) => {
      const res = await fetch(`${gateway.url}/rooms/${roomId('del')}`, {
        method: 'DELETE',
        headers: { ...BILLING, 'content-type': type },
        body,
      });
      expect(res.status).toBe(status);
      await expectDocumented('delete', '/rooms/{roomId}', res);
    },
  );

  it('404 room-not-found for a room Tencent does not know', async () => {
    const res = await fetch(`${gateway.url}/rooms/${roomId('unknown')}`, { headers: BILLING });
    expect(res.status).toBe(404);
    expect(await expectDocumented('get', '/rooms/{roomId}', res)).toMatchObject({
      type: '/problems/room-not-found',
    });
  });

  it('504 upstream-timeout when Tencent never answers, shaped as its example', async () => {
    sandbox.state.faults.add({ fault: { kind: 'hang' }, times: 1 });
    const requestId = exampleRequestId('/rooms', 'post', 504, 'upstream-timeout');
    const res = await post(gateway.url, showroom(roomId()), { 'x-request-id': requestId });
    expect(res.status).toBe(504);
    const body = await expectDocumented('post', '/rooms', res);
    // The example shows the default 5000 ms deadline; this gateway's is 300 ms.
    const example = exampleOf('/rooms', 'post', 504, 'upstream-timeout', body);
    expect(body).toEqual({ ...example, detail: example.detail.replace('5000 ms', '300 ms') });
  });
});

describe('a gateway whose upstream client fails unexpectedly and whose readiness check fails', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = await buildApp({
      config: testConfig(sandbox),
      logger: pino({ level: 'silent' }),
      tencent: {
        call: async () => {
          throw new TypeError('a bug');
        },
        refuseEarly: () => undefined,
        close: async () => {},
      },
      readiness: [{ name: 'limiter', check: () => ({ ok: false, reason: 'Redis unreachable' }) }],
      metrics: createMetrics(),
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('answers 500 internal-error, exactly as its example', async () => {
    const requestId = exampleRequestId('/rooms', 'post', 500, 'internal-error');
    const res = await post(url, showroom(roomId()), { 'x-request-id': requestId });
    expect(res.status).toBe(500);
    const body = await expectDocumented('post', '/rooms', res);
    expect(body).toEqual(exampleOf('/rooms', 'post', 500, 'internal-error', body));
  });

  it('answers /readyz with 503 as documented', async () => {
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await expectDocumented('get', '/readyz', res)).toMatchObject({ status: 'unready' });
  });
});

describe('the other routes answer as documented', () => {
  it('GET /healthz and /readyz 200', async () => {
    await expectDocumented('get', '/healthz', await fetch(`${gateway.url}/healthz`));
    await expectDocumented('get', '/readyz', await fetch(`${gateway.url}/readyz`));
  });

  it.each(Object.keys(PROBLEM_TYPES))('GET /problems/%s 200', async (slug) => {
    await expectDocumented('get', '/problems/{slug}', await fetch(`${gateway.url}/problems/${slug}`));
  });

  it('GET /problems/{slug} 404 not-found, exactly as its example', async () => {
    const requestId = exampleRequestId('/problems/{slug}', 'get', 404, 'not-found');
    const res = await fetch(`${gateway.url}/problems/no-such-thing`, {
      headers: { 'x-request-id': requestId },
    });
    expect(res.status).toBe(404);
    const body = await expectDocumented('get', '/problems/{slug}', res);
    expect(body).toEqual(exampleOf('/problems/{slug}', 'get', 404, 'not-found', body));
  });
});

describe('coverage', () => {
  /** Problem types no documented route can produce yet, with the reason. */
  const NOT_PRODUCIBLE: Partial<Record<ProblemSlug, string>> = {
    // Answered where a path is given a method it has no operation for, so no operation can declare it
    // (allowed-methods.test.ts checks its answers instead).
    'method-not-allowed': 'only for a method without an operation',
    // Answered by the HTTP server before a request can be read as one, so before any operation
    // (client-errors.test.ts checks their answers against their examples).
    'malformed-request': 'before any route',
    'request-timeout': 'before any route',
    'headers-too-large': 'before any route',
  };

  it('has validated an answer of every problem type a documented route can produce', () => {
    const expected = Object.keys(PROBLEM_TYPES).filter((slug) => !(slug in NOT_PRODUCIBLE));
    expect([...seen].sort()).toEqual(expected.sort());
  });
});
