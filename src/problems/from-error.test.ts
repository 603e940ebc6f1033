import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CircuitOpen,
  LimitRefusal,
  TransportError,
  type TransportErrorKind,
  UpstreamError,
} from '../tencent/errors.js';
import { PROBLEM_TYPES } from './catalog.js';
import { problemFromNotSent, problemFromUpstream, retryAfterSeconds } from './from-error.js';
import { ProblemError } from './problem.js';

const upstream = (code: number, attempts = 1) =>
  new UpstreamError('create_room', code, `info for ${code}`, `Id-${code}-O-Seq-1`, attempts);

/** The problem for `err`; fails the test when there is none. */
function problemOf(err: unknown): ProblemError {
  const problem = problemFromUpstream(err);
  expect(problem).toBeInstanceOf(ProblemError);
  return problem as ProblemError;
}

describe('problemFromUpstream with a Tencent error code', () => {
  it.each([
    [100002, 'invalid-parameters', 400],
    [100003, 'room-id-taken', 409],
    [100011, 'room-id-reserved-by-chat', 409],
    [100026, 'sensitive-content', 422],
    [100004, 'room-not-found', 404],
    [100001, 'upstream-failure', 502],
    [100006, 'upstream-failure', 502],
    [100007, 'upstream-failure', 502],
    [60002, 'upstream-failure', 502],
    [60008, 'upstream-failure', 502],
    [60020, 'upstream-failure', 502],
    [60021, 'upstream-failure', 502],
    [70001, 'upstream-failure', 502],
    [70003, 'upstream-failure', 502],
    [70009, 'upstream-failure', 502],
    [70016, 'upstream-failure', 502],
    [70020, 'upstream-failure', 502],
    [70107, 'upstream-failure', 502],
    [123456, 'upstream-failure', 502],
    [69999, 'upstream-failure', 502],
  ])('answers %d as %s (%d) carrying the upstream envelope', (code, slug, status) => {
    const problem = problemOf(upstream(code));
    expect(problem.slug).toBe(slug);
    expect(PROBLEM_TYPES[problem.slug].status).toBe(status);
    expect(problem.extras).toEqual({
      upstream: { errorCode: code, errorInfo: `info for ${code}`, requestId: `Id-${code}-O-Seq-1` },
    });
    expect(problem.headers).toEqual({});
    expect(problem.detail).toContain(`Tencent answered ${code}`);
  });

  it.each([100012, 60007, 60011, 60018, 60019])(
    'answers %d as upstream-rate-limited with Retry-After 1',
    (code) => {
      const problem = problemOf(upstream(code));
      expect(problem.slug).toBe('upstream-rate-limited');
      expect(PROBLEM_TYPES[problem.slug].status).toBe(429);
      expect(problem.headers).toEqual({ 'retry-after': '1' });
      expect(problem.extras.upstream?.errorCode).toBe(code);
    },
  );

  it('keeps an undocumented code in upstream.errorCode', () => {
    const problem = problemOf(upstream(123456));
    expect(problem.slug).toBe('upstream-failure');
    expect(problem.extras.upstream?.errorCode).toBe(123456);
    expect(problem.detail).toContain('undocumented');
  });

  it('keeps a missing upstream request ID missing', () => {
    const problem = problemOf(new UpstreamError('create_room', 100003, 'exists', undefined, 1));
    expect(problem.extras.upstream).toEqual({ errorCode: 100003, errorInfo: 'exists', requestId: undefined });
  });

  it('says how many attempts were made when there was more than one', () => {
    expect(problemOf(upstream(100001, 3)).detail).toContain('after 3 attempts');
    expect(problemOf(upstream(100001, 1)).detail).not.toContain('attempts');
  });

  it('tells the operator what to check for a credentials failure', () => {
    expect(problemOf(upstream(70009)).detail).toMatch(/Operator: check TENCENT_SECRET_KEY/);
    expect(problemOf(upstream(100003)).detail).not.toContain('Operator');
  });
});

describe('problemFromNotSent', () => {
  it('answers an open circuit with 503 upstream-unavailable and a whole-second Retry-After', () => {
    const problem = problemFromNotSent(new CircuitOpen(4200));
    expect(problem.slug).toBe('upstream-unavailable');
    expect(PROBLEM_TYPES[problem.slug].status).toBe(503);
    expect(problem.headers).toEqual({ 'retry-after': '5' });
    expect(problem.detail).toContain('Retry in 5 s');
  });

  it('answers a global refusal as rate-limited naming the limit', () => {
    const problem = problemFromNotSent(new LimitRefusal('global', 250, 200));
    expect(problem.slug).toBe('rate-limited');
    expect(PROBLEM_TYPES[problem.slug].status).toBe(429);
    expect(problem.extras).toEqual({ limit: 'global' });
    expect(problem.headers).toEqual({
      'retry-after': '1',
      'ratelimit-limit': '200',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '1',
    });
    expect(problem.detail).toContain('200 requests per second');
  });

  it('answers a room refusal as rate-limited naming the room limit', () => {
    const problem = problemFromNotSent(new LimitRefusal('room', 1001, 200));
    expect(problem.slug).toBe('rate-limited');
    expect(problem.extras).toEqual({ limit: 'room' });
    expect(problem.headers['retry-after']).toBe('2');
    expect(problem.headers['ratelimit-limit']).toBe('1');
    expect(problem.detail).toContain('once per second');
  });

  it('hands out one frozen answer, with its body made ahead, for refusals that say the same', () => {
    const first = problemFromNotSent(new LimitRefusal('global', 250, 200));
    expect(problemFromNotSent(new LimitRefusal('global', 900, 200))).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.headers) && Object.isFrozen(first.extras)).toBe(
      true,
    );
    expect(first.template).toBeDefined();
    // Whatever differs in what the caller is told is a different answer.
    expect(problemFromNotSent(new LimitRefusal('global', 1001, 200))).not.toBe(first);
    expect(problemFromNotSent(new LimitRefusal('global', 250, 100)).headers['ratelimit-limit']).toBe('100');
    expect(problemFromNotSent(new LimitRefusal('room', 250, 200)).extras).toEqual({ limit: 'room' });
    expect(problemFromNotSent(new CircuitOpen(250)).slug).toBe('upstream-unavailable');
  });

  it('answers right however many distinct refusals come', () => {
    for (let perSecond = 1; perSecond <= 600; perSecond++) {
      const answer = problemFromNotSent(new LimitRefusal('global', 250, perSecond));
      expect(answer.headers['ratelimit-limit']).toBe(String(perSecond));
      expect(answer.detail).toContain(`${perSecond} requests per second`);
    }
  });

  it('never sends a Retry-After below 1 second, nor a fraction', () => {
    fc.assert(
      fc.property(fc.constantFrom<'global' | 'room'>('global', 'room'), fc.nat(120_000), (limit, ms) => {
        const retryAfter = problemFromNotSent(new LimitRefusal(limit, ms, 200)).headers['retry-after'];
        expect(retryAfter).toMatch(/^[1-9]\d*$/);
        expect(Number(retryAfter) * 1000).toBeGreaterThanOrEqual(ms);
      }),
    );
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    [0, 1],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [2000, 2],
    [2500.5, 3],
  ])('rounds %d ms up to %d s', (ms, seconds) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });

  it('is the smallest whole number of seconds, at least 1, that covers the delay', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (ms) => {
        const s = retryAfterSeconds(ms);
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(1);
        expect(s * 1000).toBeGreaterThanOrEqual(ms);
        if (s > 1) expect((s - 1) * 1000).toBeLessThan(ms);
      }),
    );
  });
});

describe('problemFromUpstream with a transport failure', () => {
  it('answers a timeout as upstream-timeout without an upstream member', () => {
    const problem = problemOf(new TransportError('create_room', 'timeout', 'no answer in 5000 ms', 1));
    expect(problem.slug).toBe('upstream-timeout');
    expect(PROBLEM_TYPES[problem.slug].status).toBe(504);
    expect(problem.extras).not.toHaveProperty('upstream');
    expect(problem.detail).toContain('Repeating the same request is safe');
  });

  it.each<[TransportErrorKind, number | undefined]>([
    ['connect', undefined],
    ['reset', undefined],
    ['bad-status', 502],
    ['bad-body', undefined],
  ])('answers %s as upstream-failure without an upstream member', (kind, httpStatus) => {
    const problem = problemOf(new TransportError('create_room', kind, 'detail', 1, httpStatus));
    expect(problem.slug).toBe('upstream-failure');
    expect(PROBLEM_TYPES[problem.slug].status).toBe(502);
    expect(problem.extras).not.toHaveProperty('upstream');
    expect(problem.headers).toEqual({});
  });

  it('names the HTTP status of a non-envelope answer', () => {
    expect(problemOf(new TransportError('create_room', 'bad-status', 'html page', 1, 503)).detail).toContain(
      'HTTP status 503',
    );
  });

  it("carries Tencent's envelope as `upstream` when it came under a non-200 status, and says so", () => {
    const envelope = { ErrorCode: 60008, ErrorInfo: 'service timeout', RequestId: 'Id-503-O-Seq-1' };
    const problem = problemOf(
      new TransportError('create_room', 'bad-status', 'HTTP 503', 1, 503, {
        ActionStatus: 'FAIL',
        ...envelope,
      }),
    );
    expect(problem.slug).toBe('upstream-failure');
    expect(problem.extras.upstream).toEqual({
      errorCode: 60008,
      errorInfo: 'service timeout',
      requestId: 'Id-503-O-Seq-1',
    });
    expect(problem.detail).toContain('Tencent answered HTTP 503 with ErrorCode 60008');
    expect(problem.detail).not.toContain('not its JSON envelope');
    expect(problem.headers).toEqual({});
  });

  it.each([0, 100003, 100010, 100012, 123456])(
    'answers an envelope with ErrorCode %i under HTTP 500 as upstream-failure, whatever the code',
    (code) => {
      const problem = problemOf(
        new TransportError('create_room', 'bad-status', 'HTTP 500', 1, 500, { ErrorCode: code }),
      );
      expect(problem.slug).toBe('upstream-failure');
      expect(problem.extras.upstream).toMatchObject({ errorCode: code, errorInfo: '' });
      expect(problem.detail).toContain(`HTTP 500 with ErrorCode ${code}`);
    },
  );

  it('carries the envelope of a 200 whose Response the command cannot use, without calling it missing', () => {
    const problem = problemOf(
      new TransportError('get_room_info', 'bad-body', 'no usable Response', 1, 200, {
        ErrorCode: 0,
        ErrorInfo: '',
        RequestId: 'Id-x',
      }),
    );
    expect(problem.extras.upstream).toEqual({ errorCode: 0, errorInfo: '', requestId: 'Id-x' });
    expect(problem.detail).toContain('its Response is not what get_room_info returns');
    expect(problem.detail).not.toContain('without its JSON envelope');
  });

  it('counts attempts of a transport failure', () => {
    expect(problemOf(new TransportError('create_room', 'connect', 'ECONNREFUSED', 3)).detail).toContain(
      '(3 attempts)',
    );
  });
});

describe('problemFromUpstream with other errors', () => {
  it('passes a ProblemError through unchanged', () => {
    const err = new ProblemError('room-not-found', 'gone');
    expect(problemFromUpstream(err)).toBe(err);
  });

  it.each([new Error('boom'), new TypeError('x'), 'a string', undefined, null, { code: 100003 }])(
    'answers undefined for %s, leaving it to the error handler',
    (err) => {
      expect(problemFromUpstream(err)).toBeUndefined();
    },
  );
});
