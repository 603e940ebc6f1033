import { describe, expect, it } from 'vitest';
import { readSandboxSettings } from './settings.js';

describe('readSandboxSettings', () => {
  it('gives the defaults npm run dev and the README name, an empty variable counting as unset', () => {
    expect(readSandboxSettings({ SANDBOX_HOST: '' })).toEqual({
      ok: true,
      settings: {
        port: 9100,
        host: '127.0.0.1',
        sdkAppId: 1400000000,
        secretKey: 'sandbox-secret-key',
        admin: 'administrator',
      },
    });
  });

  it('takes the gateway’s own application settings', () => {
    const read = readSandboxSettings({
      SANDBOX_PORT: '0',
      SANDBOX_HOST: '0.0.0.0',
      TENCENT_SDKAPPID: '1400000001',
      TENCENT_SECRET_KEY: 'k',
      TENCENT_ADMIN_ID: 'ops',
    });
    expect(read).toEqual({
      ok: true,
      settings: { port: 0, host: '0.0.0.0', sdkAppId: 1400000001, secretKey: 'k', admin: 'ops' },
    });
  });

  it('names every setting it cannot use, instead of listening on NaN', () => {
    expect(readSandboxSettings({ SANDBOX_PORT: '91OO', TENCENT_SDKAPPID: '14e8' })).toEqual({
      ok: false,
      problems: [
        'SANDBOX_PORT must be a port number from 0 to 65535 (got "91OO")',
        'TENCENT_SDKAPPID must be a positive integer (got "14e8")',
      ],
    });
    expect(readSandboxSettings({ SANDBOX_PORT: '65536' }).ok).toBe(false);
    expect(readSandboxSettings({ TENCENT_SDKAPPID: '0' }).ok).toBe(false);
  });
});
