import { hash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config.js';

/** One-shot hashing: half the cost of createHash().update().digest() on every authenticated request. */
const digest = (s: string) => hash('sha256', s, 'buffer');

/**
 * Resolves `Authorization: Bearer <secret>` to the caller's name. Secrets are compared as SHA-256 digests with
 * timingSafeEqual against every key, without stopping at a match, so timing reveals neither length nor prefix.
 */
export function createApiKeyAuth(
  keys: readonly ApiKey[],
): (authorization: string | undefined) => string | undefined {
  const known = keys.map((k) => ({ name: k.name, digest: digest(k.secret) }));
  return (authorization) => {
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1] as string);
    let caller: string | undefined;
    for (const key of known) {
      if (timingSafeEqual(presented, key.digest)) caller = key.name;
    }
    return caller;
  };
}

const KNOWN_CALLER = Symbol('roomgate.knownCaller');
type ConnectionWithCaller = object & { [KNOWN_CALLER]?: { header: Buffer; caller: string } };

/**
 * Remembers, per connection, the last Authorization header that authenticated and its caller, so a keep-alive
 * connection pays for hashing once rather than on every request. A connection is not always one client's: a
 * proxy in front of the gateway may carry many callers' requests on it, so the header is compared with the
 * remembered one in constant time too (only whether the two lengths differ shows, not the key's content).
 * Failures are not remembered, and any other header is checked in full.
 */
export function rememberPerConnection(
  authenticate: (authorization: string | undefined) => string | undefined,
): (authorization: string | undefined, connection: object | null | undefined) => string | undefined {
  return (authorization, connection) => {
    const tracked = connection as ConnectionWithCaller | null | undefined;
    const known = tracked?.[KNOWN_CALLER];
    if (known !== undefined && authorization !== undefined) {
      const header = Buffer.from(authorization);
      if (header.length === known.header.length && timingSafeEqual(header, known.header)) return known.caller;
    }
    const caller = authenticate(authorization);
    if (caller !== undefined && authorization !== undefined && tracked) {
      tracked[KNOWN_CALLER] = { header: Buffer.from(authorization), caller };
    }
    return caller;
  };
}
