/**
 * `npm run dev`: the gateway on :8080 in front of the built-in Tencent sandbox, with throwaway credentials,
 * so that anyone can try roomgate with curl without a Tencent account or a network.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/http/logger.js';
import { buildSandbox } from '../src/sandbox/app.js';

const sandboxPort = Number(process.env.SANDBOX_PORT ?? 9100);
const sdkAppId = 1400000000;
const secretKey = randomBytes(32).toString('hex');
const apiSecret = process.env.DEV_API_KEY ?? `dev-${randomBytes(12).toString('hex')}`;

const { app: sandbox } = await buildSandbox({ sdkAppId, secretKey, admins: ['administrator'] });
await sandbox.listen({ port: sandboxPort, host: '127.0.0.1' });

const config = loadConfig({
  ...process.env,
  TENCENT_SDKAPPID: String(sdkAppId),
  TENCENT_SECRET_KEY: secretKey,
  TENCENT_BASE_URL: `http://127.0.0.1:${sandboxPort}`,
  ROOMGATE_API_KEYS: `dev:${apiSecret}`,
});
const logger = createLogger(config.logLevel);
const gateway = await createGateway(config, logger);
await gateway.listen({ port: config.port, host: config.host });

const base = `http://localhost:${config.port}`;
process.stdout.write(`
roomgate (dev) on ${base}, in front of the Tencent sandbox on http://127.0.0.1:${sandboxPort}

Create a room:

  curl -i -X POST ${base}/rooms \\
    -H 'Authorization: Bearer ${apiSecret}' \\
    -H 'Content-Type: application/json' \\
    -d '{"RoomInfo":{"RoomId":"live_testA","Owner_Account":"testA","SeatTemplate":"VideoDynamicGrid9Seats","RoomName":"Happy new year"}}'

Problem types: ${base}/problems/validation-failed   Health: ${base}/healthz
Make the sandbox fail on purpose:
  curl -X POST http://127.0.0.1:${sandboxPort}/__sandbox/faults -d '{"fault":{"kind":"code","code":100001},"times":1}'

`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    await gateway.close();
    await sandbox.close();
    process.exit(0);
  });
}
