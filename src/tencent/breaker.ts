import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
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
}

export interface UpstreamBreaker {
  /** Runs one attempt through the breaker; rejects with cockatiel's BrokenCircuitError while open. */
  execute(attempt: () => Promise<TencentEnvelope>): Promise<TencentEnvelope>;
  state(): BreakerState;
  /** How long until the next probe is allowed (0 unless open). */
  retryAfterMs(): number;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * A circuit breaker over upstream attempts (cockatiel). What counts as a failure is Tencent being unwell, not
 * Tencent saying no: no answer, a broken connection, an error page or garbage, and its own "internal error,
 * retry" codes. Business answers (room exists, bad parameters, rate limits) keep the circuit closed.
 */
export function createUpstreamBreaker(opts: UpstreamBreakerOptions = {}): UpstreamBreaker {
  const cooldownMs = opts.cooldownMs ?? 5000;
  const policy = circuitBreaker(
    handleWhen((err) => err instanceof TransportError).orWhenResult((result) => {
      const code = (result as TencentEnvelope).ErrorCode;
      return code === TENCENT.INTERNAL_ERROR || code === TENCENT.SERVICE_TIMEOUT;
    }),
    { halfOpenAfter: cooldownMs, breaker: new ConsecutiveBreaker(opts.failures ?? 5) },
  );
  let openedAt = 0;
  policy.onBreak(() => {
    openedAt = performance.now();
  });
  policy.onStateChange((state) => opts.onStateChange?.(STATES[state]));
  return {
    execute: (attempt) => policy.execute(attempt),
    state: () => STATES[policy.state],
    retryAfterMs: () =>
      policy.state === CircuitState.Open ? Math.max(0, openedAt + cooldownMs - performance.now()) : 0,
  };
}
