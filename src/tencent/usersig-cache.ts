export interface UserSigCacheOptions {
  /** Produces a fresh UserSig valid for `validitySeconds` from now. */
  sign: (validitySeconds: number) => string;
  /** How long each generated UserSig is valid (Tencent recommends at least 24 h). */
  validitySeconds: number;
  /** Renew once less than this fraction of the validity is left (well before expiry, never on the edge). */
  renewAtRemainingFraction?: number;
  /** Milliseconds since the epoch; injected so tests can move time. */
  now?: () => number;
  onRenew?: (reason: 'initial' | 'expiring' | 'invalidated') => void;
}

export interface UserSigCache {
  /** The cached UserSig; generated only when none is valid (never twice at once, never per request). */
  get(): string;
  /**
   * Drops the cached UserSig if it is still `stale` (Tencent answered 70001 for it). Passing the value that was
   * rejected means that concurrent requests failing with the same sig cause one regeneration, not many.
   */
  invalidate(stale: string): void;
  /** When the cached UserSig will be renewed, for metrics and readiness. */
  renewsAt(): number | undefined;
}

/**
 * Caches the administrator's UserSig. Signing is synchronous (HMAC + deflate), so inside one process two
 * callers can never generate at once: the first `get()` after expiry renews and every later caller reuses it.
 */
export function createUserSigCache(opts: UserSigCacheOptions): UserSigCache {
  const now = opts.now ?? Date.now;
  const renewFraction = opts.renewAtRemainingFraction ?? 0.5;
  let current: { sig: string; renewAt: number } | undefined;
  let pendingReason: 'initial' | 'expiring' | 'invalidated' = 'initial';

  function renew(): string {
    const issuedAt = now();
    // Tencent counts validity from TLS.time in whole seconds; renewal is scheduled from our own clock.
    const sig = opts.sign(opts.validitySeconds);
    const renewAt = issuedAt + opts.validitySeconds * 1000 * (1 - renewFraction);
    current = { sig, renewAt };
    opts.onRenew?.(pendingReason);
    pendingReason = 'expiring';
    return sig;
  }

  return {
    get() {
      if (current && now() < current.renewAt) return current.sig;
      return renew();
    },
    invalidate(stale) {
      if (current?.sig === stale) {
        current = undefined;
        pendingReason = 'invalidated';
      }
    },
    renewsAt() {
      return current?.renewAt;
    },
  };
}
