import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { Api } from 'tls-sig-api-v2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signUserSig, userSigHmac, verifyUserSig } from './usersig.js';

const APP = 1400000001;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const ADMIN = 'administrator';

/** Decodes a UserSig by the documented steps, independently of the code under test. */
function decodeDoc(sig: string): Record<string, unknown> {
  const b64 = sig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
  return JSON.parse(inflateSync(Buffer.from(b64, 'base64')).toString('utf8'));
}

/** Encodes a document by the documented steps (zlib, base64, `+/=` → `*-_`). */
function encodeDoc(doc: unknown): string {
  return deflateSync(Buffer.from(JSON.stringify(doc)))
    .toString('base64')
    .replace(/\+/g, '*')
    .replace(/\//g, '-')
    .replace(/=/g, '_');
}

/** HMAC-SHA256 over the documented string to sign, written out here rather than imported. */
function documentedHmac(
  key: string,
  identifier: string,
  sdkAppId: number,
  time: number,
  expire: number,
  userbuf?: string,
): string {
  let content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  if (userbuf !== undefined) content += `TLS.userbuf:${userbuf}\n`;
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(content, 'utf8').digest('base64');
}

const sign = (expireSeconds = 86400) =>
  signUserSig({ sdkAppId: APP, secretKey: KEY, identifier: ADMIN, expireSeconds });

const verifyOpts = (nowSeconds: number) => ({ sdkAppId: APP, secretKey: KEY, identifier: ADMIN, nowSeconds });

const nowSeconds = () => Math.floor(Date.now() / 1000);

afterEach(() => {
  vi.useRealTimers();
});

describe('signUserSig', () => {
  it('produces a sig that verifies with the same key, app and identifier', () => {
    const sig = sign();
    const result = verifyUserSig(sig, verifyOpts(nowSeconds()));
    expect(result.ok).toBe(true);
  });

  it('uses only the base64url alphabet of TLSSigAPIv2', () => {
    expect(sign()).toMatch(/^[A-Za-z0-9*_-]+$/);
  });

  it('encodes a version 2.0 document with a numeric sdkappid and the given validity', () => {
    vi.useFakeTimers({ now: new Date('2030-01-02T03:04:05.678Z'), toFake: ['Date'] });
    const doc = decodeDoc(sign(3600));
    expect(doc).toEqual({
      'TLS.ver': '2.0',
      'TLS.identifier': ADMIN,
      'TLS.sdkappid': APP,
      'TLS.time': Math.floor(Date.parse('2030-01-02T03:04:05.678Z') / 1000),
      'TLS.expire': 3600,
      'TLS.sig': expect.any(String),
    });
    expect(typeof doc['TLS.sdkappid']).toBe('number');
  });

  it('signs the documented string with HMAC-SHA256 keyed by the secret key', () => {
    const doc = decodeDoc(sign(7200));
    const expected = documentedHmac(
      KEY,
      doc['TLS.identifier'] as string,
      doc['TLS.sdkappid'] as number,
      doc['TLS.time'] as number,
      doc['TLS.expire'] as number,
    );
    expect(doc['TLS.sig']).toBe(expected);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses expireSeconds %s', (expireSeconds) => {
    expect(() => signUserSig({ sdkAppId: APP, secretKey: KEY, identifier: ADMIN, expireSeconds })).toThrow(
      RangeError,
    );
  });
});

describe('userSigHmac', () => {
  it('matches an HMAC computed by hand over the documented string', () => {
    const doc = {
      'TLS.identifier': 'user_1',
      'TLS.sdkappid': APP,
      'TLS.time': 1700000000,
      'TLS.expire': 86400,
    };
    expect(userSigHmac(doc, KEY)).toBe(documentedHmac(KEY, 'user_1', APP, 1700000000, 86400));
  });

  it('adds the userbuf line when the document has one', () => {
    const doc = {
      'TLS.identifier': 'user_1',
      'TLS.sdkappid': APP,
      'TLS.time': 1700000000,
      'TLS.expire': 300,
      'TLS.userbuf': 'AAECAw==',
    };
    expect(userSigHmac(doc, KEY)).toBe(documentedHmac(KEY, 'user_1', APP, 1700000000, 300, 'AAECAw=='));
    expect(userSigHmac(doc, KEY)).not.toBe(documentedHmac(KEY, 'user_1', APP, 1700000000, 300));
  });

  it('depends on the key', () => {
    const doc = {
      'TLS.identifier': 'user_1',
      'TLS.sdkappid': APP,
      'TLS.time': 1700000000,
      'TLS.expire': 86400,
    };
    expect(userSigHmac(doc, KEY)).not.toBe(userSigHmac(doc, `${KEY}x`));
  });
});

describe('verifyUserSig', () => {
  it('answers the document and when it expires', () => {
    const sig = sign(3600);
    const doc = decodeDoc(sig);
    const result = verifyUserSig(sig, verifyOpts(nowSeconds()));
    expect(result).toEqual({ ok: true, doc, expiresAt: (doc['TLS.time'] as number) + 3600 });
  });

  it('accepts a sig made by the library with a userbuf (PrivateMapKey)', () => {
    const sig = new Api(APP, KEY).genSig(ADMIN, 300, Buffer.from([1, 2, 3, 4]));
    expect(decodeDoc(sig)['TLS.userbuf']).toBe('AQIDBA==');
    expect(verifyUserSig(sig, verifyOpts(nowSeconds())).ok).toBe(true);
  });

  it('accepts a document signed by hand following the documented algorithm', () => {
    const doc = {
      'TLS.ver': '2.0',
      'TLS.identifier': ADMIN,
      'TLS.sdkappid': APP,
      'TLS.time': 1700000000,
      'TLS.expire': 600,
      'TLS.sig': documentedHmac(KEY, ADMIN, APP, 1700000000, 600),
    };
    expect(verifyUserSig(encodeDoc(doc), verifyOpts(1700000100))).toEqual({
      ok: true,
      doc,
      expiresAt: 1700000600,
    });
  });

  it('answers 70009 for a sig signed with another key', () => {
    const sig = signUserSig({
      sdkAppId: APP,
      secretKey: 'another-key',
      identifier: ADMIN,
      expireSeconds: 86400,
    });
    expect(verifyUserSig(sig, verifyOpts(nowSeconds()))).toMatchObject({ ok: false, code: 70009 });
  });

  it('answers 70009 when verified with another key', () => {
    expect(verifyUserSig(sign(), { ...verifyOpts(nowSeconds()), secretKey: `${KEY}0` })).toMatchObject({
      ok: false,
      code: 70009,
    });
  });

  it('answers 70013 when the identifier differs', () => {
    expect(verifyUserSig(sign(), { ...verifyOpts(nowSeconds()), identifier: 'admin' })).toMatchObject({
      ok: false,
      code: 70013,
    });
  });

  it('answers 70014 when the sdkappid differs', () => {
    expect(verifyUserSig(sign(), { ...verifyOpts(nowSeconds()), sdkAppId: APP + 1 })).toMatchObject({
      ok: false,
      code: 70014,
    });
  });

  it('answers 70001 one second after time + expire', () => {
    const sig = sign(600);
    const time = decodeDoc(sig)['TLS.time'] as number;
    expect(verifyUserSig(sig, verifyOpts(time + 601))).toMatchObject({ ok: false, code: 70001 });
    expect(verifyUserSig(sig, verifyOpts(time + 10 * 86400))).toMatchObject({ ok: false, code: 70001 });
  });

  it('still accepts the sig exactly at time + expire', () => {
    const sig = sign(600);
    const time = decodeDoc(sig)['TLS.time'] as number;
    expect(verifyUserSig(sig, verifyOpts(time + 600))).toMatchObject({ ok: true, expiresAt: time + 600 });
  });

  describe('with a tampered sig', () => {
    it('answers 70003 or 70009 for any single changed character unless the document it carries is unchanged', () => {
      // zlib ignores the spare bits that pad deflate's last byte, as Tencent's server (zlib uncompress) does, so a
      // change there yields the very token that was signed. Signing times are fixed so both cases are met each run.
      let sameDocument = 0;
      for (let second = 0; second < 24; second++) {
        vi.useFakeTimers({ now: (1_900_000_000 + second) * 1000, toFake: ['Date'] });
        const sig = sign();
        for (let i = 0; i < sig.length; i++) {
          const replacement = sig[i] === 'A' ? 'B' : 'A';
          const tampered = sig.slice(0, i) + replacement + sig.slice(i + 1);
          const result = verifyUserSig(tampered, verifyOpts(nowSeconds()));
          if (result.ok) {
            expect(decodeDoc(tampered), `second ${second}, character ${i}`).toEqual(decodeDoc(sig));
            sameDocument++;
          } else {
            expect(result.code, `second ${second}, character ${i}`).toSatisfy(
              (code) => code === 70003 || code === 70009,
            );
          }
        }
      }
      expect(sameDocument).toBeGreaterThan(0);
    });

    it.each([
      ['a character appended', (sig: string) => `${sig}x`],
      ['a whole base64 group appended', (sig: string) => `${sig}AAAA`],
      ['a second copy glued on', (sig: string) => sig + sig],
      ['its padding removed', (sig: string) => sig.replace(/_+$/, '')],
      ['padding added', (sig: string) => `${sig}__`],
    ])('answers 70003 for a valid sig with %s', (_what, change) => {
      // The sig's length depends on how its document compresses; the first expire whose sig is padded.
      const sig = [...Array(64).keys()].map((i) => sign(86400 + i)).find((s) => s.endsWith('_')) as string;
      expect(verifyUserSig(sig, verifyOpts(nowSeconds())).ok).toBe(true);
      expect(verifyUserSig(change(sig), verifyOpts(nowSeconds()))).toMatchObject({ ok: false, code: 70003 });
    });

    it('answers 70003 for zlib data with bytes after the end of its stream', () => {
      const doc = decodeDoc(sign());
      const glued = Buffer.concat([deflateSync(JSON.stringify(doc)), Buffer.from([0, 0, 0])]);
      const sig = glued.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
      expect(verifyUserSig(sig, verifyOpts(nowSeconds()))).toMatchObject({ ok: false, code: 70003 });
    });

    it.each([
      ['a longer expire', { 'TLS.expire': 10 * 365 * 86400 }],
      ['an earlier time', { 'TLS.time': 1 }],
      ['another identifier', { 'TLS.identifier': 'intruder' }],
      ['another sdkappid', { 'TLS.sdkappid': APP + 1 }],
    ])('answers 70009 for a re-encoded document with %s', (_what, change) => {
      const doc = { ...decodeDoc(sign()), ...change };
      expect(verifyUserSig(encodeDoc(doc), verifyOpts(nowSeconds()))).toMatchObject({
        ok: false,
        code: 70009,
      });
    });

    it('answers 70009 for a userbuf added to a sig without one', () => {
      const doc = { ...decodeDoc(sign()), 'TLS.userbuf': 'AAAA' };
      expect(verifyUserSig(encodeDoc(doc), verifyOpts(nowSeconds()))).toMatchObject({
        ok: false,
        code: 70009,
      });
    });
  });

  describe('with input that is not a UserSig', () => {
    const valid = () => decodeDoc(sign());
    it.each([
      ['empty', ''],
      ['not base64url', 'hello world!'],
      ['standard base64 characters', 'eJyrVkpUsjI0MDAw+/='],
      ['base64url that is not zlib', 'SGVsbG8gd29ybGQ_'],
      ['zlib of text that is not JSON', deflateSync('not json').toString('base64').replace(/=/g, '_')],
      ['zlib of a JSON number', encodeDoc(42)],
      ['zlib of JSON null', encodeDoc(null)],
      ['zlib of a JSON array', encodeDoc([1, 2])],
    ])('answers 70003 for %s', (_what, input) => {
      expect(verifyUserSig(input, verifyOpts(nowSeconds()))).toMatchObject({ ok: false, code: 70003 });
    });

    it.each([
      ['a version other than 2.0', { 'TLS.ver': '1.0' }],
      ['a string sdkappid', { 'TLS.sdkappid': String(APP) }],
      ['a fractional time', { 'TLS.time': 1.5 }],
      ['a string expire', { 'TLS.expire': '86400' }],
      ['a numeric identifier', { 'TLS.identifier': 12345 }],
      ['a missing sig', { 'TLS.sig': undefined }],
      ['a numeric userbuf', { 'TLS.userbuf': 7 }],
    ])('answers 70003 for a document with %s', (_what, change) => {
      const doc = { ...valid(), ...change };
      expect(verifyUserSig(encodeDoc(doc), verifyOpts(nowSeconds()))).toMatchObject({
        ok: false,
        code: 70003,
      });
    });
  });
});
