import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ADMIN, SDKAPPID } from '../test/helpers.js';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface BenchProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** The process's output so far (it goes to a file, so the bench never spends CPU reading it). */
  output(): string;
  stop(): Promise<void>;
}

const STARTUP_MS = 30_000;

/**
 * Every child still running is killed when the bench exits, however it exits (a watchdog, an error), and the files
 * that held the children's output are removed (they are read after a child stops, so not before): a full run
 * writes tens of MB of gateway logs.
 */
const children = new Set<ChildProcess>();
const logFiles = new Set<string>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const file of logFiles) rmSync(file, { force: true });
});

/**
 * Starts `node <args>` with its output in a file, not a pipe (a pipe would make the bench process read every log
 * line the gateway writes, on the same two cores), and waits, bounded, until the output matches `ready`.
 */
export async function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<BenchProcess> {
  const logFile = join(
    tmpdir(),
    `roomgate-bench-${name}-${process.pid}-${randomBytes(4).toString('hex')}.log`,
  );
  const fd = openSync(logFile, 'w');
  logFiles.add(logFile);
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const output = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + STARTUP_MS;
  let url: string | undefined;
  while (url === undefined) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start within ${STARTUP_MS} ms:\n${output()}`);
    }
    url = ready.exec(output())?.[1];
    if (url === undefined) await sleep(50);
  }
  return {
    url,
    pid: child.pid as number,
    child,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface Sandbox extends BenchProcess {
  secretKey: string;
  /** This process's performance.now() when the sandbox was spawned: where its own `--trace-gc` clock starts. */
  startedAt: number;
  arrivals(): Promise<{ at: number; command: string; outcome?: number }[]>;
}

/** The Tencent sandbox (test/sandbox-process.ts) in a process of its own, with a fresh secret key; `nodeArgs` adds e.g. `--trace-gc`. */
export async function startSandbox(perSecond: number, nodeArgs: string[] = []): Promise<Sandbox> {
  const secretKey = randomBytes(32).toString('hex');
  const startedAt = performance.now();
  const proc = await start(
    'sandbox',
    [...nodeArgs, '--import', 'tsx', 'test/sandbox-process.ts'],
    { SANDBOX_SECRET_KEY: secretKey, SANDBOX_PER_SECOND: String(perSecond) },
    /listening (http:\/\/\S+)/,
  );
  return {
    ...proc,
    secretKey,
    startedAt,
    arrivals: async () => (await fetch(`${proc.url}/__sandbox/arrivals`)).json() as never,
  };
}

export const BENCH_API_KEY = 'bench-secret-0123456789abcdef';

/** Node's flags in `npm start` (package.json), which the Docker image runs too: the bench measures the same. */
function productionNodeFlags(): string[] {
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string;
  return start.split(' ').filter((word) => word.startsWith('--'));
}

/**
 * The compiled gateway (dist/server.js, built by `npm run build` before the bench) configured only by its
 * environment, started with `npm start`'s flags and logging at info to a file as in production. `nodeArgs` adds
 * e.g. `--cpu-prof`.
 */
export function startGateway(
  sandbox: Sandbox,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<BenchProcess> {
  return start(
    'gateway',
    [...productionNodeFlags(), ...nodeArgs, 'dist/server.js'],
    {
      TENCENT_SDKAPPID: String(SDKAPPID),
      TENCENT_SECRET_KEY: sandbox.secretKey,
      TENCENT_ADMIN_ID: ADMIN,
      TENCENT_BASE_URL: sandbox.url,
      ROOMGATE_API_KEYS: `bench:${BENCH_API_KEY}`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...env,
    },
    /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"roomgate ready"/,
  );
}

/**
 * A reference front of scenario 2 (a TypeScript file under bench/, run with tsx) in front of the sandbox, sending
 * every create with a query signed in advance.
 */
function startReference(
  name: string,
  script: string,
  sandbox: Sandbox,
  query: string,
  nodeArgs: string[],
  env: Record<string, string> = {},
): Promise<BenchProcess> {
  return start(
    name,
    [...nodeArgs, '--import', 'tsx', script],
    { UPSTREAM: sandbox.url, UPSTREAM_QUERY: query, NODE_ENV: 'production', ...env },
    /listening (http:\/\/\S+)/,
  );
}

/** The bare @fastify/http-proxy passthrough (bench/bare-proxy.ts) in front of the same sandbox. */
export function startBareProxy(
  sandbox: Sandbox,
  query: string,
  nodeArgs: string[] = [],
): Promise<BenchProcess> {
  return startReference('bare-proxy', 'bench/bare-proxy.ts', sandbox, query, nodeArgs);
}

/**
 * The minimal Fastify + zod + undici handler (bench/minimal-handler.ts), the reference point of scenarios 1 and 2;
 * with `shedIntervalMs`, scenario 3's: it then refuses with a fixed 429 all but one request per interval.
 */
export function startMinimalHandler(
  sandbox: Sandbox,
  query: string,
  nodeArgs: string[] = [],
  shedIntervalMs?: number,
  extraEnv: Record<string, string> = {},
): Promise<BenchProcess> {
  const env = { ...(shedIntervalMs ? { SHED_INTERVAL_MS: String(shedIntervalMs) } : {}), ...extraEnv };
  return startReference('minimal-handler', 'bench/minimal-handler.ts', sandbox, query, nodeArgs, env);
}

/** CPU time a process has used so far (user + system, all its threads), in ms, from /proc (Linux). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at "state"; utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Peak and current resident set of a process, from /proc (Linux), in MiB. */
export function memoryOf(pid: number): { peakRssMiB: number; rssMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakRssMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}
