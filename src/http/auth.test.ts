import { describe, expect, it } from 'vitest';
import { createApiKeyAuth, rememberPerConnection } from './auth.js';

const auth = createApiKeyAuth([
  { name: 'billing', secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0' },
  { name: 'ops', secret: 'ops:with:colons' },
]);

describe('createApiKeyAuth', () => {
  it('answers the name of the key whose secret is presented', () => {
    expect(auth('Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0')).toBe('billing');
    expect(auth('Bearer ops:with:colons')).toBe('ops');
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme spelled %s', (scheme) => {
    expect(auth(`${scheme} 9f8e7d6c5b4a39281706f5e4d3c2b1a0`)).toBe('billing');
  });

  it('tolerates extra spaces around the token', () => {
    expect(auth('Bearer   9f8e7d6c5b4a39281706f5e4d3c2b1a0  ')).toBe('billing');
  });

  it.each([
    ['a wrong secret', 'Bearer 0000000000000000000000000000000'],
    ['a prefix of a secret', 'Bearer 9f8e7d6c5b4a'],
    ['a secret with a character added', 'Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0x'],
    ['a secret in another case', 'Bearer 9F8E7D6C5B4A39281706F5E4D3C2B1A0'],
    ['a key name instead of its secret', 'Bearer billing'],
    ['the name:secret pair', 'Bearer billing:9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['no header', undefined],
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['another scheme', 'Basic 9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['a token scheme', 'Token 9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['the secret without a scheme', '9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['the scheme glued to the secret', 'Bearer9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['two tokens', 'Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0 ops:with:colons'],
    ['a leading space', ' Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
  ])('answers undefined for %s', (_what, header) => {
    expect(auth(header)).toBeUndefined();
  });

  it('answers undefined for everything when no keys are configured', () => {
    const none = createApiKeyAuth([]);
    expect(none('Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0')).toBeUndefined();
    expect(none(undefined)).toBeUndefined();
  });

  it('resolves each of many keys to its own name', () => {
    const keys = Array.from({ length: 20 }, (_, i) => ({
      name: `caller-${i}`,
      secret: `secret-${i}-${'x'.repeat(i)}`,
    }));
    const many = createApiKeyAuth(keys);
    for (const key of keys) expect(many(`Bearer ${key.secret}`)).toBe(key.name);
  });
});

describe('rememberPerConnection', () => {
  const counting = () => {
    const calls: (string | undefined)[] = [];
    const remembered = rememberPerConnection((header) => {
      calls.push(header);
      return auth(header);
    });
    return { calls, remembered };
  };
  const good = 'Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0';

  it('checks a connection’s header once, then answers from memory for the same header', () => {
    const { calls, remembered } = counting();
    const connection = {};
    expect(remembered(good, connection)).toBe('billing');
    expect(remembered(good, connection)).toBe('billing');
    expect(calls).toEqual([good]);
  });

  it('checks any other header in full, on the same connection too', () => {
    const { calls, remembered } = counting();
    const connection = {};
    expect(remembered(good, connection)).toBe('billing');
    expect(remembered('Bearer ops:with:colons', connection)).toBe('ops');
    expect(remembered('Bearer wrong', connection)).toBeUndefined();
    expect(remembered(undefined, connection)).toBeUndefined();
    expect(calls).toEqual([good, 'Bearer ops:with:colons', 'Bearer wrong', undefined]);
  });

  it('does not remember failures, nor share a connection’s memory with another', () => {
    const { calls, remembered } = counting();
    const a = {};
    const b = {};
    expect(remembered('Bearer wrong', a)).toBeUndefined();
    expect(remembered('Bearer wrong', a)).toBeUndefined();
    expect(remembered(good, a)).toBe('billing');
    expect(remembered(good, b)).toBe('billing');
    expect(calls).toEqual(['Bearer wrong', 'Bearer wrong', good, good]);
  });

  it('keeps callers apart on a connection a proxy shares between them', () => {
    const { remembered } = counting();
    const shared = {};
    const ops = 'Bearer ops:with:colons';
    // A forged key of the remembered one's length, differing only in its last character.
    const forged = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    expect(remembered(good, shared)).toBe('billing');
    expect(remembered(ops, shared)).toBe('ops');
    expect(remembered(good, shared)).toBe('billing');
    expect(remembered(forged, shared)).toBeUndefined();
    expect(remembered(good, shared)).toBe('billing');
  });

  it('works without a connection (as under app.inject), checking every time', () => {
    const { calls, remembered } = counting();
    expect(remembered(good, null)).toBe('billing');
    expect(remembered(good, undefined)).toBe('billing');
    expect(calls).toHaveLength(2);
  });
});
