import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPostmanCollection, buildPostmanEnvironment } from '../../scripts/postman-collection.js';
import { runCollection } from '../../scripts/postman-run.js';
import { gatewayStackForTests } from '../../test/helpers.js';
import { CREATE_ROOM_EXAMPLES } from '../rooms/schemas.js';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

interface Item {
  name: string;
  item?: Item[];
  request?: {
    method: string;
    url: { path: string[]; host: string[]; variable?: { key: string; value: string }[] };
    body?: { raw?: string };
    auth?: { type: string };
  };
  response?: { name: string; code: number; body: string }[];
  event?: { listen: string; script: { exec: string[] } }[];
}

const requestsOf = (items: Item[]): Item[] => items.flatMap((i) => (i.item ? requestsOf(i.item) : [i]));

let collection: { item: Item[]; variable: { key: string; value: string }[]; auth: unknown };

beforeAll(async () => {
  collection = JSON.parse(await read('openapi/roomgate.postman_collection.json'));
});

describe('the Postman collection', () => {
  it('is checked in exactly as generated from openapi/openapi.json (run `npm run openapi`)', async () => {
    const document = await read('openapi/openapi.json');
    expect(await read('openapi/roomgate.postman_collection.json')).toBe(
      await buildPostmanCollection(document),
    );
    expect(await read('openapi/roomgate.postman_environment.json')).toBe(buildPostmanEnvironment());
  });

  it('has a POST /rooms request for each named example of the document, with its body', () => {
    const creates = requestsOf(collection.item).filter((i) => i.request?.method === 'POST');
    expect(creates.map((i) => i.name)).toEqual([
      'Create a live room: Showroom Live',
      'Create a live room: Voice Chat Room',
    ]);
    expect(creates.map((i) => JSON.parse(i.request?.body?.raw ?? 'null'))).toEqual([
      CREATE_ROOM_EXAMPLES.showroomLive.value,
      CREATE_ROOM_EXAMPLES.voiceChatRoom.value,
    ]);
  });

  it('sends {{apiKey}} as a bearer token to /rooms and nothing to the public routes, at {{baseUrl}}', () => {
    expect(collection.variable.map((v) => v.key)).toEqual(['baseUrl', 'apiKey']);
    expect(collection.auth).toEqual({
      type: 'bearer',
      bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }],
    });
    for (const item of requestsOf(collection.item)) {
      expect(item.request?.url.host).toEqual(['{{baseUrl}}']);
      const isRooms = item.request?.url.path[0] === 'rooms';
      expect(item.request?.auth, item.name).toEqual(isRooms ? undefined : { type: 'noauth' });
    }
  });

  it('fills path variables from the examples of the document', () => {
    const explain = requestsOf(collection.item).find((i) => i.request?.url.path[0] === 'problems');
    expect(explain?.request?.url.variable).toEqual([
      expect.objectContaining({ key: 'slug', value: 'rate-limited' }),
    ]);
  });

  it('gives every request a test script and saves every documented example as a response', () => {
    for (const item of requestsOf(collection.item)) {
      expect(item.event?.[0]?.listen, item.name).toBe('test');
      expect(item.event?.[0]?.script.exec.join('\n'), item.name).toContain('pm.response.code');
    }
    const showroom = requestsOf(collection.item)[0];
    const saved = showroom?.response?.map((r) => r.name) ?? [];
    expect(saved).toContain('201 Created');
    expect(saved).toContain('200 Already there with the same owner (Tencent 100010)');
    expect(saved).toContain('429 Rate limit exceeded');
    expect(JSON.parse(showroom?.response?.find((r) => r.code === 409)?.body ?? '{}')).toMatchObject({
      type: '/problems/room-id-taken',
      upstream: { errorCode: 100003 },
    });
  });

  it('refuses to generate a request whose path parameter has no example', async () => {
    const document = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      servers: [{ url: '/' }],
      paths: {
        '/things/{id}': {
          get: {
            operationId: 'getThing',
            security: [],
            parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
            responses: { 200: { description: 'ok' } },
          },
        },
      },
    };
    await expect(buildPostmanCollection(JSON.stringify(document))).rejects.toThrow(
      'GET /things/{id}: path parameter "id" has no example',
    );
  });
});

describe('running the collection with newman', () => {
  const stack = gatewayStackForTests();

  it('passes every assertion against the gateway in front of the sandbox', async () => {
    const run = await runCollection({ baseUrl: stack.gateway.url, apiKey: 'billing-secret-0123456789' });
    expect(run.failures).toEqual([]);
    expect(run.requests).toBe(requestsOf(collection.item).length);
    expect(run.assertions).toBe(2 * run.requests);
    // The run goes through a room's life: both examples created, one read, updated, listed and dismissed.
    expect(stack.sandbox.state.arrivals.map((a) => a.command).sort()).toEqual(
      [
        'create_room',
        'create_room',
        'destroy_room',
        'get_room_info',
        'get_room_list',
        'update_room_info',
      ].sort(),
    );
    expect([...stack.sandbox.state.rooms.keys()]).toEqual(['voice_testA']);
  });

  it('fails its assertions when the gateway answers something the document does not promise', async () => {
    stack.sandbox.state.reset();
    const run = await runCollection({ baseUrl: stack.gateway.url, apiKey: 'not-a-key' });
    expect(run.failures).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Create a live room: Showroom Live: expected \[ '200', '201' \] to include '401'/,
        ),
      ]),
    );
    expect(stack.sandbox.state.arrivals).toHaveLength(0);
  });
});
