/**
 * The sandbox in a process of its own, for tests that measure arrival times: sharing an event loop with the
 * gateway and the load generator would add their lag to its clock. Prints `listening <url>` when ready.
 */
import { buildSandbox } from '../src/sandbox/app.js';
import { ADMIN, SDKAPPID } from './helpers.js';

const { app } = await buildSandbox({
  sdkAppId: SDKAPPID,
  secretKey: process.env.SANDBOX_SECRET_KEY as string,
  admins: [ADMIN],
  perSecond: Number(process.env.SANDBOX_PER_SECOND ?? 200),
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${url}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
