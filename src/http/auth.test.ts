import { describe, expect, it } from 'vitest';
import { createApiKeyAuth } from './auth.js';

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
