import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * A throwaway redis-server for tests. Where the binary is missing, Redis tests skip with a loud warning,
 * except under CI=true, where a missing binary is a failure (CI installs it).
 */
export const redisBinary = spawnSync('redis-server', ['--version']).status === 0 ? 'redis-server' : undefined;

if (!redisBinary) {
  const message =
    'redis-server is not installed: the Redis tests are SKIPPED. Install it (apt-get install -y redis-server) to run them.';
  if (process.env.CI === 'true') throw new Error(`${message} Under CI=true this is a failure.`);
  console.warn(`\n\x1b[41m\x1b[37m WARNING \x1b[0m ${message}\n`);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface RunningRedis {
  url: string;
  port: number;
  /** SIGKILL: the server vanishes without a goodbye, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    redisBinary as string,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return child;
}

export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port);
  const kill = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    child = undefined;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    async restart() {
      await kill();
      child = await launch(port);
    },
    stop: kill,
  };
}

/** A redis-server and two connections to it, for the tests of one file or describe block. */
export interface RedisForTests {
  readonly server: RunningRedis;
  /** The connection under test, made with the options given. */
  readonly redis: Redis;
  /** A second client of the same server, as another replica would be. */
  readonly other: Redis;
}

/**
 * Starts a redis-server before the enclosing tests and stops it after them, with two connections; the server is
 * emptied before each test. Read through the returned object once the tests run (nothing exists before).
 */
export function redisForTests(options: RedisOptions = {}): RedisForTests {
  let running: RedisForTests | undefined;
  beforeAll(async () => {
    const server = await startRedis();
    running = { server, redis: new Redis(server.url, options), other: new Redis(server.url) };
  });
  afterAll(async () => {
    running?.redis.disconnect();
    running?.other.disconnect();
    await running?.server.stop();
  });
  beforeEach(async () => {
    await started().redis.flushall();
  });
  const started = (): RedisForTests => {
    if (!running) throw new Error('redis is read before its beforeAll has run');
    return running;
  };
  return {
    get server() {
      return started().server;
    },
    get redis() {
      return started().redis;
    },
    get other() {
      return started().other;
    },
  };
}
