import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Arrival } from '../src/sandbox/app.js';
import { ADMIN, SDKAPPID } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface RunningProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point with tsx and waits until it prints its URL. */
async function run(entry: string, env: Record<string, string>, ready: RegExp): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      // Keep the tail only: a load test writes thousands of request lines.
      output = (output + d.toString()).slice(-200_000);
      const match = ready.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface SandboxProcess extends RunningProcess {
  secretKey: string;
  arrivals(): Promise<Arrival[]>;
  reset(): Promise<void>;
}

export async function spawnSandbox(perSecond = 200): Promise<SandboxProcess> {
  const secretKey = randomBytes(32).toString('hex');
  const proc = await run(
    'test/sandbox-process.ts',
    { SANDBOX_SECRET_KEY: secretKey, SANDBOX_PER_SECOND: String(perSecond) },
    /listening (http:\/\/\S+)/,
  );
  return {
    ...proc,
    secretKey,
    arrivals: async () => (await fetch(`${proc.url}/__sandbox/arrivals`)).json() as Promise<Arrival[]>,
    reset: async () => {
      await fetch(`${proc.url}/__sandbox/reset`, { method: 'POST' });
    },
  };
}

export const PROCESS_API_KEY = 'load:load-secret-0123456789abcdef';

/** The real server (src/server.ts) in its own process, configured only by its environment. */
export async function spawnGateway(
  sandbox: SandboxProcess,
  env: Record<string, string> = {},
): Promise<RunningProcess> {
  return run(
    'src/server.ts',
    {
      TENCENT_SDKAPPID: String(SDKAPPID),
      TENCENT_SECRET_KEY: sandbox.secretKey,
      TENCENT_ADMIN_ID: ADMIN,
      TENCENT_BASE_URL: sandbox.url,
      ROOMGATE_API_KEYS: PROCESS_API_KEY,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"roomgate ready"/,
  );
}
