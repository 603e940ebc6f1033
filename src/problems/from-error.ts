import { TENCENT } from '../tencent/codes.js';
import { LimitRefusal, type NotSent, TransportError, UpstreamError } from '../tencent/errors.js';
import { tencentCodeEntry } from './catalog.js';
import { type ProblemAnswer, ProblemError, problemTemplate } from './problem.js';

/** Whole seconds, at least 1: what `Retry-After` demands, rounded up so an early retry is never invited. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The answer for a call that sent nothing: 429 when the gateway's own limits refused it, 503 while the circuit
 * breaker is open. A plain answer, no Error (see LimitRefusal). Under a flood it is the answer to thousands of
 * requests a second, all alike but for their request ID and path, so each distinct answer is made once, frozen,
 * with its body's template (problemTemplate), and handed out again.
 */
export function problemFromNotSent(notSent: NotSent): ProblemAnswer {
  const seconds = retryAfterSeconds(notSent.retryAfterMs);
  const key =
    notSent instanceof LimitRefusal ? `${notSent.limit} ${notSent.perSecond} ${seconds}` : `open ${seconds}`;
  let answer = notSentAnswers.get(key);
  if (answer === undefined) {
    // A handful of keys in practice (the limit, the command's rate, a Retry-After of a second or a few): the
    // bound only keeps an unusual configuration from growing the map without end.
    if (notSentAnswers.size >= MAX_NOT_SENT_ANSWERS) notSentAnswers.clear();
    answer = shared(notSentAnswer(notSent, seconds));
    notSentAnswers.set(key, answer);
  }
  return answer;
}

const notSentAnswers = new Map<string, ProblemAnswer>();
const MAX_NOT_SENT_ANSWERS = 256;

/** An answer given to many requests: frozen, since they share it, and with its body's template. */
function shared(answer: ProblemAnswer): ProblemAnswer {
  return Object.freeze({
    ...answer,
    extras: Object.freeze({ ...answer.extras }),
    headers: Object.freeze({ ...answer.headers }),
    template: problemTemplate(answer.slug, answer.detail, answer.extras),
  });
}

function notSentAnswer(notSent: NotSent, seconds: number): ProblemAnswer {
  if (!(notSent instanceof LimitRefusal)) {
    return {
      slug: 'upstream-unavailable',
      detail: `Not sent: Tencent has been failing, so the gateway pauses for a cool-down. Retry in ${seconds} s.`,
      extras: {},
      headers: { 'retry-after': String(seconds) },
    };
  }
  const refusal = notSent;
  const what =
    refusal.limit === 'room'
      ? 'this RoomId was sent to Tencent less than a second ago, and Tencent allows it once per second'
      : `the gateway already sends Tencent the ${refusal.perSecond} requests per second it allows`;
  return {
    slug: 'rate-limited',
    detail: `Not sent: ${what}. Retry in ${seconds} s.`,
    extras: { limit: refusal.limit },
    headers: {
      'retry-after': String(seconds),
      'ratelimit-limit': String(refusal.limit === 'room' ? 1 : refusal.perSecond),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(seconds),
    },
  };
}

/**
 * Turns what the upstream layer throws into the problem the caller sees. Returns undefined for errors that are
 * not the upstream layer's (the error handler treats those as internal errors).
 */
export function problemFromUpstream(err: unknown): ProblemError | undefined {
  if (err instanceof ProblemError) return err;
  if (err instanceof UpstreamError) {
    const entry = tencentCodeEntry(err.code);
    const hint = entry.operatorHint ? ` Operator: ${entry.operatorHint}.` : '';
    const tries = err.attempts > 1 ? ` after ${err.attempts} attempts` : '';
    return new ProblemError(
      entry.slug,
      `Tencent answered ${err.code} (${entry.meaning})${tries}.${hint}`,
      { upstream: { errorCode: err.code, errorInfo: err.info, requestId: err.requestId } },
      entry.slug === 'upstream-rate-limited' ? { 'retry-after': '1' } : {},
    );
  }
  if (err instanceof TransportError) {
    const tries = err.attempts > 1 ? ` (${err.attempts} attempts)` : '';
    if (err.kind === 'timeout') {
      return new ProblemError(
        'upstream-timeout',
        `Tencent gave no answer in time${tries}: ${err.detail}. Repeating the same request is safe.`,
      );
    }
    const envelope = err.envelope;
    if (envelope) {
      // Tencent answered with its envelope, but not usably: still a 502, whatever the code, carrying its words.
      const code = envelope.ErrorCode;
      const what =
        err.kind === 'bad-status'
          ? `Tencent answered HTTP ${err.httpStatus} with ErrorCode ${code} (${code === TENCENT.OK ? 'OK' : tencentCodeEntry(code).meaning})`
          : `Tencent answered ErrorCode ${code}, but its Response is not what ${err.command} returns`;
      return new ProblemError('upstream-failure', `${what}${tries}.`, {
        upstream: { errorCode: code, errorInfo: envelope.ErrorInfo ?? '', requestId: envelope.RequestId },
      });
    }
    const what = {
      connect: 'could not connect to Tencent',
      reset: 'the connection to Tencent broke before its answer was complete',
      'bad-status': `Tencent answered with HTTP status ${err.httpStatus}, not its JSON envelope`,
      'bad-body': 'Tencent answered 200 without its JSON envelope',
    }[err.kind];
    return new ProblemError('upstream-failure', `${what}${tries}.`);
  }
  return undefined;
}
