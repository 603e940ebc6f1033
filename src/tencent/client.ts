import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BaseLogger } from 'pino';
import { type Dispatcher, Pool } from 'undici';
import type { BreakerPass, UpstreamBreaker } from './breaker.js';
import { TENCENT } from './codes.js';
import { COMMANDS, type CommandName, type CommandRequest, type CommandResponse } from './commands.js';
import { parseEnvelope, type TencentEnvelope } from './envelope.js';
import {
  CircuitOpen,
  LimitRefusal,
  type NotSent,
  TransportError,
  type TransportErrorKind,
  UpstreamError,
} from './errors.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryable, type RetryPolicy } from './retry-policy.js';
import { type Answer, AttemptFailure, postJson } from './transport.js';
import type { UserSigCache } from './usersig-cache.js';

/** Held by an attempt from its admission until its answer (or failure) is in. */
export interface Admitted {
  release(): void;
}

/** Where a limiter sits: every attempt, retries included, passes through it right before it is sent. */
export interface AttemptGate {
  /**
   * Whether the attempt may go: answered as it is when known at once (no promise: this runs for every attempt),
   * or when the promise resolves after a wait. A LimitRefusal when it may not go; throws or rejects only when the
   * wait is aborted.
   */
  admit(attempt: {
    command: CommandName;
    roomId: string | undefined;
    /** Retries wait for their slot (up to `maxWaitMs`) instead of being refused for the room limit. */
    retry: boolean;
    maxWaitMs: number;
    signal?: AbortSignal;
  }): Admitted | LimitRefusal | Promise<Admitted | LimitRefusal>;
  /**
   * The refusal a first attempt would get whatever its request holds, known before any work is done for it:
   * while the command's limit sheds sustained overload. Undefined otherwise (`admit` still decides). Optional.
   */
  refuseEarly?(command: CommandName, maxWaitMs: number): LimitRefusal | undefined;
}

/** Any pino-compatible logger (Fastify's request loggers included). */
export type Log = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'> & {
  isLevelEnabled?(level: string): boolean;
};

export interface AttemptRecord {
  command: CommandName;
  attempt: number;
  durationMs: number;
  outcome: number | TransportErrorKind;
}

export interface TencentClientOptions {
  baseUrl: string;
  sdkAppId: number;
  adminId: string;
  userSig: UserSigCache;
  /** Deadline of one attempt, headers and body together. */
  timeoutMs: number;
  /** Deadline of a whole call, waits and retries included. */
  totalTimeoutMs: number;
  /** How long a first attempt may wait for its global slot. */
  queueMs: number;
  gate: AttemptGate;
  /** Fails fast while Tencent is failing; absent, every attempt is sent. */
  breaker?: UpstreamBreaker;
  logger: Log;
  dispatcher?: Dispatcher;
  retry?: RetryPolicy;
  onAttempt?: (record: AttemptRecord) => void;
}

export interface CallResult<C extends CommandName = CommandName> {
  envelope: TencentEnvelope;
  /** The answer's `Response` member, validated and normalized by the command's schema. */
  response: CommandResponse<C>;
  attempts: number;
}

export interface TencentClient {
  /**
   * Sends one command, with retries where safe. Resolves with the result, or with what kept its first attempt
   * back when nothing was sent: the gateway's own limits or its open circuit breaker (see LimitRefusal for why
   * those are not rejections); rejects with what else went wrong (UpstreamError, TransportError, the abort
   * reason).
   */
  call<C extends CommandName>(
    command: C,
    body: CommandRequest<C>,
    opts: { roomId?: string; signal?: AbortSignal; logger?: Log },
  ): Promise<CallResult<C> | NotSent>;
  /**
   * The 429 that a call of `command` would get now whatever its body or RoomId (the limits shed sustained
   * overload), so that a route can answer it before reading the request; undefined when a call may go.
   */
  refuseEarly(command: CommandName): LimitRefusal | undefined;
  close(): Promise<void>;
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const MAX_BODY_BYTES = 1024 * 1024;
const RESPONSE_MISMATCH = 'answer has no usable Response member';

/**
 * What a call answers when the limits or the breaker keep an attempt back: the first attempt's NotSent (a 429 or
 * 503 for the caller), but for a retry the failure that caused it, not a 429 or 503 for a request that was sent.
 */
function unsent(notSent: NotSent, lastError: TransportError | UpstreamError | undefined): NotSent {
  if (lastError) throw lastError;
  return notSent;
}

function classify(err: unknown): TransportErrorKind {
  const code = (err as { code?: string }).code ?? '';
  return CONNECT_ERRORS.has(code) ? 'connect' : 'reset';
}

/** Why an attempt got no answer: its deadline, an answer too large, or the connection (undici's errors). */
function failureOf(err: unknown, command: CommandName, attempts: number): TransportError {
  if (err instanceof AttemptFailure) {
    return err.reason === 'timeout'
      ? new TransportError(command, 'timeout', err.message, attempts)
      : new TransportError(command, 'bad-body', err.message, attempts, err.status);
  }
  // Only the error code: undici messages can carry the request URL, and the URL carries the UserSig.
  return new TransportError(
    command,
    classify(err),
    (err as { code?: string }).code ?? 'connection error',
    attempts,
  );
}

/** What an answer says: Tencent's envelope, or why it is not a usable answer. */
function envelopeOf(
  answer: Answer,
  command: CommandName,
  attempts: number,
): TencentEnvelope | TransportError {
  if (answer.status !== 200) {
    // Still a failure whatever it says (and one for the breaker), but Tencent's own words when they are there.
    const envelope = parseEnvelope(answer.text, false);
    const detail = envelope
      ? `HTTP ${answer.status}, ErrorCode ${envelope.ErrorCode}`
      : `HTTP ${answer.status}`;
    return new TransportError(command, 'bad-status', detail, attempts, answer.status, envelope);
  }
  return (
    // Exact numbers only where the answer's Response is read (and answered with): not create_room's.
    parseEnvelope(answer.text, COMMANDS[command].response !== undefined) ??
    new TransportError(
      command,
      'bad-body',
      'answer is not a JSON envelope with an ErrorCode',
      attempts,
      answer.status,
    )
  );
}

/** Waits out the breaker's probe under way, then asks again (another probe may have begun meanwhile). */
async function passAfterProbe(
  breaker: UpstreamBreaker,
  probe: Promise<void>,
): Promise<'send' | 'probe' | 'refuse'> {
  let pass: BreakerPass = probe;
  while (pass instanceof Promise) {
    await pass;
    pass = breaker.pass();
  }
  return pass;
}

/**
 * The one place where requests leave for Tencent: signs (from the cache), passes the limiter, sends over a
 * keep-alive pool with a per-attempt deadline, parses the envelope, and retries what is safe to retry.
 */
export function createTencentClient(opts: TencentClientOptions): TencentClient {
  const base = new URL(opts.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const dispatcher =
    opts.dispatcher ?? new Pool(base.origin, { connections: 512, keepAliveTimeout: 10_000, pipelining: 1 });
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const fixedQuery = `sdkappid=${opts.sdkAppId}&identifier=${encodeURIComponent(opts.adminId)}`;

  /** One attempt's upstream path, with a fresh uniform uint32 `random` (crypto.randomInt: no modulo bias). */
  const attemptPath = (command: CommandName, userSig: string) =>
    `${basePath}/v4/${COMMANDS[command].path}?${fixedQuery}&usersig=${userSig}&random=${randomInt(0, 2 ** 32)}&contenttype=json`;

  return {
    refuseEarly: (command) => opts.gate.refuseEarly?.(command, opts.queueMs),
    async call(command, body, { roomId, signal, logger = opts.logger }) {
      const startedAt = performance.now();
      const deadlineAt = startedAt + opts.totalTimeoutMs;
      // Serialized once the first attempt is admitted: under overload most calls are refused before that.
      let payload: string | undefined;
      let attempts = 0;
      let retries = 0;
      let refreshedSig = false;
      let lastError: TransportError | UpstreamError | undefined;
      for (;;) {
        const remaining = deadlineAt - performance.now();
        // While the circuit is open nothing is sent, and nobody queues for a permit they could not use.
        // (Once the cool-down is over, the attempt goes on to the breaker, which lets one probe through.)
        if (opts.breaker && opts.breaker.retryAfterMs() > 0)
          return unsent(new CircuitOpen(opts.breaker.retryAfterMs()), lastError);
        const admission = opts.gate.admit({
          command,
          roomId,
          retry: lastError !== undefined,
          maxWaitMs: lastError ? Math.max(0, remaining - opts.timeoutMs / 2) : opts.queueMs,
          signal,
        });
        const admitted = admission instanceof Promise ? await admission : admission;
        if (admitted instanceof LimitRefusal) return unsent(admitted, lastError);
        attempts++;
        payload ??= JSON.stringify(body);
        const userSig = opts.userSig.get();
        const t0 = performance.now();
        /** One metrics record and one debug line per attempt, whatever its outcome. */
        const report = (outcome: number | TransportErrorKind, fields: Record<string, unknown>) => {
          const record = { command, attempt: attempts, durationMs: performance.now() - t0, outcome };
          opts.onAttempt?.(record);
          // The line is built only when it will be written: this runs for every attempt.
          if (logger.isLevelEnabled?.('debug') ?? true)
            logger.debug({ ...record, ...fields }, 'tencent attempt');
        };
        // The attempt is written out here rather than in helper async functions: each async layer costs a promise
        // and a microtask turn per attempt, and this runs for every room creation.
        let outcome: TencentEnvelope | TransportError;
        try {
          // The breaker, when there is one, decides whether this attempt goes (after a probe under way, if any).
          let pass = opts.breaker?.pass();
          if (pass instanceof Promise) pass = await passAfterProbe(opts.breaker as UpstreamBreaker, pass);
          // Refused by the breaker while its probe was under way: this attempt is not sent.
          if (pass === 'refuse') return unsent(new CircuitOpen(opts.breaker?.retryAfterMs() ?? 0), lastError);
          let answer: Answer | TransportError;
          try {
            // Not cancelled when the caller goes away: once dispatched the request may reach Tencent anyway (its
            // permit is held until the answer for that reason), and the deadline bounds the wait.
            answer = await postJson(dispatcher, {
              origin: base.origin,
              path: attemptPath(command, userSig),
              body: payload,
              timeoutMs: opts.timeoutMs,
              maxBytes: MAX_BODY_BYTES,
            });
          } catch (err) {
            answer = failureOf(err, command, attempts);
          }
          outcome = answer instanceof TransportError ? answer : envelopeOf(answer, command, attempts);
          if (pass !== undefined) opts.breaker?.record(pass, outcome);
        } finally {
          admitted.release();
        }
        let error: TransportError | UpstreamError;
        if (outcome instanceof TransportError) {
          report(outcome.kind, { detail: outcome.detail });
          error = outcome;
        } else {
          const envelope = outcome;
          report(envelope.ErrorCode, { upstreamRequestId: envelope.RequestId });
          if (envelope.ErrorCode === TENCENT.OK) {
            const schema = COMMANDS[command].response;
            if (!schema)
              return { envelope, response: undefined as CommandResponse<typeof command>, attempts };
            const parsed = schema.safeParse(envelope.Response);
            if (parsed.success)
              return { envelope, response: parsed.data as CommandResponse<typeof command>, attempts };
            // Reported by its ErrorCode already.
            error = new TransportError(command, 'bad-body', RESPONSE_MISMATCH, attempts, 200, envelope);
          } else {
            error = new UpstreamError(
              command,
              envelope.ErrorCode,
              envelope.ErrorInfo ?? '',
              envelope.RequestId,
              attempts,
            );
          }
        }
        lastError = error;

        if (error instanceof UpstreamError && error.code === TENCENT.USERSIG_EXPIRED && !refreshedSig) {
          // Tencent says the UserSig expired (clock skew, or revoked): sign anew and try once more.
          refreshedSig = true;
          opts.userSig.invalidate(userSig);
          logger.warn({ command }, 'Tencent answered 70001 (UserSig expired): regenerated, retrying once');
          continue;
        }
        if (!isRetryable(error) || retries >= policy.maxRetries) throw error;
        retries++;
        const delay = backoffDelay(policy, retries);
        // A retry that cannot finish before the call's deadline is not started: answer with what we have.
        if (performance.now() + delay + opts.timeoutMs / 2 > deadlineAt) throw error;
        // A caller gone during the pause ends the call with its own reason, as a wait in the limiter does.
        await sleep(delay, undefined, { signal }).catch((err: unknown) => {
          throw signal?.aborted ? signal.reason : err;
        });
      }
    },
    async close() {
      await dispatcher.close();
    },
  };
}
