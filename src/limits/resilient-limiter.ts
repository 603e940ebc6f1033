import type { AcquireRequest, Admission, Limiter } from './limiter.js';
import type { MemoryLimiter } from './memory-limiter.js';
import type { RedisLimiter } from './redis-limiter.js';

export type LimiterMode = 'shared' | 'local';

export interface ResilientLimiterOptions {
  shared: RedisLimiter;
  local: MemoryLimiter;
  /** Replicas sharing the limits: on its own, each keeps 1/replicas of every limit. */
  replicas: number;
  onModeChange?: (mode: LimiterMode, reason: string) => void;
}

export interface ResilientLimiter extends Limiter {
  mode(): LimiterMode;
  /** Redis is reachable again: hand over what was sent meanwhile, then share again. */
  reconnected(): Promise<void>;
  /** Redis went away: keep to this replica's share until it is back. */
  disconnected(reason: string): void;
}

/**
 * The shared (Redis) limiter while Redis answers, this process's share of every limit when it does not.
 * Every shared admission is also noted locally, so a fallback starts out knowing what this replica sent in the
 * last window; on return, the sends made alone are added to the shared log before it is trusted again.
 */
export function createResilientLimiter(opts: ResilientLimiterOptions): ResilientLimiter {
  let mode: LimiterMode = 'local';
  const share = (limit: number) => Math.max(1, Math.floor(limit / opts.replicas));

  function setMode(next: LimiterMode, reason: string): void {
    if (next === mode) return;
    mode = next;
    opts.onModeChange?.(next, reason);
  }

  function local(req: AcquireRequest) {
    return opts.local.acquireNow({ ...req, limit: share(req.limit) });
  }

  async function acquire(req: AcquireRequest): Promise<Admission> {
    if (mode === 'shared') {
      try {
        const admission = await opts.shared.acquire(req);
        if (!admission.ok) return admission;
        // Also counted locally when answered, so a fallback starts out knowing this replica's recent sends.
        const { permit } = admission;
        return {
          ...admission,
          permit: {
            release() {
              permit.release();
              opts.local.record(req.bucket, share(req.limit), req.key);
            },
          },
        };
      } catch (err) {
        if (req.signal?.aborted) throw err;
        setMode('local', `Redis failed: ${(err as Error).message}`);
      }
    }
    return local(req);
  }

  return {
    mode: () => mode,
    acquire,
    // Without Redis, the in-process limiter answers on the spot when it can.
    acquireNow: (req) => (mode === 'shared' ? acquire(req) : local(req)),
    refuseWhileShedding: (bucket, limit, maxWaitMs) =>
      mode === 'shared'
        ? opts.shared.refuseWhileShedding(bucket, limit, maxWaitMs)
        : opts.local.refuseWhileShedding(bucket, share(limit), maxWaitMs),
    async reconnected() {
      try {
        await opts.shared.importRecent(opts.local.recent());
        setMode('shared', 'Redis is reachable');
      } catch (err) {
        setMode('local', `Redis failed: ${(err as Error).message}`);
      }
    },
    disconnected(reason) {
      setMode('local', reason);
    },
    async close() {
      await opts.local.close();
    },
  };
}
