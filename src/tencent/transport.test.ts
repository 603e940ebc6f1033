import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptFailure, postJson } from './transport.js';

/** A real HTTP server whose behaviour is chosen by the request path. */
let server: Server;
let origin: string;
let pool: Pool;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
      if (req.url === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ErrorCode: 0, got: JSON.parse(body) }));
      } else if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ErrorCode":0,');
        setTimeout(() => res.end('"ErrorInfo":"in two parts ✓"}'), 20);
      } else if (req.url === '/declared-large') {
        res.writeHead(200, { 'content-length': '5000' });
        res.end('x'.repeat(5000));
      } else if (req.url === '/streamed-large') {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
        res.end();
      } else if (req.url === '/slow-body') {
        res.writeHead(200);
        res.write('{"ErrorCode":');
        // never finishes: the deadline has to end it
      } else if (req.url === '/status') {
        res.writeHead(503);
        res.end('busy');
      } else if (req.url === '/reset') {
        req.socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new Pool(origin, { connections: 4 });
});

afterAll(async () => {
  await pool.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, timeoutMs = 2000) =>
  postJson(pool, { origin, path, body: '{"RoomId":"r1"}', timeoutMs, maxBytes: 4096 });

describe('postJson', () => {
  it('sends the JSON body and collects the answer', async () => {
    const answer = await post('/echo');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ ErrorCode: 0, got: { RoomId: 'r1' } });
    expect(received.at(-1)).toBe('POST /echo application/json {"RoomId":"r1"}');
  });

  it('joins an answer that arrives in several chunks, multi-byte characters included', async () => {
    const answer = await post('/chunked');
    expect(JSON.parse(answer.text)).toEqual({ ErrorCode: 0, ErrorInfo: 'in two parts ✓' });
  });

  it('passes any HTTP status through with its body', async () => {
    expect(await post('/status')).toEqual({ status: 503, text: 'busy' });
  });

  it.each(['/declared-large', '/streamed-large'])('refuses an answer over maxBytes (%s)', async (path) => {
    const err = await post(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttemptFailure);
    expect((err as AttemptFailure).reason).toBe('too-large');
    expect((err as AttemptFailure).status).toBe(200);
  });

  it('ends an answer that does not complete within the deadline', async () => {
    const started = performance.now();
    const err = await post('/slow-body', 150).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttemptFailure);
    expect((err as AttemptFailure).reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('rejects with undici’s error when the connection breaks', async () => {
    const err = await post('/reset').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(AttemptFailure);
    expect((err as { code?: string }).code).toMatch(/^UND_ERR_|^ECONNRESET$/);
  });

  it('rejects with a connection error code when nothing listens', async () => {
    const closed = new Pool('http://127.0.0.1:1');
    const err = await postJson(closed, {
      origin: 'http://127.0.0.1:1',
      path: '/x',
      body: '{}',
      timeoutMs: 2000,
      maxBytes: 10,
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    await closed.destroy();
  });

  it('times out a request that is still waiting for a connection', async () => {
    // One connection, held by a never-ending answer: the second request waits in the pool's queue.
    const single = new Pool(origin, { connections: 1 });
    const first = postJson(single, {
      origin,
      path: '/slow-body',
      body: '{}',
      timeoutMs: 400,
      maxBytes: 4096,
    });
    const second = postJson(single, { origin, path: '/echo', body: '{}', timeoutMs: 100, maxBytes: 4096 });
    const started = performance.now();
    const secondSettled = second.then(
      () => performance.now() - started,
      () => performance.now() - started,
    );
    const [a, b] = await Promise.allSettled([first, second]);
    // The deadline holds even though no connection was free: not when the first one let go at 400 ms.
    expect(await secondSettled).toBeLessThan(300);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(((b as PromiseRejectedResult).reason as AttemptFailure).reason).toBe('timeout');
    await single.destroy();
  });
});
