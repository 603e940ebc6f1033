import { ExpectedError } from '../expected-error.js';
import type { TencentEnvelope } from './envelope.js';

/** Tencent answered with its JSON envelope and a non-zero ErrorCode. */
export class UpstreamError extends ExpectedError {
  override name = 'UpstreamError';
  constructor(
    readonly command: string,
    readonly code: number,
    readonly info: string,
    readonly requestId: string | undefined,
    readonly attempts: number,
  ) {
    super(`${command} failed with Tencent ErrorCode ${code}: ${info}`);
  }
}

/**
 * No usable envelope came back. `kind` says what happened, which decides whether it is retried (retry-policy.ts):
 * - connect: the connection was never established, so nothing was sent (retried);
 * - timeout: no complete answer within the per-attempt deadline (the request may have been processed; not
 *   retried);
 * - reset: the connection broke before the answer was complete (retried, like connect);
 * - bad-status: an HTTP status other than 200 (a load balancer's error page, say, or Tencent's envelope under a
 *   503);
 * - bad-body: 200, but not JSON or without ErrorCode, or an envelope whose Response the command cannot use.
 *
 * `envelope` is Tencent's JSON envelope when the answer was one all the same (a non-200 status, an unusable
 * Response): the caller's problem then carries it as `upstream`.
 */
export type TransportErrorKind = 'connect' | 'timeout' | 'reset' | 'bad-status' | 'bad-body';

export class TransportError extends ExpectedError {
  override name = 'TransportError';
  constructor(
    readonly command: string,
    readonly kind: TransportErrorKind,
    readonly detail: string,
    readonly attempts: number,
    readonly httpStatus?: number,
    readonly envelope?: TencentEnvelope,
  ) {
    super(`${command}: ${kind}: ${detail}`);
  }
}

/**
 * The circuit breaker is open: Tencent has been failing, and nothing is sent until the cool-down ends. A value,
 * not an Error, for the reason LimitRefusal gives: during an outage it is the answer to every request.
 */
export class CircuitOpen {
  constructor(readonly retryAfterMs: number) {}
}

/**
 * The gateway's own limiter refused to send (the request never left). A value, not an Error: under overload it
 * is the answer to almost every request, and a rejection costs a throw at every `await` on its way up to the
 * route and Fastify's error path after that: answering refusals as values cut the gateway's CPU per request from
 * ~212 to ~165 µs in the bench's overload scenario (A/B, bench/ANALYSIS.md).
 */
export class LimitRefusal {
  constructor(
    readonly limit: 'global' | 'room',
    readonly retryAfterMs: number,
    readonly perSecond: number,
  ) {}
}

/** What a call answers when it sent nothing: the gateway's limits or its circuit breaker kept it back. */
export type NotSent = LimitRefusal | CircuitOpen;

/** Whether a call's answer is one of the NotSent values (kept beside the type, so a new kind is not missed). */
export function isNotSent(answer: unknown): answer is NotSent {
  return answer instanceof LimitRefusal || answer instanceof CircuitOpen;
}
