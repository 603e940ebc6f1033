import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from './config.js';

const SECRET_KEY = 'tencent-secret-5f4dcc3b5aa765d61d8327deb882cf99';

/** The smallest valid environment. */
const MINIMAL = {
  TENCENT_SDKAPPID: '1400000001',
  TENCENT_SECRET_KEY: SECRET_KEY,
  TENCENT_REGION: 'singapore',
  ROOMGATE_API_KEYS: 'billing:billing-secret-0001',
} as const;

/** The lines of the ConfigError that loadConfig throws for `env`; fails the test when it does not throw one. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.name).toBe('ConfigError');
  expect(error.message).toBe(`invalid configuration:\n${error.problems.join('\n')}`);
  return error.problems;
}

describe('loadConfig defaults', () => {
  it('fills in every optional setting with its documented default', () => {
    expect(loadConfig(MINIMAL)).toEqual({
      tencent: {
        sdkAppId: 1400000001,
        secretKey: SECRET_KEY,
        adminId: 'administrator',
        baseUrl: 'https://adminapisgp.im.qcloud.com',
        region: 'singapore',
        userSigValiditySeconds: 604800,
      },
      apiKeys: [{ name: 'billing', secret: 'billing-secret-0001' }],
      port: 8080,
      host: '0.0.0.0',
      redisUrl: undefined,
      limits: { globalPerSecond: 200, queueMs: 1000, replicas: 1, marginMs: 10 },
      upstreamTimeoutMs: 5000,
      drainMs: 0,
      logLevel: 'info',
    });
  });

  it('reads every setting when all are given', () => {
    const config = loadConfig({
      ...MINIMAL,
      TENCENT_ADMIN_ID: 'ops_admin-1',
      PORT: '9000',
      HOST: '127.0.0.1',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      GLOBAL_RATE_LIMIT: '150',
      ROOMGATE_QUEUE_MS: '0',
      ROOMGATE_REPLICAS: '3',
      ROOMGATE_LIMIT_MARGIN_MS: '40',
      UPSTREAM_TIMEOUT_MS: '2500',
      USERSIG_TTL_SECONDS: '86400',
      ROOMGATE_DRAIN_MS: '5000',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      tencent: { adminId: 'ops_admin-1', userSigValiditySeconds: 86400 },
      port: 9000,
      host: '127.0.0.1',
      redisUrl: 'rediss://cache.internal:6380/2',
      limits: { globalPerSecond: 150, queueMs: 0, replicas: 3, marginMs: 40 },
      upstreamTimeoutMs: 2500,
      drainMs: 5000,
      logLevel: 'debug',
    });
  });

  it('trims whitespace around numbers', () => {
    expect(loadConfig({ ...MINIMAL, TENCENT_SDKAPPID: ' 1400000001 ', PORT: ' 81 ' })).toMatchObject({
      tencent: { sdkAppId: 1400000001 },
      port: 81,
    });
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ ...MINIMAL, PATH: '/usr/bin', TENCENT_SOMETHING: 'x' }).port).toBe(8080);
  });

  it('lists every variable of the contract in ENV_VARIABLES', () => {
    expect(ENV_VARIABLES).toEqual(
      expect.arrayContaining([
        'TENCENT_SDKAPPID',
        'TENCENT_SECRET_KEY',
        'TENCENT_ADMIN_ID',
        'TENCENT_REGION',
        'TENCENT_BASE_URL',
        'ROOMGATE_API_KEYS',
        'PORT',
        'HOST',
        'REDIS_URL',
        'GLOBAL_RATE_LIMIT',
        'ROOMGATE_QUEUE_MS',
        'ROOMGATE_REPLICAS',
        'UPSTREAM_TIMEOUT_MS',
        'LOG_LEVEL',
      ]),
    );
  });
});

describe('loadConfig regions and base URL', () => {
  it.each([
    ['china', 'https://console.tim.qq.com'],
    ['singapore', 'https://adminapisgp.im.qcloud.com'],
    ['korea', 'https://adminapikr.im.qcloud.com'],
    ['japan', 'https://adminapijpn.im.qcloud.com'],
    ['germany', 'https://adminapiger.im.qcloud.com'],
    ['india', 'https://adminapiind.im.qcloud.com'],
    ['usa', 'https://adminapiusa.im.qcloud.com'],
    ['indonesia', 'https://adminapiidn.im.qcloud.com'],
  ])('sends region %s to %s', (region, baseUrl) => {
    const config = loadConfig({ ...MINIMAL, TENCENT_REGION: region });
    expect(config.tencent.baseUrl).toBe(baseUrl);
    expect(config.tencent.region).toBe(region);
  });

  it('lets TENCENT_BASE_URL override the regional domain', () => {
    const config = loadConfig({ ...MINIMAL, TENCENT_BASE_URL: 'http://127.0.0.1:9100' });
    expect(config.tencent.baseUrl).toBe('http://127.0.0.1:9100');
    expect(config.tencent.region).toBe('singapore');
  });

  it('needs no region when TENCENT_BASE_URL is set', () => {
    const config = loadConfig({
      ...MINIMAL,
      TENCENT_REGION: undefined,
      TENCENT_BASE_URL: 'http://127.0.0.1:9100',
    });
    expect(config.tencent.baseUrl).toBe('http://127.0.0.1:9100');
    expect(config.tencent.region).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1:9100/', 'http://127.0.0.1:9100'],
    ['https://proxy.example.com///', 'https://proxy.example.com'],
    ['https://proxy.example.com/tencent/', 'https://proxy.example.com/tencent'],
  ])('trims the trailing slash of %s', (given, expected) => {
    expect(loadConfig({ ...MINIMAL, TENCENT_BASE_URL: given }).tencent.baseUrl).toBe(expected);
  });

  it('reports a missing region when neither TENCENT_REGION nor TENCENT_BASE_URL is set', () => {
    expect(problemsOf({ ...MINIMAL, TENCENT_REGION: undefined })).toEqual([
      'TENCENT_REGION is required unless TENCENT_BASE_URL is set; there is no default region (example: TENCENT_REGION=singapore)',
    ]);
  });

  it('rejects an unknown region, listing the known ones', () => {
    expect(problemsOf({ ...MINIMAL, TENCENT_REGION: 'mars' })).toEqual([
      'TENCENT_REGION must be one of china, singapore, korea, japan, germany, india, usa, indonesia (example: TENCENT_REGION=singapore)',
    ]);
  });

  it('takes region names as written (no case folding)', () => {
    expect(problemsOf({ ...MINIMAL, TENCENT_REGION: 'Singapore' })).toHaveLength(1);
  });

  it.each(['ftp://example.com', 'not a url', '127.0.0.1:9100'])('rejects %s as TENCENT_BASE_URL', (url) => {
    expect(problemsOf({ ...MINIMAL, TENCENT_BASE_URL: url })).toEqual([
      'TENCENT_BASE_URL must be an http(s) URL (example: TENCENT_BASE_URL=http://127.0.0.1:9100)',
    ]);
  });
});

describe('loadConfig required variables', () => {
  it('reports each missing required variable on its own line, with an example', () => {
    expect(problemsOf({})).toEqual([
      'TENCENT_SDKAPPID is required (example: TENCENT_SDKAPPID=1400000000)',
      'TENCENT_SECRET_KEY is required (example: TENCENT_SECRET_KEY=<the secret key from the console>)',
      'ROOMGATE_API_KEYS is required (example: ROOMGATE_API_KEYS=billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0)',
      'TENCENT_REGION is required unless TENCENT_BASE_URL is set; there is no default region (example: TENCENT_REGION=singapore)',
    ]);
  });

  it.each(['TENCENT_SDKAPPID', 'TENCENT_SECRET_KEY', 'ROOMGATE_API_KEYS'] as const)(
    'reports %s alone when only it is missing',
    (name) => {
      const problems = problemsOf({ ...MINIMAL, [name]: undefined });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name} is required \\(example: ${name}=.+\\)$`));
    },
  );

  it.each(['', '   ', '\t'])('treats %j as unset', (empty) => {
    expect(
      problemsOf({
        TENCENT_SDKAPPID: empty,
        TENCENT_SECRET_KEY: empty,
        TENCENT_REGION: empty,
        TENCENT_BASE_URL: empty,
        ROOMGATE_API_KEYS: empty,
      }),
    ).toEqual(problemsOf({}));
  });

  it('applies defaults to variables set to the empty string', () => {
    const config = loadConfig({
      ...MINIMAL,
      TENCENT_ADMIN_ID: '',
      PORT: '',
      HOST: '',
      REDIS_URL: '',
      GLOBAL_RATE_LIMIT: '',
      LOG_LEVEL: '',
      TENCENT_BASE_URL: '',
    });
    expect(config).toMatchObject({
      tencent: { adminId: 'administrator', baseUrl: 'https://adminapisgp.im.qcloud.com' },
      port: 8080,
      host: '0.0.0.0',
      redisUrl: undefined,
      limits: { globalPerSecond: 200 },
      logLevel: 'info',
    });
  });
});

describe('loadConfig malformed values', () => {
  it('reports every malformed value at once, one line each', () => {
    expect(
      problemsOf({
        TENCENT_SDKAPPID: 'abc',
        TENCENT_SECRET_KEY: SECRET_KEY,
        TENCENT_ADMIN_ID: 'bad id',
        TENCENT_REGION: 'singapore',
        ROOMGATE_API_KEYS: 'billing:billing-secret-0001',
        PORT: '99999',
        REDIS_URL: 'http://redis:6379',
        GLOBAL_RATE_LIMIT: '1.5',
        ROOMGATE_QUEUE_MS: '-1',
        LOG_LEVEL: 'loud',
      }),
    ).toMatchInlineSnapshot(`
      [
        "TENCENT_SDKAPPID must be a whole number (example: TENCENT_SDKAPPID=1400000000)",
        "TENCENT_ADMIN_ID must be 1 to 32 characters of A-Za-z0-9_- (example: TENCENT_ADMIN_ID=administrator)",
        "PORT must be at most 65535 (example: PORT=8080)",
        "REDIS_URL must be a redis:// or rediss:// URL (example: REDIS_URL=redis://redis:6379)",
        "GLOBAL_RATE_LIMIT must be a whole number (example: GLOBAL_RATE_LIMIT=200)",
        "ROOMGATE_QUEUE_MS must be a whole number (example: ROOMGATE_QUEUE_MS=1000)",
        "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (example: LOG_LEVEL=info)",
      ]
    `);
  });

  it.each([
    ['TENCENT_SDKAPPID', '0', 'TENCENT_SDKAPPID must be at least 1 (example: TENCENT_SDKAPPID=1400000000)'],
    [
      'TENCENT_SDKAPPID',
      '4294967296',
      'TENCENT_SDKAPPID must be at most 4294967295 (example: TENCENT_SDKAPPID=1400000000)',
    ],
    [
      'TENCENT_SDKAPPID',
      '1e9',
      'TENCENT_SDKAPPID must be a whole number (example: TENCENT_SDKAPPID=1400000000)',
    ],
    [
      'TENCENT_SDKAPPID',
      '0x10',
      'TENCENT_SDKAPPID must be a whole number (example: TENCENT_SDKAPPID=1400000000)',
    ],
    ['PORT', '-80', 'PORT must be a whole number (example: PORT=8080)'],
    ['GLOBAL_RATE_LIMIT', '0', 'GLOBAL_RATE_LIMIT must be at least 1 (example: GLOBAL_RATE_LIMIT=200)'],
    ['ROOMGATE_REPLICAS', '0', 'ROOMGATE_REPLICAS must be at least 1 (example: ROOMGATE_REPLICAS=1)'],
    [
      'ROOMGATE_LIMIT_MARGIN_MS',
      '501',
      'ROOMGATE_LIMIT_MARGIN_MS must be at most 500 (example: ROOMGATE_LIMIT_MARGIN_MS=10)',
    ],
    [
      'UPSTREAM_TIMEOUT_MS',
      '99',
      'UPSTREAM_TIMEOUT_MS must be at least 100 (example: UPSTREAM_TIMEOUT_MS=5000)',
    ],
    [
      'USERSIG_TTL_SECONDS',
      '599',
      'USERSIG_TTL_SECONDS must be at least 600 (example: USERSIG_TTL_SECONDS=604800)',
    ],
    [
      'ROOMGATE_DRAIN_MS',
      '60001',
      'ROOMGATE_DRAIN_MS must be at most 60000 (example: ROOMGATE_DRAIN_MS=5000)',
    ],
    [
      'LOG_LEVEL',
      'INFO',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (example: LOG_LEVEL=info)',
    ],
    [
      'REDIS_URL',
      'localhost:6379',
      'REDIS_URL must be a redis:// or rediss:// URL (example: REDIS_URL=redis://redis:6379)',
    ],
    [
      'TENCENT_ADMIN_ID',
      'a'.repeat(33),
      'TENCENT_ADMIN_ID must be 1 to 32 characters of A-Za-z0-9_- (example: TENCENT_ADMIN_ID=administrator)',
    ],
  ])('rejects %s=%s', (name, value, line) => {
    expect(problemsOf({ ...MINIMAL, [name]: value })).toEqual([line]);
  });

  it('accepts the bounds of the numeric ranges', () => {
    const config = loadConfig({
      ...MINIMAL,
      TENCENT_SDKAPPID: '4294967295',
      PORT: '0',
      ROOMGATE_LIMIT_MARGIN_MS: '500',
      UPSTREAM_TIMEOUT_MS: '100',
      USERSIG_TTL_SECONDS: '600',
      ROOMGATE_DRAIN_MS: '60000',
    });
    expect(config.tencent.sdkAppId).toBe(4294967295);
    expect(config.drainMs).toBe(60_000);
    expect(config.port).toBe(0);
    expect(config.limits.marginMs).toBe(500);
  });
});

describe('loadConfig ROOMGATE_API_KEYS', () => {
  const keys = (value: string) => loadConfig({ ...MINIMAL, ROOMGATE_API_KEYS: value }).apiKeys;
  const keyProblems = (value: string) => problemsOf({ ...MINIMAL, ROOMGATE_API_KEYS: value });

  it('parses comma-separated name:secret pairs, trimming blanks around entries', () => {
    expect(keys(' billing:abc123 , ops.team_1-a:def456 ')).toEqual([
      { name: 'billing', secret: 'abc123' },
      { name: 'ops.team_1-a', secret: 'def456' },
    ]);
  });

  it('keeps colons after the first one as part of the secret', () => {
    expect(keys('billing:abc:def::')).toEqual([{ name: 'billing', secret: 'abc:def::' }]);
  });

  it('rejects a repeated name, naming it', () => {
    expect(keyProblems('billing:abc123,billing:def456')).toEqual([
      'ROOMGATE_API_KEYS name "billing" repeats (example: ROOMGATE_API_KEYS=billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0)',
    ]);
  });

  it('rejects a shared secret without echoing it', () => {
    const problems = keyProblems('billing:shared-secret-77,ops:shared-secret-77');
    expect(problems).toEqual([
      'ROOMGATE_API_KEYS two entries share a secret (example: ROOMGATE_API_KEYS=billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0)',
    ]);
    expect(problems.join('\n')).not.toContain('shared-secret-77');
  });

  it.each([
    ['no colon', 'ops:ok-secret-1,leakedsecretvalue42', 2, 'leakedsecretvalue42'],
    ['an empty name', ':leakedsecretvalue42', 1, 'leakedsecretvalue42'],
    ['an empty secret', 'ops:', 1, undefined],
    ['a name with a space', 'bad name:leakedsecretvalue42', 1, 'leakedsecretvalue42'],
    ['a name with a slash', 'bad/name:leakedsecretvalue42', 1, 'leakedsecretvalue42'],
    ['a secret with a space', 'ops:leaked secretvalue42', 1, 'secretvalue42'],
    ['an empty entry', 'ops:ok-secret-1,,billing:ok-secret-2', 2, undefined],
  ])('reports an entry with %s by its position, without its secret', (_what, value, position, secret) => {
    const problems = keyProblems(value);
    expect(problems).toEqual([
      `ROOMGATE_API_KEYS entry ${position} is not name:secret (name of A-Za-z0-9._-) (example: ROOMGATE_API_KEYS=billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0)`,
    ]);
    if (secret !== undefined) expect(problems.join('\n')).not.toContain(secret);
  });

  it('rejects a name longer than 64 characters', () => {
    expect(keyProblems(`${'n'.repeat(65)}:abc123`)).toHaveLength(1);
    expect(keys(`${'n'.repeat(64)}:abc123`)).toEqual([{ name: 'n'.repeat(64), secret: 'abc123' }]);
  });

  it('reports several bad entries on several lines', () => {
    expect(keyProblems('nocolon1,nocolon2')).toHaveLength(2);
  });
});

describe('loadConfig secrecy', () => {
  it('never puts TENCENT_SECRET_KEY into an error, whatever else is wrong', () => {
    let thrown: unknown;
    try {
      loadConfig({
        TENCENT_SDKAPPID: SECRET_KEY,
        TENCENT_SECRET_KEY: SECRET_KEY,
        TENCENT_ADMIN_ID: SECRET_KEY,
        TENCENT_REGION: SECRET_KEY,
        TENCENT_BASE_URL: SECRET_KEY,
        ROOMGATE_API_KEYS: SECRET_KEY,
        PORT: SECRET_KEY,
        HOST: SECRET_KEY,
        REDIS_URL: SECRET_KEY,
        GLOBAL_RATE_LIMIT: SECRET_KEY,
        LOG_LEVEL: SECRET_KEY,
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.problems.length).toBeGreaterThan(5);
    expect(error.message).not.toContain(SECRET_KEY);
    expect(JSON.stringify(error)).not.toContain(SECRET_KEY);
  });

  it('never echoes the secret key for any combination of broken settings', () => {
    const secretArb = fc.stringMatching(/^[a-f0-9]{32}$/);
    const junk = fc.option(fc.string({ maxLength: 12 }), { nil: undefined });
    fc.assert(
      fc.property(secretArb, junk, junk, junk, junk, junk, (secret, appId, region, keys, port, level) => {
        try {
          loadConfig({
            TENCENT_SECRET_KEY: secret,
            TENCENT_SDKAPPID: appId,
            TENCENT_REGION: region,
            ROOMGATE_API_KEYS: keys,
            PORT: port,
            LOG_LEVEL: level,
          });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as ConfigError).message).not.toContain(secret);
        }
      }),
    );
  });
});
