/**
 * The container setup, checked without a Docker engine: what the Dockerfile promises (a multi-stage build, a
 * production-only final stage, a non-root user, signals reaching node), its HEALTHCHECK command run for real,
 * and docker-compose.yml's services wired so that the gateways accept their configuration and reach the
 * sandbox and Redis. CI also validates the compose file with `docker-compose config`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gatewayStackForTests, startSandbox } from '../test/helpers.js';
import { loadConfig } from './config.js';

const run = promisify(execFile);
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = read('Dockerfile')
  .replace(/\\\n\s*/g, '')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages: string[][] = [];
for (const line of instructions) {
  if (line.startsWith('FROM ')) stages.push([]);
  stages.at(-1)?.push(line);
}
const finalStage = stages.at(-1) ?? [];
const argDefault = (name: string) =>
  instructions.find((l) => l.startsWith(`ARG ${name}=`))?.slice(`ARG ${name}=`.length);
/** The JSON array of an exec-form instruction (`CMD [...]`, `HEALTHCHECK ... CMD [...]`). */
const execForm = (line: string | undefined): string[] =>
  JSON.parse(/CMD (\[.*\])$/.exec(line ?? '')?.[1] ?? 'null');

/** Runs a `node -e` health check command with this environment; resolves with its exit code. */
async function exitCodeOf(command: string[], env: Record<string, string>): Promise<number> {
  const [program, ...args] = command;
  expect(program).toBe('node');
  try {
    await run(process.execPath, args, { env: { ...process.env, ...env }, timeout: 10_000 });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

/** A loopback port that was free a moment ago and has no listener now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Dockerfile', () => {
  it('builds in one stage and runs the compiled output with production dependencies in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0] ?? [];
    expect(build[0]).toMatch(/ AS build$/);
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    expect(build).toContain('RUN npm run build');
    expect(finalStage.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(finalStage).toContain('COPY --from=build /app/dist ./dist');
    expect(finalStage).toContain('ENV NODE_ENV=production');
  });

  it('uses a slim image of an even-numbered (LTS) Node line no older than 24', () => {
    const image = argDefault('NODE_IMAGE') ?? '';
    const major = Number(/^node:(\d+)-slim$/.exec(image)?.[1]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(24);
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM \$\{NODE_IMAGE\}/);
  });

  it('runs as a non-root user, and starts node itself in exec form so that SIGTERM reaches it', () => {
    const user = finalStage.find((l) => l.startsWith('USER '))?.slice(5);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    // The image runs exactly what `npm start` runs, flags included.
    const start = JSON.parse(read('package.json')).scripts.start as string;
    expect(execForm(finalStage.find((l) => l.startsWith('CMD ')))).toEqual(start.split(' '));
    expect(start).toMatch(/^node .*dist\/server\.js$/);
  });

  describe('HEALTHCHECK', () => {
    const command = execForm(finalStage.find((l) => l.startsWith('HEALTHCHECK ')));
    const stack = gatewayStackForTests();

    it('asks /healthz with node, which the slim image has (it has no curl)', () => {
      expect(command.slice(0, 2)).toEqual(['node', '-e']);
      expect(command[2]).toContain('/healthz');
    });

    it('passes against a running gateway on PORT', async () => {
      expect(await exitCodeOf(command, { PORT: new URL(stack.gateway.url).port })).toBe(0);
    });

    it('fails when nothing answers on PORT', async () => {
      expect(await exitCodeOf(command, { PORT: String(await closedPort()) })).toBe(1);
    });
  });
});

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const services: Record<string, Service> = parse(read('docker-compose.yml'), { merge: true }).services;
  const gateways = Object.entries(services).filter(([, s]) => s.image === 'roomgate:local' && !s.command);
  /** `${VAR:-default}` as Compose resolves it when VAR is unset. */
  const resolved = (env: Record<string, string> = {}) =>
    Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
    );

  it('has Redis, the sandbox built from the same image, and two gateway replicas', () => {
    expect(services.redis?.image).toMatch(/^redis:/);
    expect(services.sandbox).toMatchObject({
      image: 'roomgate:local',
      command: ['node', 'dist/sandbox/main.js'],
    });
    expect(gateways).toHaveLength(2);
    for (const [, gateway] of gateways) {
      expect(gateway.build).toBeDefined();
      expect(gateway.depends_on).toEqual({
        redis: { condition: 'service_healthy' },
        sandbox: { condition: 'service_healthy' },
      });
    }
  });

  it('configures every gateway validly, sharing Redis as one of ROOMGATE_REPLICAS in front of the sandbox', () => {
    const sandboxEnv = resolved(services.sandbox?.environment);
    for (const [name, gateway] of gateways) {
      const config = loadConfig(resolved(gateway.environment));
      expect(config.redisUrl, name).toBe('redis://redis:6379');
      expect(config.limits.replicas, name).toBe(gateways.length);
      expect(config.tencent.baseUrl, name).toBe(`http://sandbox:${sandboxEnv.SANDBOX_PORT}`);
      expect(String(config.tencent.sdkAppId), name).toBe(sandboxEnv.TENCENT_SDKAPPID);
      expect(config.tencent.secretKey, name).toBe(sandboxEnv.TENCENT_SECRET_KEY);
    }
    expect(new Set(gateways.flatMap(([, g]) => g.ports ?? [])).size).toBe(gateways.length);
  });

  it('has the sandbox listen beyond loopback, where the gateways can reach it', () => {
    expect(services.sandbox?.environment?.SANDBOX_HOST).toBe('0.0.0.0');
  });

  it("health-checks the sandbox with a command that works (the image's own probes the gateway's port)", async () => {
    const sandbox = await startSandbox();
    try {
      const port = resolved(services.sandbox?.environment).SANDBOX_PORT as string;
      const [, ...command] = services.sandbox?.healthcheck?.test ?? [];
      const onPort = (p: string) => command.map((part) => part.replace(`:${port}/`, `:${p}/`));
      expect(command.join(' ')).toContain(`:${port}/`);
      expect(await exitCodeOf(onPort(new URL(sandbox.url).port), {})).toBe(0);
      await sandbox.close();
      expect(await exitCodeOf(onPort(new URL(sandbox.url).port), {})).toBe(1);
    } finally {
      await sandbox.close();
    }
  });
});
