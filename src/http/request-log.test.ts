import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../ops/metrics.js';
import { registerRequestLog } from './request-log.js';

// A collection on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until `ref` is cleared or a few rounds have passed; WeakRefs clear only between turns of the loop. */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

describe('request log on keep-alive connections', () => {
  let app: FastifyInstance;
  let client: Client;
  const replies: WeakRef<object>[] = [];

  beforeAll(async () => {
    app = Fastify({ logger: { level: 'silent' } });
    registerRequestLog(app, createMetrics());
    app.addHook('onResponse', (_request, reply, done) => {
      replies.push(new WeakRef(reply));
      done();
    });
    app.get('/ping', async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    client = new Client(url, { pipelining: 1 });
  });

  afterAll(async () => {
    await client.close();
    await app.close();
  });

  const ping = async () => {
    const res = await client.request({ path: '/ping', method: 'GET' });
    await res.body.dump();
    return res.statusCode;
  };

  it('keeps no answered request alive while its connection stays open', async () => {
    // Several requests on one connection: the first one made the connection's close listener, which once kept
    // it (its request and reply, Node's request and response with them) alive until the connection closed.
    for (let i = 0; i < 3; i++) expect(await ping()).toBe(200);
    expect(replies).toHaveLength(3);
    for (const [i, reply] of replies.entries()) {
      expect(await collected(reply), `reply ${i} still alive`).toBe(true);
    }
    // The connection was open throughout: the same keep-alive socket still serves.
    expect(await ping()).toBe(200);
  });
});
