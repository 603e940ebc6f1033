import { createHmac, timingSafeEqual } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { Api } from 'tls-sig-api-v2';
import { TENCENT } from './codes.js';

export interface SignOptions {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  /** Validity in seconds. tls-sig-api-v2 has no default (it would sign `undefined`), so it is required here. */
  expireSeconds: number;
}

/** Generates a UserSig with Tencent's own library. Its `TLS.time` is the library's clock (Date.now). */
export function signUserSig({ sdkAppId, secretKey, identifier, expireSeconds }: SignOptions): string {
  if (!Number.isInteger(expireSeconds) || expireSeconds <= 0) {
    throw new RangeError('expireSeconds must be a positive integer');
  }
  return new Api(sdkAppId, secretKey).genUserSig(identifier, expireSeconds);
}

export interface UserSigDocument {
  'TLS.ver': string;
  'TLS.identifier': string;
  'TLS.sdkappid': number;
  'TLS.time': number;
  'TLS.expire': number;
  'TLS.sig': string;
  'TLS.userbuf'?: string;
}

export type VerifyResult =
  | { ok: true; doc: UserSigDocument; expiresAt: number }
  | { ok: false; code: number; reason: string };

export interface VerifyOptions {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  /** Unix seconds. */
  nowSeconds: number;
}

/** What `inflateSync` answers with `{ info: true }` (Node's types leave it out): `bytesWritten` is the input read. */
interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/** Reverses the `+/=` → `*-_` substitution of TLSSigAPIv2's base64url variant. */
function unescapeBase64(sig: string): string {
  return sig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
}

/**
 * The document inside a UserSig, or undefined when it is not exactly one. Strict, as a verifier must be: Node's
 * base64 decoder skips what it cannot read and zlib stops at the end of its stream, so without the two checks a
 * signature with anything appended (a suffix, a second copy glued on, lost padding) would still verify.
 */
function decode(userSig: string): UserSigDocument | undefined {
  if (!/^[A-Za-z0-9*_-]+$/.test(userSig)) return undefined;
  try {
    const base64 = unescapeBase64(userSig);
    const compressed = Buffer.from(base64, 'base64');
    if (compressed.toString('base64') !== base64) return undefined;
    const { buffer, engine } = inflateSync(compressed, { info: true }) as unknown as InflateInfo;
    if (engine.bytesWritten !== compressed.length) return undefined;
    const doc: unknown = JSON.parse(buffer.toString('utf8'));
    if (typeof doc !== 'object' || doc === null) return undefined;
    const d = doc as Record<string, unknown>;
    const valid =
      d['TLS.ver'] === '2.0' &&
      typeof d['TLS.identifier'] === 'string' &&
      typeof d['TLS.sdkappid'] === 'number' &&
      Number.isSafeInteger(d['TLS.time']) &&
      Number.isSafeInteger(d['TLS.expire']) &&
      typeof d['TLS.sig'] === 'string' &&
      (d['TLS.userbuf'] === undefined || typeof d['TLS.userbuf'] === 'string');
    return valid ? (d as unknown as UserSigDocument) : undefined;
  } catch {
    return undefined;
  }
}

/** The HMAC-SHA256 of the documented string to sign, as standard base64. */
export function userSigHmac(doc: Omit<UserSigDocument, 'TLS.sig' | 'TLS.ver'>, secretKey: string): string {
  let content =
    `TLS.identifier:${doc['TLS.identifier']}\n` +
    `TLS.sdkappid:${doc['TLS.sdkappid']}\n` +
    `TLS.time:${doc['TLS.time']}\n` +
    `TLS.expire:${doc['TLS.expire']}\n`;
  if (doc['TLS.userbuf'] !== undefined) content += `TLS.userbuf:${doc['TLS.userbuf']}\n`;
  return createHmac('sha256', secretKey).update(content, 'utf8').digest('base64');
}

/**
 * Verifies a UserSig the way Tencent's account service does, answering with the Tencent error code it would
 * give. Tencent has no public verify function; this follows the documented algorithm and is what the sandbox
 * uses, so a signature the gateway gets wrong is rejected as Tencent would reject it.
 */
export function verifyUserSig(userSig: string, opts: VerifyOptions): VerifyResult {
  const doc = decode(userSig);
  if (!doc) return { ok: false, code: TENCENT.USERSIG_UNPARSABLE, reason: 'UserSig cannot be decoded' };
  const expected = Buffer.from(userSigHmac(doc, opts.secretKey));
  const actual = Buffer.from(doc['TLS.sig']);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, code: TENCENT.USERSIG_VERIFY_FAILED, reason: 'UserSig signature does not verify' };
  }
  if (doc['TLS.identifier'] !== opts.identifier) {
    return { ok: false, code: TENCENT.IDENTIFIER_MISMATCH, reason: 'identifier differs from the UserSig' };
  }
  if (doc['TLS.sdkappid'] !== opts.sdkAppId) {
    return { ok: false, code: TENCENT.SDKAPPID_MISMATCH, reason: 'sdkappid differs from the UserSig' };
  }
  const expiresAt = doc['TLS.time'] + doc['TLS.expire'];
  if (opts.nowSeconds > expiresAt) {
    return { ok: false, code: TENCENT.USERSIG_EXPIRED, reason: 'UserSig expired' };
  }
  return { ok: true, doc, expiresAt };
}
