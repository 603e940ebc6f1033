import { describe, expect, it } from 'vitest';
import { type BreakerState, createUpstreamBreaker, isUpstreamFailure } from './breaker.js';
import { TENCENT } from './codes.js';
import { TransportError } from './errors.js';

const ok = { ErrorCode: TENCENT.OK, ActionStatus: 'OK' };
const taken = { ErrorCode: TENCENT.ROOM_ID_TAKEN, ActionStatus: 'FAIL' };
const internal = { ErrorCode: TENCENT.INTERNAL_ERROR, ActionStatus: 'FAIL' };
const timeout = new TransportError('create_room', 'timeout', 'no answer', 1);

function breakerAt(failures: number, cooldownMs: number) {
  let t = 1000;
  const states: BreakerState[] = [];
  const breaker = createUpstreamBreaker({
    failures,
    cooldownMs,
    now: () => t,
    onStateChange: (state) => states.push(state),
  });
  return { breaker, states, advance: (ms: number) => (t += ms) };
}

describe('the circuit breaker, step by step', () => {
  it('by default stays closed through 19 failures in a row and opens at the 20th', () => {
    const breaker = createUpstreamBreaker({ now: () => 1000 });
    for (let i = 0; i < 19; i++) breaker.record('send', i % 2 ? timeout : internal);
    expect(breaker.state()).toBe('closed');
    breaker.record('send', timeout);
    expect(breaker.state()).toBe('open');
  });

  it('counts as failures only Tencent being unwell, not Tencent saying no', () => {
    expect(isUpstreamFailure(timeout)).toBe(true);
    expect(isUpstreamFailure(internal)).toBe(true);
    expect(isUpstreamFailure({ ErrorCode: TENCENT.SERVICE_TIMEOUT })).toBe(true);
    expect(isUpstreamFailure(ok)).toBe(false);
    expect(isUpstreamFailure(taken)).toBe(false);
    expect(isUpstreamFailure({ ErrorCode: 100012 })).toBe(false);
  });

  it('opens after that many failures in a row; a success or a business refusal in between starts the count again', () => {
    const { breaker, states } = breakerAt(3, 500);
    breaker.record('send', timeout);
    breaker.record('send', internal);
    breaker.record('send', taken);
    breaker.record('send', timeout);
    breaker.record('send', timeout);
    breaker.record('send', ok);
    breaker.record('send', timeout);
    breaker.record('send', timeout);
    expect(breaker.state()).toBe('closed');
    expect(breaker.pass()).toBe('send');
    breaker.record('send', timeout);
    expect(breaker.state()).toBe('open');
    expect(states).toEqual(['open']);
  });

  it('refuses during the cool-down, saying for how long, then lets exactly one probe through', async () => {
    const { breaker, states, advance } = breakerAt(1, 500);
    breaker.record('send', timeout);
    expect(breaker.pass()).toBe('refuse');
    expect(breaker.retryAfterMs()).toBe(500);
    advance(400);
    expect(breaker.pass()).toBe('refuse');
    expect(breaker.retryAfterMs()).toBe(100);
    advance(100);
    expect(breaker.pass()).toBe('probe');
    expect(breaker.state()).toBe('half-open');
    expect(breaker.retryAfterMs()).toBe(0);
    // Attempts arriving during the probe wait for its answer, then ask again.
    const waiting = breaker.pass();
    expect(waiting).toBeInstanceOf(Promise);
    let settled = false;
    void (waiting as Promise<void>).then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    breaker.record('probe', ok);
    await waiting;
    expect(breaker.state()).toBe('closed');
    expect(breaker.pass()).toBe('send');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for a whole cool-down when the probe fails, and those who waited for it are refused', async () => {
    const { breaker, states, advance } = breakerAt(2, 500);
    breaker.record('send', timeout);
    breaker.record('send', timeout);
    advance(500);
    expect(breaker.pass()).toBe('probe');
    const waiting = breaker.pass();
    advance(30);
    breaker.record('probe', internal);
    await waiting;
    expect(breaker.pass()).toBe('refuse');
    expect(breaker.retryAfterMs()).toBe(500);
    expect(states).toEqual(['open', 'half-open', 'open']);
    // A success after the reopening starts from a fresh probe, not from a count of one failure.
    advance(500);
    expect(breaker.pass()).toBe('probe');
    breaker.record('probe', taken);
    expect(breaker.state()).toBe('closed');
    breaker.record('send', timeout);
    expect(breaker.state()).toBe('closed');
  });

  it('ignores late answers of attempts sent before it opened: no second opening, no longer cool-down', () => {
    const { breaker, states, advance } = breakerAt(2, 500);
    breaker.record('send', timeout);
    breaker.record('send', timeout);
    advance(300);
    breaker.record('send', timeout);
    breaker.record('send', ok);
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(200);
    expect(states).toEqual(['open']);
  });
});
