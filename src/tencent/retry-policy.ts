import { TENCENT } from './codes.js';
import { TransportError, UpstreamError } from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt for transient failures (not counting the one UserSig refresh). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };

/**
 * Which failures may be sent again: the contract's two, connection failures and Tencent's 100001 ("internal
 * error, please retry"). A connection failure is one that never opened (nothing was sent) or one that broke before
 * the answer was complete: with pooled keep-alive connections the commonest is the server closing an idle
 * connection just as a request is written. A broken connection may have delivered the request, and that is safe
 * to repeat: create_room's second arrival answers 100010, which the gateway treats as success, and a destroy_room
 * that had been processed answers 100004 (a 404, the room being gone either way). A timeout is still not retried:
 * the caller's deadline is better spent answering. Nor is 60008, although Tencent's table says "retry": it also
 * stands for "bad HTTP format", which a repeat of the same request cannot fix, and the contract leaves it to the
 * caller (a 502 at once, not after two more seconds of attempts).
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TransportError) return err.kind === 'connect' || err.kind === 'reset';
  if (err instanceof UpstreamError) return err.code === TENCENT.INTERNAL_ERROR;
  return false;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many callers spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return exp / 2 + random() * (exp / 2);
}
