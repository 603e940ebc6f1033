import type { Dispatcher } from 'undici';

/** What came back for one POST: the HTTP status and the whole body as text. */
export interface Answer {
  status: number;
  text: string;
}

/** Why an attempt ended without an answer, besides undici's own errors (which carry a `code`). */
export class AttemptFailure extends Error {
  override name = 'AttemptFailure';
  constructor(
    readonly reason: 'timeout' | 'too-large',
    detail: string,
    readonly status?: number,
  ) {
    super(detail);
  }
}

/**
 * Collects one answer straight from undici's dispatch callbacks. This is the hot path of every room creation,
 * so it is deliberately bare: no response stream, no AbortSignal (creating one and listening on it cost more
 * than the rest of an attempt's bookkeeping in the bench's profile), one timer for the deadline.
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private status = 0;
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (err: unknown) => void,
    timeoutMs: number,
    private readonly maxBytes: number,
  ) {
    this.timer = setTimeout(
      () => this.abort(new AttemptFailure('timeout', `no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  }

  /**
   * Aborts the request on its connection. One still queued in the pool has none yet: the caller gets the
   * failure now, and the request is dropped the moment it would have been sent.
   */
  private abort(reason: Error): void {
    this.abortReason ??= reason;
    if (this.controller) this.controller.abort(this.abortReason);
    else this.reject(this.abortReason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // A 1xx informational answer may come first: only the final one counts.
    this.status = statusCode;
    this.chunks = [];
    this.size = 0;
    const length = Number(headers['content-length'] ?? 0);
    if (length > this.maxBytes) this.tooLarge(length);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.tooLarge(this.size);
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    clearTimeout(this.timer);
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.resolve({ status: this.status, text: body.toString('utf8') });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    clearTimeout(this.timer);
    this.reject(this.abortReason ?? err);
  }

  private tooLarge(bytes: number): void {
    this.abort(
      new AttemptFailure(
        'too-large',
        `answer of ${bytes} bytes is larger than ${this.maxBytes}`,
        this.status,
      ),
    );
  }
}

export interface PostOptions {
  origin: string;
  path: string;
  body: string;
  /** Deadline of the whole attempt: connection, request, headers and body. */
  timeoutMs: number;
  maxBytes: number;
}

/**
 * POSTs a JSON body and resolves with the answer, or rejects with an AttemptFailure (deadline, size) or
 * undici's error (whose `code` says whether the connection was ever made).
 */
export function postJson(dispatcher: Dispatcher, opts: PostOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(
      {
        origin: opts.origin,
        path: opts.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: opts.body,
      },
      new AnswerCollector(resolve, reject, opts.timeoutMs, opts.maxBytes),
    );
  });
}
