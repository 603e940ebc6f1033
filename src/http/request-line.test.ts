import fc from 'fast-check';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { logRequestLine, type RequestLine } from './request-line.js';

/** A logger as the gateway builds it, writing to an array, with a per-request child as Fastify makes one. */
function capture(level = 'info') {
  const lines: string[] = [];
  const root = createLogger(level, { write: (line: string) => lines.push(line) });
  return { lines, log: root.child({ requestId: 'req-1' }) };
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.constantFrom('a "quoted" \\ back\\slash', 'tab\tnew\nline\u0001', 'é 中文 🎉', 'x'.repeat(150)),
);
const requestLine: fc.Arbitrary<RequestLine> = fc.record(
  {
    method: fc.constantFrom('POST', 'GET', 'DELETE', 'PATCH'),
    route: fc.oneof(fc.constantFrom('/rooms', '/rooms/:roomId'), text),
    status: fc.integer({ min: 100, max: 599 }),
    latencyMs: fc.double({ min: 0, max: 100_000, noNaN: true }).map((ms) => Math.round(ms * 100) / 100),
    caller: text,
    roomId: text,
    outcome: text,
    tencentCode: fc.integer({ min: 0, max: 999_999 }),
    upstreamRequestId: text,
    attempts: fc.integer({ min: 1, max: 5 }),
  },
  { requiredKeys: ['method', 'route', 'status', 'latencyMs'] },
);

afterEach(() => vi.restoreAllMocks());

describe('the request line', () => {
  it('says exactly what pino itself would write for the same line, whatever the fields hold', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_795_000_000_000);
    fc.assert(
      fc.property(requestLine, fc.constantFrom('info' as const, 'debug' as const), (line, level) => {
        const fast = capture('debug');
        const viaPino = capture('debug');
        const { method, route, status, latencyMs, ...audit } = line;
        logRequestLine(fast.log, level, { method, route, status, latencyMs }, audit);
        viaPino.log[level](line, 'request');
        expect(fast.lines).toHaveLength(1);
        expect(fast.lines[0]?.endsWith('\n')).toBe(true);
        expect(JSON.parse(fast.lines[0] as string)).toEqual(JSON.parse(viaPino.lines[0] as string));
      }),
      { numRuns: 300 },
    );
  });

  it('is written only when its level is enabled', () => {
    const quiet = capture('info');
    logRequestLine(quiet.log, 'debug', { method: 'GET', route: '/healthz', status: 200, latencyMs: 0.1 }, {});
    expect(quiet.lines).toEqual([]);
    const silent = capture('warn');
    logRequestLine(silent.log, 'info', { method: 'POST', route: '/rooms', status: 201, latencyMs: 1 }, {});
    expect(silent.lines).toEqual([]);
  });

  it("goes through pino when the stream wants pino's per-line metadata (a multistream)", () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      pino.multistream([{ stream: { write: (l: string) => lines.push(l) } }]),
    );
    logRequestLine(
      log,
      'info',
      { method: 'POST', route: '/rooms', status: 201, latencyMs: 1 },
      { roomId: 'r' },
    );
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, roomId: 'r', msg: 'request' });
  });
});
