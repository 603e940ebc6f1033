import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { createLimits } from './limits/create-limits.js';
import { type CommandLimit, createLimiterGate } from './limits/gate.js';
import { createMetrics } from './ops/metrics.js';
import { type BreakerState, createUpstreamBreaker } from './tencent/breaker.js';
import { createTencentClient } from './tencent/client.js';
import { COMMANDS, type CommandName } from './tencent/commands.js';
import { signUserSig } from './tencent/usersig.js';
import { createUserSigCache } from './tencent/usersig-cache.js';

/** Each command's own quota from the table; create_room's is GLOBAL_RATE_LIMIT (a package may allow more). */
function commandLimits(config: Config): Record<CommandName, CommandLimit> {
  const entries = Object.entries(COMMANDS).map(([name, spec]) => [
    name,
    {
      perSecond: name === 'create_room' ? config.limits.globalPerSecond : spec.perSecond,
      perRoomOncePerSecond: spec.perRoomOncePerSecond,
    },
  ]);
  return Object.fromEntries(entries) as Record<CommandName, CommandLimit>;
}

export interface GatewayOptions {
  /** For tests: route upstream traffic through a given undici dispatcher. */
  dispatcher?: Dispatcher;
  /** For tests: a quicker circuit breaker (defaults: 20 consecutive failures, 5 s cool-down). */
  breaker?: { failures?: number; cooldownMs?: number };
  /**
   * For tests that start many gateways: how long a new gateway sends nothing (default: one window, 1 s and the
   * margin, as the process it replaces may have sent right up to its start; see create-limits.ts).
   */
  startupPauseMs?: number;
}

const BREAKER_STATE_VALUES: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 };

/** Wires the gateway's parts from a Config: UserSig cache, limiter, upstream client, and the Fastify app. */
export async function createGateway(
  config: Config,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<FastifyInstance> {
  const { sdkAppId, secretKey, adminId, baseUrl, userSigValiditySeconds } = config.tencent;
  const metrics = createMetrics();
  const userSig = createUserSigCache({
    validitySeconds: userSigValiditySeconds,
    sign: (expireSeconds) => signUserSig({ sdkAppId, secretKey, identifier: adminId, expireSeconds }),
    onRenew: (reason) => {
      metrics.userSigRenewals.inc({ reason });
      logger.info({ reason }, 'administrator UserSig generated');
    },
  });
  // Sign once at start: a key that cannot sign fails here, not on the first caller's request.
  userSig.get();

  const limits = createLimits({
    redisUrl: config.redisUrl,
    replicas: config.limits.replicas,
    marginMs: config.limits.marginMs,
    startupPauseMs: options.startupPauseMs,
    logger,
    onModeChange: (mode) => metrics.limiterShared.set(mode === 'shared' ? 1 : 0),
  });
  const gate = createLimiterGate(limits.limiter, commandLimits(config), {
    onAdmit: (command, waitedMs) => {
      metrics.limiterAdmissions.inc({ command });
      metrics.limiterWaitSeconds.observe({ command }, waitedMs / 1000);
    },
    onRefuse: (command, limit) => metrics.limiterRefusals.inc({ command, limit }),
  });

  const breaker = createUpstreamBreaker({
    ...options.breaker,
    onStateChange: (state) => {
      metrics.breakerState.set(BREAKER_STATE_VALUES[state]);
      if (state === 'open') {
        logger.error(
          'Tencent keeps failing: circuit open, answering 503 upstream-unavailable during the cool-down',
        );
      } else if (state === 'closed') {
        logger.info('Tencent answers again: circuit closed');
      }
    },
  });

  const tencent = createTencentClient({
    baseUrl,
    sdkAppId,
    adminId,
    userSig,
    timeoutMs: config.upstreamTimeoutMs,
    // Room for the queue, two full attempts, and the two retries of the same RoomId, which must each wait out
    // Tencent's once-per-second rule: bounded, yet a fast-failing upstream still gets all its retries.
    totalTimeoutMs:
      config.limits.queueMs + 2 * config.upstreamTimeoutMs + 2 * (1000 + config.limits.marginMs),
    queueMs: config.limits.queueMs,
    gate,
    breaker,
    logger,
    dispatcher: options.dispatcher,
    onAttempt: ({ command, durationMs, outcome }) => {
      const labels = { command, outcome: String(outcome) };
      metrics.upstreamCodes.inc(labels);
      metrics.upstreamSeconds.observe(labels, durationMs / 1000);
    },
  });

  const app = await buildApp({
    config,
    logger,
    tencent,
    metrics,
    readiness: [
      { name: 'config', check: () => ({ ok: true }) },
      { name: 'limiter', check: limits.check },
      // Informational: an open circuit is this replica protecting Tencent, not a reason to take it out of
      // service (every replica would go at once, and callers would get connection errors instead of 503s).
      {
        name: 'upstream',
        check: () =>
          breaker.state() === 'closed'
            ? { ok: true }
            : { ok: true, reason: `circuit ${breaker.state()}: Tencent has been failing` },
      },
    ],
  });
  app.addHook('onClose', async () => {
    await tencent.close();
    await limits.close();
  });
  return app;
}
