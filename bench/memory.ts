/**
 * Scenario 4, run as `node --expose-gc --import tsx bench/memory.ts <keys>`: that many distinct RoomIds through
 * the in-process limiter (acquire, then release, under a limit high enough that all pass), heap measured after a
 * full GC before, right after the run, and after the entries expired and one more acquire swept them. Prints one
 * JSON line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryLimiter } from '../src/limits/memory-limiter.js';

const keys = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const WINDOW_MS = 1000;
const MARGIN_MS = 10;
const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const limiter = createMemoryLimiter({ windowMs: WINDOW_MS, marginMs: MARGIN_MS });
const acquire = async (key: string) => {
  const admission = await limiter.acquire({
    bucket: 'create_room',
    limit: 10 * keys + 10,
    key,
    maxWaitMs: 0,
    waitForKey: false,
  });
  if (!admission.ok) throw new Error(`refused ${key}: ${admission.limit}`);
  admission.permit.release();
};

// Warm the code paths up so that the baseline includes the compiled code, not just the empty limiter.
for (let i = 0; i < 1000; i++) await acquire(`warm_${i}`);
await sleep(WINDOW_MS + MARGIN_MS + 100);
await acquire('warm_sweep');
const before = heapMiB();

const t0 = performance.now();
for (let i = 0; i < keys; i++) await acquire(`room_${i.toString(36)}_${(i * 2654435761) % 1e9}`);
const runMs = performance.now() - t0;
const after = heapMiB();
const live = limiter.trackedKeys();

await sleep(WINDOW_MS + MARGIN_MS + 200);
const s0 = performance.now();
await acquire('sweep');
const sweepMs = performance.now() - s0;
const expired = heapMiB();
const left = limiter.trackedKeys();
await limiter.close();

process.stdout.write(
  `${JSON.stringify({ keys, runMs, before, after, live, expired, left, sweepMs, acquiresPerSecond: keys / (runMs / 1000) })}\n`,
);
