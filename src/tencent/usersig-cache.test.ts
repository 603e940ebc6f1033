import { describe, expect, it } from 'vitest';
import { createUserSigCache, type UserSigCacheOptions } from './usersig-cache.js';

const VALIDITY = 100; // seconds
const HALF = (VALIDITY * 1000) / 2; // ms: the default renew point

/** A cache over a fake clock and a signer that numbers its sigs and remembers what it was asked. */
function setup(overrides: Partial<UserSigCacheOptions> = {}) {
  const clock = { t: 1_000_000 };
  const signed: number[] = [];
  const reasons: string[] = [];
  const cache = createUserSigCache({
    validitySeconds: VALIDITY,
    now: () => clock.t,
    sign: (validitySeconds) => {
      signed.push(validitySeconds);
      return `sig-${signed.length}`;
    },
    onRenew: (reason) => reasons.push(reason),
    ...overrides,
  });
  return { cache, clock, signed, reasons };
}

describe('createUserSigCache', () => {
  it('signs once on the first get, for the configured validity', () => {
    const { cache, signed, reasons } = setup();
    expect(cache.get()).toBe('sig-1');
    expect(signed).toEqual([VALIDITY]);
    expect(reasons).toEqual(['initial']);
  });

  it('does not sign before anyone asks', () => {
    const { cache, signed } = setup();
    expect(signed).toEqual([]);
    expect(cache.renewsAt()).toBeUndefined();
  });

  it('reuses the cached sig on repeated gets', () => {
    const { cache, clock, signed } = setup();
    const first = cache.get();
    for (let i = 0; i < 1000; i++) {
      clock.t += 10;
      expect(cache.get()).toBe(first);
    }
    expect(signed).toHaveLength(1);
  });

  it('renews once half the validity has passed, and not a millisecond before', () => {
    const { cache, clock, signed, reasons } = setup();
    const start = clock.t;
    cache.get();
    expect(cache.renewsAt()).toBe(start + HALF);

    clock.t = start + HALF - 1;
    expect(cache.get()).toBe('sig-1');
    expect(signed).toHaveLength(1);

    clock.t = start + HALF;
    expect(cache.get()).toBe('sig-2');
    expect(signed).toHaveLength(2);
    expect(reasons).toEqual(['initial', 'expiring']);
    expect(cache.renewsAt()).toBe(start + 2 * HALF);

    expect(cache.get()).toBe('sig-2');
    expect(signed).toHaveLength(2);
  });

  it('renews once when it is first asked long after expiry', () => {
    const { cache, clock, signed } = setup();
    cache.get();
    clock.t += 10 * VALIDITY * 1000;
    expect(cache.get()).toBe('sig-2');
    expect(cache.get()).toBe('sig-2');
    expect(signed).toHaveLength(2);
  });

  it('honours another renew fraction', () => {
    const { cache, clock, signed } = setup({ renewAtRemainingFraction: 0.25 });
    const start = clock.t;
    cache.get();
    expect(cache.renewsAt()).toBe(start + 75_000);
    clock.t = start + 74_999;
    cache.get();
    expect(signed).toHaveLength(1);
    clock.t = start + 75_000;
    cache.get();
    expect(signed).toHaveLength(2);
  });

  it('keeps renewing on schedule over many periods', () => {
    const { cache, clock, signed, reasons } = setup();
    cache.get();
    for (let period = 1; period <= 5; period++) {
      clock.t += HALF;
      cache.get();
    }
    expect(signed).toHaveLength(6);
    expect(reasons).toEqual(['initial', 'expiring', 'expiring', 'expiring', 'expiring', 'expiring']);
  });

  describe('invalidate', () => {
    it('regenerates exactly once when the current sig is invalidated many times', () => {
      const { cache, signed, reasons } = setup();
      const stale = cache.get();
      for (let i = 0; i < 50; i++) {
        cache.invalidate(stale);
        expect(cache.get()).toBe('sig-2');
      }
      expect(signed).toHaveLength(2);
      expect(reasons).toEqual(['initial', 'invalidated']);
    });

    it('regenerates once when concurrent failures all report the same stale sig before the next get', () => {
      const { cache, signed } = setup();
      const stale = cache.get();
      for (let i = 0; i < 10; i++) cache.invalidate(stale);
      expect(cache.renewsAt()).toBeUndefined();
      expect(cache.get()).toBe('sig-2');
      expect(cache.get()).toBe('sig-2');
      expect(signed).toHaveLength(2);
    });

    it('ignores a value that is not the current sig', () => {
      const { cache, signed, reasons } = setup();
      const current = cache.get();
      const renewsAt = cache.renewsAt();
      cache.invalidate('some-other-sig');
      expect(cache.get()).toBe(current);
      expect(cache.renewsAt()).toBe(renewsAt);
      expect(signed).toHaveLength(1);
      expect(reasons).toEqual(['initial']);
    });

    it('ignores a sig that was already replaced by a scheduled renewal', () => {
      const { cache, clock, signed } = setup();
      const old = cache.get();
      clock.t += HALF;
      const fresh = cache.get();
      cache.invalidate(old);
      expect(cache.get()).toBe(fresh);
      expect(signed).toHaveLength(2);
    });

    it('does nothing before the first sig exists', () => {
      const { cache, signed, reasons } = setup();
      cache.invalidate('sig-1');
      expect(signed).toHaveLength(0);
      expect(cache.get()).toBe('sig-1');
      expect(reasons).toEqual(['initial']);
    });

    it('reports a later scheduled renewal as expiring again', () => {
      const { cache, clock, reasons } = setup();
      cache.invalidate(cache.get());
      cache.get();
      clock.t += HALF;
      cache.get();
      expect(reasons).toEqual(['initial', 'invalidated', 'expiring']);
    });

    it('schedules the next renewal from the moment of regeneration', () => {
      const { cache, clock } = setup();
      cache.get();
      clock.t += 12_345;
      cache.invalidate('sig-1');
      cache.get();
      expect(cache.renewsAt()).toBe(clock.t + HALF);
    });
  });
});
