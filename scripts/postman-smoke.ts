/**
 * `npm run postman:smoke`: runs the checked-in Postman collection with newman against the real gateway in front
 * of the Tencent sandbox, both on free loopback ports with throwaway credentials, and exits non-zero when any
 * request or assertion of the collection's test scripts fails, or when nothing ran. CI runs it.
 */
import { startLocalGateway } from './local-gateway.js';
import { runCollection } from './postman-run.js';

const gateway = await startLocalGateway();
let ok = false;
try {
  const run = await runCollection({ baseUrl: gateway.url, apiKey: gateway.apiKey, reporters: ['cli'] });
  ok = run.failures.length === 0 && run.requests > 0 && run.assertions > 0;
  process.stdout.write(
    `postman smoke: ${run.requests} requests, ${run.assertions} assertions, ${run.failures.length} failures\n`,
  );
} finally {
  await gateway.close();
}
process.exitCode = ok ? 0 : 1;
