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
 * Which failures may be sent again: exactly the contract's two, a connection that never opened (nothing was
 * sent) and Tencent's 100001 ("internal error, please retry"). create_room is safe to repeat in any case because
 * a second arrival of the same RoomId and owner answers 100010, which the gateway treats as success, but a
 * timeout is still not retried here: the caller's deadline is better spent answering. Nor is 60008, although
 * Tencent's table says "retry": it also stands for "bad HTTP format", which a repeat of the same request cannot
 * fix, and the contract leaves it to the caller (a 502 at once, not after two more seconds of attempts).
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof TransportError) return err.kind === 'connect';
  if (err instanceof UpstreamError) return err.code === TENCENT.INTERNAL_ERROR;
  return false;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many callers spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return exp / 2 + random() * (exp / 2);
}
