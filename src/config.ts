import { z } from 'zod';
import { REGIONS, type Region, regionBaseUrl } from './tencent/regions.js';

/** One `name:secret` pair of ROOMGATE_API_KEYS. */
export interface ApiKey {
  name: string;
  secret: string;
}

export interface Config {
  tencent: {
    sdkAppId: number;
    secretKey: string;
    adminId: string;
    /** Where upstream calls go: the region's domain, or TENCENT_BASE_URL. */
    baseUrl: string;
    region: Region | undefined;
    userSigValiditySeconds: number;
  };
  apiKeys: ApiKey[];
  port: number;
  host: string;
  redisUrl: string | undefined;
  limits: {
    globalPerSecond: number;
    queueMs: number;
    replicas: number;
    marginMs: number;
  };
  upstreamTimeoutMs: number;
  /** After SIGTERM, how long requests are still served (readiness failing) before the listener closes. */
  drainMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const intFromEnv = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const USER_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const apiKeysSchema = z
  .string()
  .trim()
  .min(1, { error: 'must list at least one name:secret pair' })
  .transform((raw, ctx) => {
    const keys: ApiKey[] = [];
    for (const [i, entry] of raw.split(',').entries()) {
      const pair = entry.trim();
      const colon = pair.indexOf(':');
      const name = colon > 0 ? pair.slice(0, colon) : '';
      const secret = colon > 0 ? pair.slice(colon + 1) : '';
      // Never echo the entry itself: it holds a secret.
      if (!KEY_NAME.test(name) || secret.length === 0 || /\s/.test(secret)) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not name:secret (name of A-Za-z0-9._-)` });
        continue;
      }
      if (keys.some((k) => k.name === name))
        ctx.addIssue({ code: 'custom', message: `name "${name}" repeats` });
      if (keys.some((k) => k.secret === secret))
        ctx.addIssue({ code: 'custom', message: 'two entries share a secret' });
      keys.push({ name, secret });
    }
    return keys;
  });

/** Every variable of the contract, with the example shown when it is wrong. */
const EnvSchema = z.object({
  TENCENT_SDKAPPID: intFromEnv(1, 0xffffffff).describe('the application SDKAppID'),
  TENCENT_SECRET_KEY: z
    .string()
    .trim()
    .min(1, { error: 'is required' })
    .describe('the application secret key'),
  TENCENT_ADMIN_ID: z
    .string()
    .trim()
    .regex(USER_ID, { error: 'must be 1 to 32 characters of A-Za-z0-9_-' })
    .default('administrator'),
  TENCENT_REGION: z.enum(REGIONS, { error: `must be one of ${REGIONS.join(', ')}` }).optional(),
  TENCENT_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  ROOMGATE_API_KEYS: apiKeysSchema,
  PORT: intFromEnv(0, 65535).default(8080),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  GLOBAL_RATE_LIMIT: intFromEnv(1, 100_000).default(200),
  ROOMGATE_QUEUE_MS: intFromEnv(0, 60_000).default(1000),
  ROOMGATE_REPLICAS: intFromEnv(1, 1000).default(1),
  ROOMGATE_LIMIT_MARGIN_MS: intFromEnv(0, 500).default(10),
  UPSTREAM_TIMEOUT_MS: intFromEnv(100, 120_000).default(5000),
  USERSIG_TTL_SECONDS: intFromEnv(600, 180 * 86400).default(7 * 86400),
  ROOMGATE_DRAIN_MS: intFromEnv(0, 60_000).default(0),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

const EXAMPLES: Record<string, string> = {
  TENCENT_SDKAPPID: '1400000000',
  TENCENT_SECRET_KEY: '<the secret key from the console>',
  TENCENT_ADMIN_ID: 'administrator',
  TENCENT_REGION: 'singapore',
  TENCENT_BASE_URL: 'http://127.0.0.1:9100',
  ROOMGATE_API_KEYS: 'billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  PORT: '8080',
  HOST: '0.0.0.0',
  REDIS_URL: 'redis://redis:6379',
  GLOBAL_RATE_LIMIT: '200',
  ROOMGATE_QUEUE_MS: '1000',
  ROOMGATE_REPLICAS: '1',
  ROOMGATE_LIMIT_MARGIN_MS: '10',
  UPSTREAM_TIMEOUT_MS: '5000',
  USERSIG_TTL_SECONDS: '604800',
  ROOMGATE_DRAIN_MS: '5000',
  LOG_LEVEL: 'info',
};

export const ENV_VARIABLES = Object.keys(EnvSchema.shape);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once; every problem is reported, one line each, secrets never echoed. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`FOO=` in a compose file) means "not set", so defaults and "is required" apply.
  const present = Object.fromEntries(
    ENV_VARIABLES.filter((k) => env[k] !== undefined && env[k]?.trim() !== '').map((k) => [k, env[k]]),
  );
  const parsed = EnvSchema.safeParse(present);
  const problems = (parsed.error?.issues ?? []).map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const message =
      issue.code === 'invalid_type' && present[name] === undefined ? 'is required' : issue.message;
    return `${name} ${message} (example: ${name}=${EXAMPLES[name] ?? '…'})`;
  });
  // Checked apart from the schema so that it is reported together with every other problem.
  if (present.TENCENT_REGION === undefined && present.TENCENT_BASE_URL === undefined) {
    problems.push(
      `TENCENT_REGION is required unless TENCENT_BASE_URL is set; there is no default region (example: TENCENT_REGION=${EXAMPLES.TENCENT_REGION})`,
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    tencent: {
      sdkAppId: e.TENCENT_SDKAPPID,
      secretKey: e.TENCENT_SECRET_KEY,
      adminId: e.TENCENT_ADMIN_ID,
      baseUrl: e.TENCENT_BASE_URL ?? regionBaseUrl(e.TENCENT_REGION as Region),
      region: e.TENCENT_REGION,
      userSigValiditySeconds: e.USERSIG_TTL_SECONDS,
    },
    apiKeys: e.ROOMGATE_API_KEYS,
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    limits: {
      globalPerSecond: e.GLOBAL_RATE_LIMIT,
      queueMs: e.ROOMGATE_QUEUE_MS,
      replicas: e.ROOMGATE_REPLICAS,
      marginMs: e.ROOMGATE_LIMIT_MARGIN_MS,
    },
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    drainMs: e.ROOMGATE_DRAIN_MS,
    logLevel: e.LOG_LEVEL,
  };
}
