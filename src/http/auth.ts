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
