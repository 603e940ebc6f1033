/**
 * Base of errors that are answers, not bugs: a refusal by the limiter, a problem sent to the caller, Tencent
 * saying no. They are thrown in the thousands per second under overload and their stack is never read, while
 * capturing one cost about 20 µs each in the bench's profile of 429s. So they are created without a stack.
 */
export class ExpectedError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
