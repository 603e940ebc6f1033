import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Limiter } from './limiter.js';
import { createMemoryLimiter } from './memory-limiter.js';
import { createRedisLimiter } from './redis-limiter.js';
import { createResilientLimiter, type LimiterMode } from './resilient-limiter.js';

export interface LimitsOptions {
  redisUrl: string | undefined;
  replicas: number;
  marginMs: number;
  /** How long nothing is sent after start (default: one window). */
  startupPauseMs?: number;
  logger: Logger;
  onModeChange?: (mode: LimiterMode | 'memory') => void;
}

export interface Limits {
  limiter: Limiter;
  /** Cached state for /readyz: no Redis round trip per probe. */
  check(): { ok: boolean; reason?: string };
  mode(): LimiterMode | 'memory';
  close(): Promise<void>;
}

/** Tencent's window. */
const WINDOW_MS = 1000;
const RECONNECT_MAX_MS = 2000;
const RECHECK_MS = 1000;

/**
 * In-process limits without REDIS_URL; with it, limits shared through Redis that fall back to this replica's
 * share while Redis is unreachable and return on their own when it is back.
 */
export function createLimits(opts: LimitsOptions): Limits {
  const local = createMemoryLimiter({ marginMs: opts.marginMs });
  // A process that starts does not know what the one it replaces (a restart, a crash, a rolling deploy) sent in
  // the window before: it sends nothing for a window. With Redis it would know, but it may start before it can
  // reach Redis, or during an outage. Requests meanwhile wait within ROOMGATE_QUEUE_MS, as for any full window.
  local.pause(opts.startupPauseMs ?? WINDOW_MS + opts.marginMs);
  if (!opts.redisUrl) {
    opts.onModeChange?.('memory');
    return { limiter: local, check: () => ({ ok: true }), mode: () => 'memory', close: () => local.close() };
  }

  const redis = new Redis(opts.redisUrl, {
    // Fail fast instead of queueing: a request must never hang because Redis is down; it uses the fallback.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Long enough that a busy event loop is not mistaken for an outage, short enough not to stall a request.
    commandTimeout: 1000,
    connectTimeout: 2000,
    // Keep trying to come back, at most every RECONNECT_MAX_MS.
    retryStrategy: (times) => Math.min(100 * times, RECONNECT_MAX_MS),
  });
  let lastReason = 'connecting to Redis';
  const limiter = createResilientLimiter({
    shared: createRedisLimiter({ redis, marginMs: opts.marginMs }),
    local,
    replicas: opts.replicas,
    spanMs: WINDOW_MS + opts.marginMs,
    // Replicas retry every RECONNECT_MAX_MS at most, and look again every RECHECK_MS after a failed command.
    reconnectSpreadMs: RECONNECT_MAX_MS + RECHECK_MS,
    onModeChange: (mode, reason) => {
      lastReason = reason;
      if (mode === 'local') {
        opts.logger.warn(
          { reason, share: `1/${opts.replicas}` },
          'rate limits are no longer shared: Redis is unreachable, this replica keeps its share of every limit',
        );
      } else {
        opts.logger.info('rate limits are shared through Redis again');
      }
      opts.onModeChange?.(mode);
    },
  });
  opts.onModeChange?.('local');
  redis.on('ready', () => void limiter.reconnected());
  // A command that failed (a timeout) while the connection stayed up brings no 'ready' event: look again.
  const recheck = setInterval(() => {
    if (limiter.mode() === 'local' && redis.status === 'ready') void limiter.reconnected();
  }, RECHECK_MS);
  recheck.unref();
  redis.on('close', () => limiter.disconnected('Redis connection closed'));
  redis.on('error', (err: Error) => {
    lastReason = `Redis: ${err.message}`;
    opts.logger.debug({ err: err.message }, 'Redis error');
  });

  return {
    limiter,
    check: () =>
      limiter.mode() === 'shared'
        ? { ok: true }
        : { ok: false, reason: `${lastReason}; limits held per replica (1/${opts.replicas} each)` },
    mode: () => limiter.mode(),
    async close() {
      clearInterval(recheck);
      redis.disconnect();
      await limiter.close();
    },
  };
}
