import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { gatewayStackForTests } from '../../test/helpers.js';
import { PROBLEM_EXAMPLES } from '../problems/schema.js';

const stack = gatewayStackForTests();

/** Writes raw bytes on a fresh connection and collects everything the gateway sends until it closes. */
async function exchange(payload: string): Promise<string> {
  const { port, hostname } = new URL(stack.gateway.url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.write(payload);
  await once(socket, 'close');
  return received;
}

/** One raw HTTP answer: status, lower-cased headers and the parsed body. */
function parseAnswer(text: string) {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

const requestsCounted = async (status: number) => {
  const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`roomgate_http_requests_total{route="unmatched",status="${status}"`));
  return Number(line?.split(' ').pop() ?? 0);
};

describe('requests the HTTP server cannot read', () => {
  it.each([
    [
      'headers over 16 KiB',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers-too-large',
    ],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'malformed-request'],
    [
      'a header name with a space',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      400,
      'malformed-request',
    ],
    [
      'both Content-Length and Transfer-Encoding (request smuggling)',
      'POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'malformed-request',
    ],
  ] as const)('answers %s with %s %s, a documented problem', async (_what, payload, status, slug) => {
    const countedBefore = await requestsCounted(status);
    const answer = parseAnswer(await exchange(payload));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers.connection).toBe('close');
    const requestId = answer.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const example = PROBLEM_EXAMPLES[slug];
    expect(answer.body).toEqual({
      ...example,
      requestId,
      detail:
        slug === 'malformed-request'
          ? expect.stringMatching(
              /^The request is not valid HTTP\/1\.1 \(HPE_[A-Z_]+\); nothing was sent to Tencent\.$/,
            )
          : example.detail,
    });
    expect(await requestsCounted(status)).toBe(countedBefore + 1);
    expect(stack.gateway.logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'unreadable request', requestId, status, outcome: slug }),
    );
    expect(stack.sandbox.state.arrivals).toHaveLength(0);
  });

  it('answers a client that stalls its headers with 408 request-timeout within a second of its deadline', async () => {
    // The gateway's deadlines (10 s for headers, 15 s in all) made short for the test. Node looks for requests
    // over their time on a sweep: every 30 s by default, which held such a connection for 30 s.
    const server = stack.gateway.app.server;
    const deadlines = { headers: server.headersTimeout, request: server.requestTimeout };
    server.headersTimeout = 300;
    server.requestTimeout = 600;
    try {
      const startedAt = performance.now();
      const answer = parseAnswer(await exchange('POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Type: appl'));
      // Under the 300 ms deadline plus one sweep of 1 s, with room for a slow machine; far from 30 s.
      expect(performance.now() - startedAt).toBeLessThan(5000);
      expect(answer.status).toBe(408);
      expect(answer.body).toEqual({
        ...PROBLEM_EXAMPLES['request-timeout'],
        requestId: answer.headers['x-request-id'],
      });
    } finally {
      server.headersTimeout = deadlines.headers;
      server.requestTimeout = deadlines.request;
    }
  });

  it('leaves an answer already begun on the connection intact', async () => {
    // The 401 is sent before the broken chunk that follows it is read. It must arrive whole; only a complete
    // answer may follow it (to the broken request), never bytes in the middle of it.
    const text = await exchange(
      'POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    );
    const headEnd = text.indexOf('\r\n\r\n') + 4;
    const first = parseAnswer(`${text.slice(0, headEnd)}{}`);
    expect(first.status, text).toBe(401);
    const bodyEnd = headEnd + Number(first.headers['content-length']);
    expect(JSON.parse(text.slice(headEnd, bodyEnd))).toMatchObject({ type: '/problems/unauthorized' });
    const rest = text.slice(bodyEnd);
    if (rest !== '') expect(parseAnswer(rest).body).toMatchObject({ type: '/problems/malformed-request' });
  });
});
