/**
 * `npm run openapi`: writes openapi/openapi.json from the real app, built exactly as production builds it but
 * with throwaway credentials (nothing is sent anywhere), and the Postman collection and environment generated
 * from it. Tests fail when the checked-in files differ.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { buildOpenApiDocument } from '../src/http/openapi-document.js';
import { buildPostmanCollection, buildPostmanEnvironment } from './postman-collection.js';

const document = await buildOpenApiDocument();
const files = {
  'openapi/openapi.json': document,
  'openapi/roomgate.postman_collection.json': await buildPostmanCollection(document),
  'openapi/roomgate.postman_environment.json': buildPostmanEnvironment(),
};
await mkdir('openapi', { recursive: true });
for (const [path, text] of Object.entries(files)) {
  await writeFile(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
