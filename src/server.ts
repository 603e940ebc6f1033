import { ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { createLogger } from './http/logger.js';

/** How long in-flight requests get to finish once the listener closes before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(
      `roomgate: cannot start, the configuration is invalid:\n${err.problems.map((p) => `  ${p}\n`).join('')}`,
    );
    process.exit(1);
  }

  const logger = createLogger(config.logLevel);
  for (const key of config.apiKeys) {
    if (key.secret.length < 16)
      logger.warn({ caller: key.name }, 'API key secret is shorter than 16 characters');
  }
  const app = await createGateway(config, logger);

  let stopping = false;
  let drain: NodeJS.Timeout | undefined;
  /** Stops accepting, finishes what is in flight (at most SHUTDOWN_GRACE_MS), closes the pools, exits. */
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second signal during the drain (Ctrl-C twice, an impatient operator) ends the drain at once.
      if (drain === undefined) return;
      clearTimeout(drain);
      drain = undefined;
      stop(signal);
      return;
    }
    stopping = true;
    app.drain();
    if (config.drainMs === 0) {
      stop(signal);
      return;
    }
    // A load balancer takes a moment to stop routing to this replica: keep serving until it has, with
    // readiness failing and every answer closing its connection, so no caller is cut off mid-request.
    logger.info(
      { signal, drainMs: config.drainMs },
      'draining: still serving, /readyz answers 503, answers close their connections',
    );
    drain = setTimeout(() => {
      drain = undefined;
      stop(signal);
    }, config.drainMs);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // An address that cannot be resolved or bound (a typo in HOST, a PORT in use): say which settings to check.
    process.stderr.write(
      `roomgate: cannot listen on ${config.host}:${config.port} (check HOST and PORT): ${(err as Error).message}\n`,
    );
    await app.close();
    process.exit(1);
  }
  logger.info(
    {
      url,
      sharedLimits: config.redisUrl !== undefined,
      upstream: config.tencent.baseUrl,
      region: config.tencent.region ?? 'custom',
      sdkAppId: config.tencent.sdkAppId,
    },
    'roomgate ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`roomgate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
