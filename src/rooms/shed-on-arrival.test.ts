import { connect } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BILLING,
  busiestWindow,
  type RunningGateway,
  type RunningSandbox,
  roomId,
  startGateway,
  startSandbox,
  testConfig,
} from '../../test/helpers.js';

/**
 * Shedding on arrival, end to end over real HTTP: a gateway whose create_room limit is 20 per second with the
 * default 1 s queue, flooded at ~250 creates per second until its queue has stood for a wait and a window (~2 s)
 * and it sheds, then probed.
 */
const PER_SECOND = 20;
const QUEUE_MS = 1000;

let sandbox: RunningSandbox;
let gateway: RunningGateway;
const client = new Agent({ connections: 64 });

beforeAll(async () => {
  sandbox = await startSandbox();
  gateway = await startGateway(
    testConfig(sandbox, {
      limits: { globalPerSecond: PER_SECOND, queueMs: QUEUE_MS, replicas: 1, marginMs: 10 },
    }),
  );
});

afterAll(async () => {
  await client.destroy();
  await gateway.close();
  await sandbox.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(body: string, headers: Record<string, string> = BILLING) {
  const res = await request(`${gateway.url}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    dispatcher: client,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
}

const valid = () =>
  JSON.stringify({ RoomInfo: { RoomId: roomId('flood'), SeatTemplate: 'VideoDynamicGrid9Seats' } });
/** RoomId empty: a 400 naming RoomInfo.RoomId whenever the body is read. */
const INVALID = JSON.stringify({ RoomInfo: { RoomId: '', SeatTemplate: 'VideoDynamicGrid9Seats' } });

/** Creates at ~250 per second, not awaited one by one, until stopped. */
function flood() {
  const pending: Promise<unknown>[] = [];
  const timer = setInterval(() => pending.push(post(valid()).catch((err: unknown) => err)), 4);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

/**
 * The status line of a POST /rooms whose headers announce a body that is never sent: only a request refused before
 * its body is read can be answered at all.
 */
function postWithoutBody(): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no answer');
    }, 1000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    socket.write(
      `POST /rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${BILLING.authorization}\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n`,
    );
  });
}

describe('a create while the limits shed sustained overload', () => {
  it('is refused with 429 before its body is read; once the overload is over, the same body gets its 400', async () => {
    // Before any overload, an invalid body gets its 400, and a body never sent gets no answer.
    const before = await post(INVALID);
    expect(before.status).toBe(400);
    expect(await postWithoutBody()).toBe('no answer');

    const load = flood();
    let shedding: Awaited<ReturnType<typeof post>> | undefined;
    const deadline = performance.now() + 6000;
    while (!shedding && performance.now() < deadline) {
      await sleep(50);
      const probe = await post(INVALID);
      if (probe.status === 429) shedding = probe;
      // Until the queue has stood for QUEUE_MS + a window, the body is read and validated first.
      else expect(probe.status).toBe(400);
    }
    expect(shedding, 'the gateway never started shedding').toBeDefined();
    expect(shedding?.body).toMatchObject({ type: '/problems/rate-limited', status: 429, limit: 'global' });
    expect(Number(shedding?.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // While shedding: answered without the body being sent at all; an unknown caller still learns nothing else.
    expect(await postWithoutBody()).toBe('HTTP/1.1 429 Too Many Requests');
    const stranger = await post(INVALID, { authorization: 'Bearer nobody' });
    expect(stranger.status).toBe(401);
    await load.stop();

    // The overload is over: once the queue has drained and a window has passed without refusals, the body is
    // read and validated again.
    await sleep(QUEUE_MS + 1000);
    const after = await post(INVALID);
    expect(after.status).toBe(400);
    expect(after.body.errors).toEqual([expect.objectContaining({ path: 'RoomInfo.RoomId' })]);

    // The refusals on arrival were logged, one line each, without a RoomId (nothing was read), and counted.
    const early = gateway.logs
      .requestLines()
      .filter((l) => l.status === 429 && l.roomId === undefined && l.route === '/rooms');
    expect(early.length).toBeGreaterThan(0);
    for (const line of early) expect(line).toMatchObject({ caller: 'billing', outcome: 'rate-limited' });
    expect(gateway.logs.lines.filter((l) => l.msg === 'unexpected error')).toEqual([]);
    const metrics = await (await request(`${gateway.url}/metrics`, { dispatcher: client })).body.text();
    const refusals = metrics.match(
      /roomgate_limiter_refusals_total\{command="create_room",limit="global"\} (\d+)/,
    );
    expect(Number(refusals?.[1])).toBeGreaterThanOrEqual(early.length);

    // And Tencent's limit held throughout.
    const arrivals = sandbox.state.arrivals.filter((a) => a.command.endsWith('create_room')).map((a) => a.at);
    expect(arrivals.length).toBeGreaterThan(PER_SECOND);
    expect(busiestWindow(arrivals)).toBeLessThanOrEqual(PER_SECOND);
  }, 15_000);
});
