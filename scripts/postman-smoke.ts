/**
 * `npm run postman:smoke`: runs the checked-in Postman collection with newman against the real gateway in front
 * of the Tencent sandbox, both on free loopback ports with throwaway credentials, and exits non-zero when any
 * request or assertion of the collection's test scripts fails, or when nothing ran. CI runs it.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/http/logger.js';
import { buildSandbox } from '../src/sandbox/app.js';
import { runCollection } from './postman-run.js';

const urlOf = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const sdkAppId = 1400000000;
const secretKey = randomBytes(32).toString('hex');
const apiKey = `smoke-${randomBytes(12).toString('hex')}`;

const { app: sandbox } = await buildSandbox({ sdkAppId, secretKey, admins: ['administrator'] });
await sandbox.listen({ port: 0, host: '127.0.0.1' });
const config = loadConfig({
  TENCENT_SDKAPPID: String(sdkAppId),
  TENCENT_SECRET_KEY: secretKey,
  TENCENT_BASE_URL: urlOf(sandbox),
  ROOMGATE_API_KEYS: `postman:${apiKey}`,
  LOG_LEVEL: 'warn',
});
const gateway = await createGateway(config, createLogger(config.logLevel));
await gateway.listen({ port: 0, host: '127.0.0.1' });

let ok = false;
try {
  const run = await runCollection({ baseUrl: urlOf(gateway), apiKey, reporters: ['cli'] });
  ok = run.failures.length === 0 && run.requests > 0 && run.assertions > 0;
  process.stdout.write(
    `postman smoke: ${run.requests} requests, ${run.assertions} assertions, ${run.failures.length} failures\n`,
  );
} finally {
  await gateway.close();
  await sandbox.close();
}
process.exitCode = ok ? 0 : 1;
