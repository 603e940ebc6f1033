import type { AddressInfo } from 'node:net';
import { buildSandbox } from './app.js';
import { readSandboxSettings } from './settings.js';

/**
 * Runs the Tencent sandbox on its own: `npm run sandbox`. It takes the application settings a real
 * data center would hold (SDKAppID, secret key, administrator) from the same variables as the gateway.
 * It listens on loopback unless SANDBOX_HOST says otherwise (0.0.0.0 in a container, where the gateway
 * reaches it from another one).
 */
const read = readSandboxSettings(process.env);
if (!read.ok) {
  for (const problem of read.problems) process.stderr.write(`sandbox: ${problem}\n`);
  process.exit(1);
}
const { port, host, sdkAppId, secretKey, admin } = read.settings;

const { app } = await buildSandbox({ sdkAppId, secretKey, admins: [admin] });
await app.listen({ port, host });
const address = app.server.address() as AddressInfo;
process.stdout.write(
  `Tencent sandbox for SDKAppID ${sdkAppId} on http://${address.address}:${address.port}\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => app.close().then(() => process.exit(0)));
