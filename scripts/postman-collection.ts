/**
 * The Postman collection and environment, generated from the OpenAPI document with openapi-to-postmanv2 and
 * then made runnable: one request per named request example, `{{baseUrl}}` and `{{apiKey}}` variables, and a
 * test script on every request asserting the statuses, media types and headers the document promises.
 * `npm run openapi` writes them beside the document; a test fails when the checked-in files differ.
 */
import { createHash } from 'node:crypto';
import { convertV2 } from 'openapi-to-postmanv2';

/** The parts of an OpenAPI 3.1 document the collection is made from. */
interface OpenApiDocument {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

interface Example {
  summary?: string;
  description?: string;
  value: unknown;
}

interface MediaType {
  examples?: Record<string, Example>;
  example?: unknown;
}

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: {
    in: string;
    name: string;
    required?: boolean;
    example?: unknown;
    examples?: Record<string, Example>;
    schema?: { example?: unknown; examples?: unknown[] };
  }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, { schema?: { examples?: unknown[] } }>;
      content?: Record<string, MediaType>;
    }
  >;
}

interface PostmanVariable {
  key: string;
  value: string;
  type?: string;
  description?: string;
  disabled?: boolean;
}

interface PostmanRequest {
  method: string;
  url: { host: string[]; path: string[]; query?: unknown[]; variable?: PostmanVariable[] };
  header?: { key: string; value: string }[];
  body?: { mode: string; raw?: string; options?: unknown };
  auth?: unknown;
  description?: unknown;
  name?: string;
}

interface PostmanItem {
  id?: string;
  name: string;
  item?: PostmanItem[];
  request?: PostmanRequest;
  response?: unknown[];
  event?: unknown[];
  description?: unknown;
}

interface PostmanCollection {
  info: Record<string, unknown>;
  item: PostmanItem[];
  variable?: PostmanVariable[];
  auth?: unknown;
  event?: unknown[];
}

export const DEFAULT_BASE_URL = 'http://localhost:8080';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A stable UUID-shaped id, so that the generated files only change when the document does. */
function stableId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  // Shaped like a name-based UUID (version 5, RFC 4122 variant), as Postman expects ids to look.
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function convert(document: OpenApiDocument): Promise<PostmanCollection> {
  return new Promise((resolve, reject) => {
    convertV2(
      { type: 'json', data: document },
      {
        folderStrategy: 'Tags',
        requestNameSource: 'Fallback',
        parametersResolution: 'Example',
        // Responses are saved from the document's named examples below; faking bodies from the schemas
        // would be random, so the checked-in file would never be stable.
        schemaFaker: false,
        includeAuthInfoInExample: false,
      },
      (err, result) => {
        const data = result?.output?.[0]?.data;
        if (err || !result?.result || !data) {
          reject(new Error(`openapi-to-postmanv2 failed: ${err?.message ?? result?.reason ?? 'no output'}`));
        } else {
          resolve(data as PostmanCollection);
        }
      },
    );
  });
}

/** `['problems', ':slug']` → `/problems/{slug}`, the key of the operation in the document. */
function pathTemplate(request: PostmanRequest): string {
  return `/${request.url.path.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`;
}

function firstExample(parameter: NonNullable<Operation['parameters']>[number]): unknown {
  if (parameter.example !== undefined) return parameter.example;
  const [first] = Object.values(parameter.examples ?? {});
  if (first) return first.value;
  // zod puts a parameter's example inside its schema when the schema carries other metadata too.
  return parameter.schema?.example ?? parameter.schema?.examples?.[0];
}

/** Successful statuses of an operation with their media type and headers, as the test script checks them. */
function documentedSuccesses(operation: Operation) {
  return Object.fromEntries(
    Object.entries(operation.responses)
      .filter(([status]) => /^2\d\d$/.test(status))
      .map(([status, response]) => [
        status,
        {
          type: Object.keys(response.content ?? {})[0] ?? null,
          headers: Object.keys(response.headers ?? {}),
        },
      ]),
  );
}

function testScript(method: string, path: string, operation: Operation): string[] {
  const successes = documentedSuccesses(operation);
  const statuses = Object.keys(successes);
  return [
    `// Generated from openapi/openapi.json: what ${method} ${path} documents for success.`,
    `const documented = ${JSON.stringify(successes)};`,
    `pm.test('answers a documented success status (${statuses.join(' or ')})', () => {`,
    '  pm.expect(Object.keys(documented)).to.include(String(pm.response.code));',
    '});',
    `pm.test('answers with the documented media type and headers', () => {`,
    '  const expected = documented[String(pm.response.code)];',
    "  pm.expect(expected, 'documented status').to.be.an('object');",
    "  if (expected.type) pm.expect(pm.response.headers.get('Content-Type') || '').to.include(expected.type);",
    '  for (const name of expected.headers) pm.expect(pm.response.headers.has(name), name).to.equal(true);',
    '});',
  ];
}

/** One saved response per named example of each documented status. */
function savedResponses(operation: Operation, request: PostmanRequest): unknown[] {
  const saved: unknown[] = [];
  for (const [status, response] of Object.entries(operation.responses)) {
    for (const [type, media] of Object.entries(response.content ?? {})) {
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        const headers = [{ key: 'Content-Type', value: type }];
        for (const [header, spec] of Object.entries(response.headers ?? {})) {
          const value = spec.schema?.examples?.[0];
          if (value !== undefined) headers.push({ key: header, value: String(value) });
        }
        saved.push({
          name: `${status} ${example.summary ?? name}`,
          originalRequest: request,
          status: STATUS_TEXT[Number(status)] ?? '',
          code: Number(status),
          header: headers,
          body: JSON.stringify(example.value, null, 2),
          _postman_previewlanguage: 'json',
        });
      }
    }
  }
  return saved;
}

/** The runnable requests of one converted operation: one per named request example, or the request itself. */
function requestsFor(item: PostmanItem, document: OpenApiDocument): PostmanItem[] {
  const request = item.request as PostmanRequest;
  const method = request.method.toUpperCase();
  const path = pathTemplate(request);
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the collection has ${method} ${path}, which the document lacks`);

  for (const variable of request.url.variable ?? []) {
    const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === variable.key);
    const value = parameter && firstExample(parameter);
    if (value === undefined) {
      throw new Error(
        `${method} ${path}: path parameter "${variable.key}" has no example, so its request cannot run; give it one`,
      );
    }
    variable.value = String(value);
  }
  // Optional query parameters are listed for the reader but left off, so the request runs as documented.
  for (const entry of (request.url.query ?? []) as { key: string; disabled?: boolean }[]) {
    const parameter = operation.parameters?.find((p) => p.in === 'query' && p.name === entry.key);
    if (!parameter?.required) entry.disabled = true;
  }
  const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
  // Requests that need a key inherit the collection's `Bearer {{apiKey}}`; the others say they need none.
  const { name: _name, auth: _auth, ...rest } = request;
  const base: PostmanRequest = { ...rest, ...(isPublic ? { auth: { type: 'noauth' } } : {}) };
  const event = [
    { listen: 'test', script: { type: 'text/javascript', exec: testScript(method, path, operation) } },
  ];

  const examples = Object.entries(operation.requestBody?.content['application/json']?.examples ?? {});
  if (examples.length === 0) {
    return [{ name: item.name, request: base, response: savedResponses(operation, base), event }];
  }
  return examples.map(([name, example]) => {
    const operationText = (base.description as { content?: string } | undefined)?.content ?? '';
    const exampleRequest: PostmanRequest = {
      ...base,
      description: {
        content: [example.description, operationText].filter(Boolean).join('\n\n'),
        type: 'text/plain',
      },
      body: { ...base.body, mode: 'raw', raw: JSON.stringify(example.value, null, 2) },
    };
    return {
      name: `${item.name}: ${example.summary ?? name}`,
      request: exampleRequest,
      response: savedResponses(operation, exampleRequest),
      event,
    };
  });
}

/** A room's life in order, so a run creates before it reads, updates, and finally dismisses. */
const METHOD_ORDER = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'];
const methodRank = (item: PostmanItem) =>
  item.request ? METHOD_ORDER.indexOf((item.request as PostmanRequest).method.toUpperCase()) : -1;

function rebuild(items: PostmanItem[], document: OpenApiDocument): PostmanItem[] {
  return items
    .flatMap((item) => {
      if (item.item) {
        const { id: _id, ...folder } = item;
        return [{ ...folder, item: rebuild(item.item, document) }];
      }
      return requestsFor(item, document);
    })
    .sort((a, b) => methodRank(a) - methodRank(b));
}

/** The collection for `documentText` (openapi/openapi.json), serialized as it is checked in. */
export async function buildPostmanCollection(documentText: string): Promise<string> {
  const document = JSON.parse(documentText) as OpenApiDocument;
  const converted = await convert(document);
  const collection: PostmanCollection = {
    info: {
      _postman_id: stableId('roomgate', 'collection'),
      name: document.info.title,
      description: {
        content: `${document.info.description ?? ''}\n\nGenerated from openapi/openapi.json by \`npm run openapi\`. Set \`baseUrl\` (default ${DEFAULT_BASE_URL}, where \`npm run dev\` listens) and \`apiKey\` (a secret of ROOMGATE_API_KEYS; \`npm run dev\` prints one), or import roomgate.postman_environment.json beside this file. Every request checks the statuses, media types and headers the document promises.`,
        type: 'text/markdown',
      },
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: DEFAULT_BASE_URL, type: 'string', description: 'Where the gateway listens.' },
      {
        key: 'apiKey',
        value: '',
        type: 'string',
        description: 'A secret of ROOMGATE_API_KEYS, sent as `Authorization: Bearer {{apiKey}}`.',
      },
    ],
    item: rebuild(converted.item, document),
  };
  return `${JSON.stringify(collection, null, 2)}\n`;
}

/** A Postman environment with the two variables, for `npm run dev` on this machine. */
export function buildPostmanEnvironment(): string {
  const environment = {
    id: stableId('roomgate', 'environment'),
    name: 'roomgate (npm run dev)',
    values: [
      { key: 'baseUrl', value: DEFAULT_BASE_URL, type: 'default', enabled: true },
      { key: 'apiKey', value: '', type: 'secret', enabled: true },
    ],
    _postman_variable_scope: 'environment',
  };
  return `${JSON.stringify(environment, null, 2)}\n`;
}
