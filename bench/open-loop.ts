import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

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
 * An open-loop constant-rate client: request i is sent at start + i / rate, whether or not earlier ones were
 * answered (so a slow server cannot slow the offered load down, no coordinated omission), timed with
 * process.hrtime.bigint to the microsecond. Bounded: `count` requests, then it waits at most `drainMs` for the
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
  // One Pool per origin, driven through dispatch() with a bare handler: the load generator shares the machine's
  // cores with the gateway and the sandbox, so it must cost as little as possible per request (undici's
  // request() with its response stream cost the bench process about 3x more).
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: opts.connections ?? 256,
        pipelining: 1,
        keepAliveTimeout: 30_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  const intervalNs = BigInt(Math.round(1e9 / opts.ratePerSecond));
  const warmup = opts.warmup ?? 0;
  const samples: Sample[] = [];
  let errors = 0;
  let maxLagNs = 0n;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const settle = () => {
    inFlight--;
    if (inFlight === 0) drained?.();
  };

  const fire = (i: number) => {
    const t = opts.target(i);
    const t0 = process.hrtime.bigint();
    let status = 0;
    const chunks: Buffer[] = [];
    inFlight++;
    poolFor(t.origin).dispatch(
      { origin: t.origin, path: t.path, method: 'POST', headers: t.headers, body: t.body },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          if (opts.keepBodies) chunks.push(chunk);
        },
        onResponseEnd() {
          if (i >= warmup) {
            const us = Number(process.hrtime.bigint() - t0) / 1000;
            samples.push(
              opts.keepBodies ? { us, status, text: Buffer.concat(chunks).toString('utf8') } : { us, status },
            );
          }
          settle();
        },
        onResponseError() {
          if (i >= warmup) errors++;
          settle();
        },
      },
    );
  };

  const start = process.hrtime.bigint();
  let next = 0;
  while (next < opts.count) {
    const now = process.hrtime.bigint();
    // Everything due by now goes out at once (a late timer never lowers the offered rate).
    while (next < opts.count && start + BigInt(next) * intervalNs <= now) {
      const lag = now - (start + BigInt(next) * intervalNs);
      if (lag > maxLagNs) maxLagNs = lag;
      if (next === warmup) opts.onWarm?.();
      fire(next++);
    }
    if (next >= opts.count) break;
    const waitMs = Number(start + BigInt(next) * intervalNs - process.hrtime.bigint()) / 1e6;
    // setTimeout for the bulk of the wait, setImmediate for the last millisecond (timers fire up to 1 ms late).
    if (waitMs > 1.5) await sleep(Math.floor(waitMs - 1));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
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
  await Promise.all([...pools.values()].map((pool) => pool.destroy()));
  return { samples, errors, offeredPerSecond: opts.count / elapsedS, maxLagMs: Number(maxLagNs) / 1e6 };
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
  const sorted = samples.map((s) => s.us).sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentileMs(sorted, 50),
    p99: percentileMs(sorted, 99),
    p999: percentileMs(sorted, 99.9),
    max: (sorted.at(-1) ?? Number.NaN) / 1000,
  };
}
