import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

/** Starts `npm run sandbox`'s entry point on a free port and resolves with the address it says it listens on. */
async function startMain(env: Record<string, string>): Promise<{ host: string; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
    cwd: root,
    env: { ...process.env, SANDBOX_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8');
  for await (const chunk of child.stdout ?? []) {
    output += chunk;
    const match = / on http:\/\/([\d.]+):(\d+)\n/.exec(output);
    if (match) return { host: match[1] as string, port: Number(match[2]) };
  }
  throw new Error(`the sandbox exited without saying where it listens: ${output}`);
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

describe('npm run sandbox', () => {
  it('listens on loopback only by default', async () => {
    const { host, port } = await startMain({});
    expect(host).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/__sandbox/arrivals`)).status).toBe(200);
  });

  it('listens on every interface with SANDBOX_HOST=0.0.0.0, as a container needs', async () => {
    const { host, port } = await startMain({ SANDBOX_HOST: '0.0.0.0' });
    expect(host).toBe('0.0.0.0');
    expect((await fetch(`http://127.0.0.1:${port}/__sandbox/arrivals`)).status).toBe(200);
  });

  it('stops at start with one line per unusable setting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
      cwd: root,
      env: { ...process.env, SANDBOX_PORT: 'x', TENCENT_SDKAPPID: 'y' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // 'close', not 'exit': it comes after stderr has been read to its end.
    const [code] = await once(child, 'close');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'sandbox: SANDBOX_PORT must be a port number from 0 to 65535 (got "x")',
      'sandbox: TENCENT_SDKAPPID must be a positive integer (got "y")',
    ]);
  });
});
