import { TENCENT } from './codes.js';
import type { TencentEnvelope } from './envelope.js';
import { TransportError } from './errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface UpstreamBreakerOptions {
  /** Consecutive failed attempts that open the circuit. */
  failures?: number;
  /** How long it stays open before one probe is let through. */
  cooldownMs?: number;
  onStateChange?: (state: BreakerState) => void;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/**
 * What an attempt may do: be sent ('send'), be sent as the one probe after a cool-down ('probe'), not be sent
 * ('refuse'), or wait for the probe under way and ask again (the promise settles when the probe's answer is in).
 */
export type BreakerPass = 'send' | 'probe' | 'refuse' | Promise<void>;

export interface UpstreamBreaker {
  /** Asked right before an attempt is sent. Synchronous unless a probe is under way. */
  pass(): BreakerPass;
  /** How an attempt that was let through ended: the envelope Tencent answered, or the error it failed with. */
  record(pass: 'send' | 'probe', outcome: TencentEnvelope | unknown): void;
  state(): BreakerState;
  /** How long until the next probe is allowed (0 unless open). */
  retryAfterMs(): number;
}

/**
 * Tencent being unwell, as opposed to Tencent saying no: no answer, a broken connection, an error page or
 * garbage, and its own "internal error, retry" codes. Business answers (room exists, bad parameters, rate limits)
 * say Tencent is working.
 */
export function isUpstreamFailure(outcome: TencentEnvelope | unknown): boolean {
  if (outcome instanceof TransportError) return true;
  const code = (outcome as Partial<TencentEnvelope> | undefined)?.ErrorCode;
  return code === TENCENT.INTERNAL_ERROR || code === TENCENT.SERVICE_TIMEOUT;
}

/**
 * Failed attempts in a row that open the circuit by default. At the quota a failing Tencent reaches it within a
 * tenth of a second; a client's own run of failing requests (a test suite going through every upstream fault,
 * each 100001 worth three attempts) stays below it, and keeps getting the 502s and 504s the contract gives.
 * At 5 the gateway's own suites turned a timeout's 504, and the successes after it, into 503s.
 */
export const DEFAULT_BREAKER_FAILURES = 20;

/**
 * A consecutive-failures circuit breaker over upstream attempts. Closed, it counts failures in a row; at
 * `failures` it opens, and attempts are refused for `cooldownMs`. The first attempt after that is the probe
 * (half-open): attempts arriving meanwhile wait for its answer, then go if it closed the circuit or are refused
 * if it opened it again.
 *
 * Written out rather than taken from a library because it sits on every attempt: a decision here is a few
 * comparisons, where a generic policy wrapped each attempt in further promises.
 */
export function createUpstreamBreaker(opts: UpstreamBreakerOptions = {}): UpstreamBreaker {
  const threshold = opts.failures ?? DEFAULT_BREAKER_FAILURES;
  const cooldownMs = opts.cooldownMs ?? 5000;
  const now = opts.now ?? (() => performance.now());
  let current: BreakerState = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  /** Settles when the probe under way has its answer (half-open only). */
  let probeDone: { promise: Promise<void>; resolve: () => void } | undefined;

  function enter(next: BreakerState): void {
    current = next;
    opts.onStateChange?.(next);
  }

  function open(): void {
    openedAt = now();
    enter('open');
  }

  return {
    pass() {
      if (current === 'closed') return 'send';
      if (current === 'half-open') return (probeDone as { promise: Promise<void> }).promise;
      if (now() - openedAt < cooldownMs) return 'refuse';
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      probeDone = { promise, resolve };
      enter('half-open');
      return 'probe';
    },
    record(pass, outcome) {
      const failed = isUpstreamFailure(outcome);
      if (pass === 'probe') {
        const waiting = probeDone;
        probeDone = undefined;
        consecutive = failed ? threshold : 0;
        if (failed) open();
        else enter('closed');
        waiting?.resolve();
        return;
      }
      if (!failed) {
        consecutive = 0;
        return;
      }
      consecutive++;
      // An attempt sent before the circuit opened, answering late, tells nothing new: only a closed circuit opens.
      if (current === 'closed' && consecutive >= threshold) open();
    },
    state: () => current,
    retryAfterMs: () => (current === 'open' ? Math.max(0, openedAt + cooldownMs - now()) : 0),
  };
}
