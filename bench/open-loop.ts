import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type Dispatcher } from 'undici';

/** One request to send: where, and with what. */
export interface Target {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Sample {
  /** Microseconds from the call to the end of the answer's body. */
  us: number;
  status: number;
  /** The answer's body (only kept when asked for). */
  text?: string;
}

export interface OpenLoopResult {
  samples: Sample[];
  /** Requests that failed without an answer (connection errors, timeouts). */
  errors: number;
  /** Requests per second actually offered (scheduled ones that were sent / elapsed). */
  offeredPerSecond: number;
  /** The worst lateness of a send against its schedule, in ms (how evenly spaced the load really was). */
  maxLagMs: number;
}

/**
 * One request's handler. A class, not closures: the bench runs under tsx, whose transform wraps every function
 * expression in a naming helper, and closures made per request showed at the top of the load generator's profile.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly startedAt = performance.now();
  endedAt = 0;
  status = 0;
  failed = false;
  readonly chunks: Buffer[] = [];

  constructor(
    readonly client: Client,
    readonly i: number,
    private readonly keepBody: boolean,
    private readonly finished: (exchange: Exchange) => void,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.keepBody) this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.endedAt = performance.now();
    this.finished(this);
  }

  onResponseError(): void {
    this.failed = true;
    this.finished(this);
  }
}

/**
 * An open-loop constant-rate client: request i is sent at start + i / rate, whether or not earlier ones were
 * answered (so a slow server cannot slow the offered load down, no coordinated omission), timed with
 * performance.now() to the microsecond. Bounded: `count` requests, then it waits at most `drainMs` for the
 * last answers.
 */
export async function openLoop(opts: {
  ratePerSecond: number;
  count: number;
  /** Builds request i (a distinct RoomId each time). */
  target: (i: number) => Target;
  /** Samples whose index is below this are sent but not recorded (warm-up). */
  warmup?: number;
  keepBodies?: boolean;
  connections?: number;
  drainMs?: number;
  /** Called when the first recorded request is sent (the warm-up is over). */
  onWarm?: () => void;
}): Promise<OpenLoopResult> {
  // Connections are undici Clients driven through dispatch() with a bare handler, handed out from a stack of
  // idle ones: the load generator shares the machine's cores with the gateway and the sandbox, so it must cost
  // as little as possible per request (undici's request() with its response stream, and a Pool that scans its
  // connections for a free one on every request, cost the bench process several times more).
  const limit = opts.connections ?? 256;
  const clients: Client[] = [];
  const idle: Client[] = [];
  const waiting: ((client: Client) => void)[] = [];
  let origin: string | undefined;
  const warmup = opts.warmup ?? 0;
  const samples: Sample[] = [];
  let errors = 0;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  /** Where an exchange reports its end: the connection goes to the next waiting request or back to idle. */
  const finished = (exchange: Exchange) => {
    const { i } = exchange;
    if (i >= warmup) {
      if (exchange.failed) errors++;
      else {
        const us = (exchange.endedAt - exchange.startedAt) * 1000;
        samples.push(
          opts.keepBodies
            ? { us, status: exchange.status, text: Buffer.concat(exchange.chunks).toString('utf8') }
            : { us, status: exchange.status },
        );
      }
    }
    inFlight--;
    const next = waiting.shift();
    if (next) next(exchange.client);
    else idle.push(exchange.client);
    if (inFlight === 0) drained?.();
  };

  const send = (client: Client, i: number, t: Target) => {
    client.dispatch(
      { origin: t.origin, path: t.path, method: 'POST', headers: t.headers, body: t.body },
      new Exchange(client, i, opts.keepBodies === true, finished),
    );
  };

  const fire = (i: number) => {
    const t = opts.target(i);
    // One origin per run: its connections are interchangeable.
    origin ??= t.origin;
    if (t.origin !== origin) throw new Error(`openLoop: one origin per run (${origin}, then ${t.origin})`);
    inFlight++;
    const client = idle.pop();
    if (client) return send(client, i, t);
    if (clients.length < limit) {
      const fresh = new Client(t.origin, { pipelining: 1, keepAliveTimeout: 30_000 });
      clients.push(fresh);
      return send(fresh, i, t);
    }
    // Every connection is busy: this request waits for the first one free (its latency counts from then, as
    // with any client library; the send lag is reported separately).
    waiting.push((free) => send(free, i, t));
  };

  const intervalMs = 1000 / opts.ratePerSecond;
  const start = performance.now();
  let maxLagMs = 0;
  let next = 0;
  while (next < opts.count) {
    const now = performance.now();
    // Everything due by now goes out at once (a late timer never lowers the offered rate).
    while (next < opts.count && start + next * intervalMs <= now) {
      maxLagMs = Math.max(maxLagMs, now - (start + next * intervalMs));
      if (next === warmup) opts.onWarm?.();
      fire(next++);
    }
    if (next >= opts.count) break;
    const waitMs = start + next * intervalMs - performance.now();
    // setTimeout for the bulk of the wait, setImmediate for the last millisecond (timers fire up to 1 ms late).
    if (waitMs > 1.5) await sleep(Math.floor(waitMs - 1));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsedS = (performance.now() - start) / 1000;
  if (inFlight > 0) {
    const timer = { id: undefined as NodeJS.Timeout | undefined };
    await new Promise<void>((resolve) => {
      drained = resolve;
      timer.id = setTimeout(resolve, opts.drainMs ?? 10_000);
    });
    clearTimeout(timer.id);
  }
  // Whatever is still unanswered after the drain counts as an error.
  errors += inFlight;
  await Promise.all(clients.map((client) => client.destroy()));
  return { samples, errors, offeredPerSecond: opts.count / elapsedS, maxLagMs };
}

/** Exact percentile over all samples (nearest rank), in ms. */
export function percentileMs(sortedUs: number[], p: number): number {
  if (sortedUs.length === 0) return Number.NaN;
  const rank = Math.min(sortedUs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedUs.length) - 1));
  return (sortedUs[rank] as number) / 1000;
}

export interface Latency {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function latencyOf(samples: Sample[]): Latency {
  return latencyOfUs(samples.map((s) => s.us));
}

/** The same from bare durations in microseconds. */
export function latencyOfUs(us: number[]): Latency {
  const sorted = [...us].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentileMs(sorted, 50),
    p99: percentileMs(sorted, 99),
    p999: percentileMs(sorted, 99.9),
    max: (sorted.at(-1) ?? Number.NaN) / 1000,
  };
}
