import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type RunningSandbox, SDKAPPID, startSandbox } from '../test/helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs src/server.ts as `npm start` would run dist/server.js: a real process configured by its environment. */
function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return { child, output: () => output };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

describe('the server process', () => {
  it('refuses to start with a missing or malformed setting, one readable line per problem', async () => {
    const { child, output } = startServer({
      TENCENT_SDKAPPID: 'twelve',
      TENCENT_SECRET_KEY: 'do-not-print-me',
      ROOMGATE_API_KEYS: 'billing',
      PORT: '70000',
    });
    expect(await exitCode(child)).toBe(1);
    const lines = output().trim().split('\n');
    expect(lines[0]).toBe('roomgate: cannot start, the configuration is invalid:');
    expect(lines.slice(1)).toEqual([
      '  TENCENT_SDKAPPID must be a whole number (example: TENCENT_SDKAPPID=1400000000)',
      '  ROOMGATE_API_KEYS entry 1 is not name:secret (name of A-Za-z0-9._-) (example: ROOMGATE_API_KEYS=billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0)',
      '  PORT must be at most 65535 (example: PORT=8080)',
      '  TENCENT_REGION is required unless TENCENT_BASE_URL is set; there is no default region (example: TENCENT_REGION=singapore)',
    ]);
    expect(output()).not.toContain('do-not-print-me');
  });

  describe('configured', () => {
    let sandbox: RunningSandbox;
    beforeAll(async () => {
      sandbox = await startSandbox();
    });
    afterAll(async () => {
      await sandbox.close();
    });

    it.each([
      ['an address that does not resolve', '999.1.1.1'],
      ['an address not on this machine', '192.0.2.1'],
    ])('exits 1 naming HOST and PORT when it cannot listen on %s', async (_what, host) => {
      const { child, output } = startServer({
        TENCENT_SDKAPPID: String(SDKAPPID),
        TENCENT_SECRET_KEY: sandbox.secretKey,
        TENCENT_BASE_URL: sandbox.url,
        ROOMGATE_API_KEYS: 'ops:ops-secret-0123456789abcdef',
        PORT: '18089',
        HOST: host,
      });
      expect(await exitCode(child)).toBe(1);
      expect(output()).toContain(`roomgate: cannot listen on ${host}:18089 (check HOST and PORT): `);
      expect(output()).not.toContain(sandbox.secretKey);
    });

    /** The gateway's process, configured against the sandbox (plus `env`), and its URL once it listens. */
    async function startConfigured(env: Record<string, string> = {}) {
      const server = startServer({
        TENCENT_SDKAPPID: String(SDKAPPID),
        TENCENT_SECRET_KEY: sandbox.secretKey,
        TENCENT_ADMIN_ID: ADMIN,
        TENCENT_BASE_URL: sandbox.url,
        ROOMGATE_API_KEYS: 'ops:ops-secret-0123456789abcdef',
        PORT: '0',
        HOST: '127.0.0.1',
        ...env,
      });
      let url: string | undefined;
      for (let i = 0; i < 200 && !url; i++) {
        url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      if (!url) server.child.kill('SIGKILL');
      expect(url, server.output()).toBeDefined();
      return { ...server, url: url as string };
    }

    it('serves POST /rooms and exits 0 on SIGTERM after finishing the request in flight', async () => {
      const { child, output, url } = await startConfigured();
      try {
        const headers = {
          authorization: 'Bearer ops-secret-0123456789abcdef',
          'content-type': 'application/json',
        };
        // Log lines are written in batches, yet a quiet gateway's line still shows up promptly.
        const quick = await fetch(`${url}/rooms`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ RoomInfo: { RoomId: 'server-quick', SeatTemplate: 'Karaoke' } }),
        });
        expect(quick.status).toBe(201);
        const loggedAt = performance.now();
        while (!output().includes('"roomId":"server-quick"') && performance.now() - loggedAt < 2000) {
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(performance.now() - loggedAt).toBeLessThan(1000);
        // A slow upstream answer keeps this request in flight while the process is told to stop.
        sandbox.state.faults.add({ fault: { kind: 'delay', ms: 400 }, times: 1 });
        const pending = fetch(`${url}/rooms`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            RoomInfo: { RoomId: 'server-test', SeatTemplate: 'Karaoke', MaxSeatCount: 8 },
          }),
        });
        await new Promise((r) => setTimeout(r, 150));
        child.kill('SIGTERM');
        const res = await pending;
        expect(res.status).toBe(201);
        expect(await exitCode(child), output()).toBe(0);
        // What was still in the log buffer at exit was written out, the last request's line included.
        const lines = output()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).toContainEqual(expect.objectContaining({ roomId: 'server-test', status: 201 }));
        expect(lines).toContainEqual(expect.objectContaining({ signal: 'SIGTERM' }));
        expect(output()).not.toContain(sandbox.secretKey);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('with ROOMGATE_DRAIN_MS, keeps serving after SIGTERM with readiness failing, then exits 0', async () => {
      const { child, output, url } = await startConfigured({ ROOMGATE_DRAIN_MS: '1500' });
      try {
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        const signalledAt = performance.now();
        child.kill('SIGTERM');
        // The signal is handled once the line saying so is out.
        while (!output().includes('draining')) await new Promise((r) => setTimeout(r, 10));
        expect((await fetch(`${url}/readyz`)).status).toBe(503);
        // New connections are still accepted, and creates still go through.
        const res = await fetch(`${url}/rooms`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer ops-secret-0123456789abcdef',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ RoomInfo: { RoomId: 'server-draining', SeatTemplate: 'Karaoke' } }),
        });
        expect(res.status).toBe(201);
        expect(sandbox.state.rooms.has('server-draining')).toBe(true);
        expect(await exitCode(child), output()).toBe(0);
        expect(performance.now() - signalledAt).toBeGreaterThanOrEqual(1500);
        expect(output()).toContain('"drainMs":1500');
        await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('ends the drain at once on a second signal', async () => {
      const { child, output } = await startConfigured({ ROOMGATE_DRAIN_MS: '60000' });
      try {
        child.kill('SIGTERM');
        while (!output().includes('draining')) await new Promise((r) => setTimeout(r, 10));
        child.kill('SIGINT');
        expect(await exitCode(child), output()).toBe(0);
        expect(output()).toContain('"signal":"SIGINT"');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
