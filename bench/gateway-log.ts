import { type Latency, latencyOfUs } from './open-loop.js';

/**
 * The gateway's own answer times in one run of the bench, read from its request log: one JSON line per request,
 * whose `latencyMs` runs from Fastify's onRequest to the answer (Tencent's round trip included, the wait in the
 * socket before the gateway read the request not). Unlike the /metrics histograms, which give only bucket bounds,
 * these are exact, and unlike the client's, they are free of the load generator's lag on cores it shares.
 *
 * Only `POST /rooms` lines whose request ID is `<prefix>.<i>` with `from <= i < to` count, for one prefix or any of
 * several: the bench sends each request's X-Request-Id named after the part of the run and the request's index,
 * so this picks out parts of that run (its recorded part, its warm-up, the segments of a path that took turns).
 * The request ID rather than the RoomId, which a request refused on arrival while the gateway sheds overload does
 * not have in its line (its body is not read).
 */
export function answerTimesFromLog(
  log: string,
  prefix: string | string[],
  from: number,
  to = Number.POSITIVE_INFINITY,
): Map<number, Latency> {
  const byStatus = new Map<number, number[]>();
  const prefixes = new Set(typeof prefix === 'string' ? [prefix] : prefix);
  const markers = [...prefixes].map((p) => `"requestId":"${p}.`);
  for (const row of log.split('\n')) {
    // Cheap filter first: under scenario 3 the log holds ~100,000 lines.
    if (!markers.some((marker) => row.includes(marker))) continue;
    let line: {
      method?: unknown;
      route?: unknown;
      status?: unknown;
      latencyMs?: unknown;
      requestId?: unknown;
    };
    try {
      line = JSON.parse(row);
    } catch {
      continue;
    }
    if (line.method !== 'POST' || line.route !== '/rooms') continue;
    if (typeof line.status !== 'number' || typeof line.latencyMs !== 'number') continue;
    const id = String(line.requestId);
    const dot = id.lastIndexOf('.');
    if (!prefixes.has(id.slice(0, dot))) continue;
    const index = Number(id.slice(dot + 1));
    if (!Number.isInteger(index) || index < from || index >= to) continue;
    const times = byStatus.get(line.status) ?? [];
    times.push(line.latencyMs * 1000);
    byStatus.set(line.status, times);
  }
  return new Map([...byStatus].map(([status, us]) => [status, latencyOfUs(us)]));
}
