import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitRefusal, TransportError, type TransportErrorKind, UpstreamError } from './errors.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryable } from './retry-policy.js';

const upstream = (code: number) => new UpstreamError('create_room', code, 'info', 'Id-1', 1);

describe('isRetryable', () => {
  it('retries a connection that never opened', () => {
    expect(isRetryable(new TransportError('create_room', 'connect', 'ECONNREFUSED', 1))).toBe(true);
  });

  it('retries a connection that broke before the answer was complete (a closed keep-alive connection)', () => {
    expect(isRetryable(new TransportError('create_room', 'reset', 'UND_ERR_SOCKET', 1))).toBe(true);
  });

  it.each<TransportErrorKind>(['timeout', 'bad-status', 'bad-body'])('does not retry a %s', (kind) => {
    expect(isRetryable(new TransportError('create_room', kind, 'detail', 1, 502))).toBe(false);
  });

  it('retries Tencent 100001 (internal error, please retry)', () => {
    expect(isRetryable(upstream(100001))).toBe(true);
  });

  it.each([
    100002, 100003, 100004, 100006, 100007, 100010, 100011, 100012, 100026, 60007, 60008, 60011, 60018, 60019,
    70001, 70009, 70016, 80001, 123456,
  ])('does not retry Tencent %d', (code) => {
    expect(isRetryable(upstream(code))).toBe(false);
  });

  it.each([
    ['a local refusal', new LimitRefusal('global', 100, 200)],
    ['a plain error', new Error('ECONNREFUSED')],
    ['an error-like object', { kind: 'connect' }],
    ['undefined', undefined],
  ])('does not retry %s', (_what, err) => {
    expect(isRetryable(err)).toBe(false);
  });
});

describe('backoffDelay', () => {
  const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it.each([
    [1, 50, 100],
    [2, 100, 200],
    [3, 200, 400],
    [4, 400, 800],
    [5, 500, 1000],
    [10, 500, 1000],
  ])('waits between half and all of the capped exponential delay on retry %d', (retry, low, high) => {
    expect(backoffDelay(policy, retry, () => 0)).toBe(low);
    expect(backoffDelay(policy, retry, () => 0.5)).toBe((low + high) / 2);
    expect(backoffDelay(policy, retry, () => 0.999999)).toBeCloseTo(high, 2);
  });

  it('stays within [exp/2, exp) for any retry and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60_000 }),
        (retry, r, baseDelayMs, maxDelayMs) => {
          const p = { maxRetries: 3, baseDelayMs, maxDelayMs };
          const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
          const delay = backoffDelay(p, retry, () => r);
          expect(delay).toBeGreaterThanOrEqual(exp / 2);
          expect(delay).toBeLessThanOrEqual(exp);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });

  it('spreads retries with Math.random by default, within bounds', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(DEFAULT_RETRY_POLICY, 1));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThan(100);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('keeps the default policy bounded', () => {
    expect(DEFAULT_RETRY_POLICY.maxRetries).toBeGreaterThanOrEqual(1);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 50, () => 0.999)).toBeLessThanOrEqual(
      DEFAULT_RETRY_POLICY.maxDelayMs,
    );
  });
});
