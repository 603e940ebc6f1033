/**
 * `npm run openapi`: writes openapi/openapi.json from the real app, built exactly as production builds it but
 * with throwaway credentials (nothing is sent anywhere). A test fails when the checked-in file differs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { buildOpenApiDocument } from '../src/http/openapi-document.js';

const document = await buildOpenApiDocument();
await mkdir('openapi', { recursive: true });
await writeFile('openapi/openapi.json', document);
process.stdout.write('wrote openapi/openapi.json\n');
