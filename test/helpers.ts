import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../src/config.js';
import { createGateway, type GatewayOptions } from '../src/gateway.js';
import { createLogger } from '../src/http/logger.js';
import { buildSandbox, type SandboxOptions, type SandboxState } from '../src/sandbox/app.js';

export const SDKAPPID = 1400000001;
export const ADMIN = 'administrator';

function urlOf(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export interface RunningSandbox {
  url: string;
  state: SandboxState;
  secretKey: string;
  close(): Promise<void>;
}

/** A Tencent sandbox on a free loopback port, with a fresh secret key. */
export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const secretKey = options.secretKey ?? randomBytes(32).toString('hex');
  const { app, state } = await buildSandbox({ sdkAppId: SDKAPPID, secretKey, admins: [ADMIN], ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: urlOf(app), state, secretKey, close: () => app.close() };
}

/** A complete Config for a gateway in front of `sandbox`; tests pass Config objects, never env variables. */
export function testConfig(sandbox: RunningSandbox, overrides: Partial<Config> = {}): Config {
  return {
    tencent: {
      sdkAppId: SDKAPPID,
      secretKey: sandbox.secretKey,
      adminId: ADMIN,
      baseUrl: sandbox.url,
      region: undefined,
      userSigValiditySeconds: 86400,
    },
    apiKeys: [
      { name: 'billing', secret: 'billing-secret-0123456789' },
      { name: 'studio', secret: 'studio-secret-9876543210' },
    ],
    port: 0,
    host: '127.0.0.1',
    redisUrl: undefined,
    limits: { globalPerSecond: 200, queueMs: 1000, replicas: 1, marginMs: 10 },
    upstreamTimeoutMs: 2000,
    drainMs: 0,
    logLevel: 'info',
    ...overrides,
  };
}

/** Collects every log line the gateway writes, parsed, plus the raw text for secret greps. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  raw = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    const text = chunk.toString('utf8');
    this.raw += text;
    for (const line of text.split('\n')) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }
  requestLines(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.msg === 'request');
  }
}

export interface RunningGateway {
  url: string;
  app: FastifyInstance;
  logs: LogCapture;
  close(): Promise<void>;
}

/** The real gateway, listening on a free loopback port, logging into a capture. */
export function startGateway(config: Config): Promise<RunningGateway> {
  return startGatewayWith(config, {});
}

/** startGateway with test-only wiring options (a quicker circuit breaker, say). */
export async function startGatewayWith(config: Config, options: GatewayOptions): Promise<RunningGateway> {
  const logs = new LogCapture();
  // Without the start-up pause (one test checks it): each test's first request would wait a second otherwise.
  const app = await createGateway(config, createLogger(config.logLevel, logs), {
    startupPauseMs: 0,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: urlOf(app), app, logs, close: () => app.close() };
}

/** A sandbox and a gateway in front of it, for the tests of one file or describe block. */
export interface GatewayStack {
  readonly sandbox: RunningSandbox;
  readonly gateway: RunningGateway;
}

/**
 * Starts a sandbox and a gateway with testConfig in front of it before the enclosing tests, and closes both after
 * them. The two are read through the returned object once the tests run (they do not exist before).
 */
export function gatewayStackForTests(): GatewayStack {
  let running: GatewayStack | undefined;
  beforeAll(async () => {
    const sandbox = await startSandbox();
    running = { sandbox, gateway: await startGateway(testConfig(sandbox)) };
  });
  afterAll(async () => {
    await running?.gateway.close();
    await running?.sandbox.close();
  });
  const started = (): GatewayStack => {
    if (!running) throw new Error('the gateway stack is read before its beforeAll has run');
    return running;
  };
  return {
    get sandbox() {
      return started().sandbox;
    },
    get gateway() {
      return started().gateway;
    },
  };
}

export const BILLING = { authorization: 'Bearer billing-secret-0123456789' };

/** undici's request API: much lighter than fetch, so load tests measure the gateway, not the client. */
export async function postRoom(
  gateway: { url: string },
  body: unknown,
  headers: Record<string, string> = BILLING,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await request(`${gateway.url}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value === 'string') responseHeaders.set(name, value);
    else if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
  }
  return { status: res.statusCode, headers: responseHeaders, body: text ? JSON.parse(text) : {} };
}

/** A RoomId no other test uses. */
export function roomId(prefix = 'room'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Counts arrivals in the busiest window of `windowMs` (a sliding window over the receiving end's own log). */
export function busiestWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

/**
 * The sustained rate of a stream of arrivals: `limit` over the median time `limit` consecutive arrivals take,
 * measured after the first `limit` (the initial burst) and while at least `limit` more follow. Robust to how a
 * paced queue happens to group its sends, unlike first-to-last averages.
 */
export function sustainedRate(times: number[], limit = 200): number {
  const sorted = [...times].sort((a, b) => a - b);
  const spans: number[] = [];
  for (let i = limit; i + limit < sorted.length; i++)
    spans.push((sorted[i + limit] as number) - (sorted[i] as number));
  spans.sort((a, b) => a - b);
  const median = spans[Math.floor(spans.length / 2)] as number;
  return (limit / median) * 1000;
}
