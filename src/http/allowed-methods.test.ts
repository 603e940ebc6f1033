import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { BILLING, gatewayStackForTests } from '../../test/helpers.js';
import { collectAllowedMethods } from './allowed-methods.js';

describe('collectAllowedMethods', () => {
  it('matches a parameter to one whole segment and a wildcard to the rest', async () => {
    const app = Fastify();
    const allowed = collectAllowedMethods(app);
    app.get('/rooms', () => 'list');
    app.post('/rooms', () => 'create');
    app.route({ method: ['GET', 'PATCH'], url: '/rooms/:roomId', handler: () => 'one' });
    app.get('/docs/static/*', () => 'file');
    app.get('/a.b', () => 'dot');
    await app.ready();
    expect(allowed.forPath('/rooms')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowed.forPath('/rooms/live%2FtestA')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(allowed.forPath('/docs/static/css/index.css')).toEqual(['GET', 'HEAD']);
    // As the router does, which takes `/rooms/` as /rooms/:roomId with an empty roomId (a 400 naming it).
    expect(allowed.forPath('/rooms/')).toEqual(['GET', 'HEAD', 'PATCH']);
    expect(allowed.forPath('/rooms/a/b')).toBeUndefined();
    expect(allowed.forPath('/rooms-typo')).toBeUndefined();
    // A dot in a route is a dot, not any character.
    expect(allowed.forPath('/aXb')).toBeUndefined();
    await app.close();
  });
});

describe('a method a path does not take', () => {
  const stack = gatewayStackForTests();

  it.each([
    ['PUT', '/rooms/live_testA', 'DELETE, GET, HEAD, PATCH'],
    ['PUT', '/rooms/live%2FtestA', 'DELETE, GET, HEAD, PATCH'],
    ['PUT', '/rooms/', 'DELETE, GET, HEAD, PATCH'],
    ['DELETE', '/rooms', 'GET, HEAD, POST'],
    ['OPTIONS', '/rooms', 'GET, HEAD, POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/problems/rate-limited', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s, sending nothing upstream', async (method, path, allow) => {
    const res = await fetch(`${stack.gateway.url}${path}?x=1`, {
      method,
      ...(method === 'OPTIONS'
        ? { headers: BILLING }
        : { headers: { ...BILLING, 'content-type': 'application/json' }, body: '{"RoomInfo":{}}' }),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const requestId = res.headers.get('x-request-id');
    expect(await res.json()).toEqual({
      type: '/problems/method-not-allowed',
      title: 'Method not allowed',
      status: 405,
      detail: `${path} does not take ${method}; it takes ${allow}.`,
      requestId,
      instance: path,
    });
    expect(stack.sandbox.state.arrivals).toHaveLength(0);
  });

  it.each([
    ['text that is not JSON', 'text/plain', 'hello'],
    ['broken JSON', 'application/json', '{"RoomInfo":'],
    ['an empty body labelled JSON', 'application/json', ''],
  ])('answers 405, not a 400 about the body, for %s', async (_what, contentType, body) => {
    const res = await fetch(`${stack.gateway.url}/rooms/live_testA`, {
      method: 'PUT',
      headers: { ...BILLING, 'content-type': contentType },
      body,
    });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ type: '/problems/method-not-allowed' });
  });

  it('still answers 404 not-found for a path no route has, whatever the method', async () => {
    for (const [method, path] of [
      ['POST', '/rooms-typo'],
      ['PUT', '/rooms/a/b'],
    ] as const) {
      const res = await fetch(`${stack.gateway.url}${path}`, { method, headers: BILLING });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('allow')).toBeNull();
      expect(await res.json()).toMatchObject({ type: '/problems/not-found' });
    }
  });

  it('answers 404 for a path no route has, not a 400 about its body', async () => {
    const res = await fetch(`${stack.gateway.url}/rooms-typo`, {
      method: 'POST',
      headers: { ...BILLING, 'content-type': 'application/json' },
      body: '{"RoomInfo": // a comment',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: '/problems/not-found' });
  });

  it('is explained at /problems/method-not-allowed', async () => {
    const res = await fetch(`${stack.gateway.url}/problems/method-not-allowed`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Allow');
  });
});
