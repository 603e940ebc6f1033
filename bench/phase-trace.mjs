/**
 * Preloaded into a front (`node --import bench/phase-trace.mjs …`) when the bench runs with BENCH_TRACE: stamps
 * each request's phases from the diagnostics channels Node, Fastify and undici publish, and the process's GC
 * pauses, and writes them to PHASE_TRACE_OUT as JSON lines at exit. Nothing in the front's code changes, and the
 * same file traces roomgate and the minimal handler alike, so their phases can be set side by side (phases.ts).
 *
 * Plain JavaScript: the gateway runs compiled, without tsx. Stamps are epoch milliseconds with microsecond
 * precision (timeOrigin + performance.now()), so they compare across processes on this machine.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const out = process.env.PHASE_TRACE_OUT;
const origin = performance.timeOrigin;
const now = () => origin + performance.now();

/** One record per incoming request (keyed by its IncomingMessage), and per upstream request (undici's Request). */
const incoming = new WeakMap();
const upstream = new WeakMap();
const records = [];
const pauses = [];
/** The incoming request whose route handler is running synchronously: an upstream request made now is its own. */
let current;
/**
 * With PHASE_TRACE_ASYNC=1, also the incoming request whose handler an upstream request was made from after an
 * await (a create that waited for its permit): AsyncLocalStorage follows the handler's continuations. Off by
 * default, since it turns on promise hooks for the whole process, which costs every request.
 */
const handlerContext = process.env.PHASE_TRACE_ASYNC === '1' ? new AsyncLocalStorage() : undefined;

dc.subscribe('http.server.request.start', ({ request }) => {
  const record = { in: now() };
  incoming.set(request, record);
  records.push(record);
});
dc.subscribe('http.server.response.finish', ({ request }) => {
  const record = incoming.get(request);
  if (record) record.out = now();
});
dc.subscribe('tracing:fastify.request.handler:start', ({ request }) => {
  current = incoming.get(request.raw);
  if (current) current.handler = now();
  handlerContext?.enterWith(current);
});
dc.subscribe('tracing:fastify.request.handler:end', () => {
  current = undefined;
});
dc.subscribe('tracing:fastify.request.handler:asyncEnd', ({ request }) => {
  const record = incoming.get(request.raw);
  if (record) record.handled = now();
});
dc.subscribe('undici:request:create', ({ request }) => {
  // Only the first upstream request of an incoming one is followed (a retry would be a second).
  const owner = current ?? handlerContext?.getStore();
  if (owner === undefined || owner.create !== undefined) return;
  owner.create = now();
  upstream.set(request, owner);
});
dc.subscribe('undici:client:sendHeaders', ({ request }) => {
  const record = upstream.get(request);
  if (record) record.sent = now();
});
dc.subscribe('undici:request:headers', ({ request }) => {
  const record = upstream.get(request);
  if (record) record.answered = now();
});
dc.subscribe('undici:request:trailers', ({ request }) => {
  const record = upstream.get(request);
  if (record) record.received = now();
});
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push({ gc: origin + entry.startTime, ms: entry.duration });
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  if (!out) return;
  writeFileSync(out, [...records, ...pauses].map((r) => JSON.stringify(r)).join('\n'));
});
