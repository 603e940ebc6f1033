import type { AddressInfo } from 'node:net';
import { buildSandbox } from './app.js';

/**
 * Runs the Tencent sandbox on its own: `npm run sandbox`. It takes the application settings a real
 * data center would hold (SDKAppID, secret key, administrator) from the same variables as the gateway.
 * It listens on loopback unless SANDBOX_HOST says otherwise (0.0.0.0 in a container, where the gateway
 * reaches it from another one).
 */
const port = Number(process.env.SANDBOX_PORT ?? 9100);
const host = process.env.SANDBOX_HOST || '127.0.0.1';
const sdkAppId = Number(process.env.TENCENT_SDKAPPID ?? 1400000000);
const secretKey = process.env.TENCENT_SECRET_KEY ?? 'sandbox-secret-key';
const admin = process.env.TENCENT_ADMIN_ID ?? 'administrator';

const { app } = await buildSandbox({ sdkAppId, secretKey, admins: [admin] });
await app.listen({ port, host });
const address = app.server.address() as AddressInfo;
process.stdout.write(
  `Tencent sandbox for SDKAppID ${sdkAppId} on http://${address.address}:${address.port}\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => app.close().then(() => process.exit(0)));
