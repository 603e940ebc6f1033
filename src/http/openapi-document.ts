import pino from 'pino';
import { loadConfig } from '../config.js';
import { createGateway } from '../gateway.js';
import { openApiDocumentText } from './openapi.js';

/**
 * The OpenAPI document as the running gateway serves it, serialized the way it is checked in. The settings are
 * placeholders: the document does not depend on them, and building the app sends nothing upstream.
 */
export async function buildOpenApiDocument(): Promise<string> {
  const config = loadConfig({
    TENCENT_SDKAPPID: '1400000000',
    TENCENT_SECRET_KEY: 'openapi-document-placeholder',
    TENCENT_BASE_URL: 'http://127.0.0.1:9',
    ROOMGATE_API_KEYS: 'openapi:placeholder',
  });
  const app = await createGateway(config, pino({ level: 'silent' }));
  try {
    await app.ready();
    return openApiDocumentText(app);
  } finally {
    await app.close();
  }
}
