import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/http/logger.js';
import { buildSandbox } from '../src/sandbox/app.js';

export interface LocalGateway {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

const urlOf = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/**
 * The real gateway in front of the Tencent sandbox, both on free loopback ports with throwaway credentials,
 * configured through loadConfig as production is (as `npm run dev` does, but out of the way of :8080).
 */
export async function startLocalGateway(): Promise<LocalGateway> {
  const sdkAppId = 1400000000;
  const secretKey = randomBytes(32).toString('hex');
  const apiKey = `local-${randomBytes(12).toString('hex')}`;
  const { app: sandbox } = await buildSandbox({ sdkAppId, secretKey, admins: ['administrator'] });
  await sandbox.listen({ port: 0, host: '127.0.0.1' });
  const config = loadConfig({
    TENCENT_SDKAPPID: String(sdkAppId),
    TENCENT_SECRET_KEY: secretKey,
    TENCENT_BASE_URL: urlOf(sandbox),
    ROOMGATE_API_KEYS: `local:${apiKey}`,
    LOG_LEVEL: 'warn',
  });
  const gateway = await createGateway(config, createLogger(config.logLevel));
  await gateway.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: urlOf(gateway),
    apiKey,
    close: async () => {
      await gateway.close();
      await sandbox.close();
    },
  };
}
