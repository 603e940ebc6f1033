/** What `npm run sandbox` is started with. */
export interface SandboxSettings {
  port: number;
  host: string;
  sdkAppId: number;
  secretKey: string;
  admin: string;
}

export type SettingsResult = { ok: true; settings: SandboxSettings } | { ok: false; problems: string[] };

/** A whole number in `[min, max]` written in decimal digits, or undefined. */
function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/**
 * Reads the sandbox's settings, with the defaults `npm run dev` and the README give. A typo would otherwise
 * become NaN and a listen on a random port, or an app no gateway's UserSig could match: it stops it at start
 * instead, with one line per problem, as the gateway does.
 */
export function readSandboxSettings(env: Record<string, string | undefined>): SettingsResult {
  const problems: string[] = [];
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const portText = value('SANDBOX_PORT') ?? '9100';
  const port = wholeNumber(portText, 0, 65535);
  if (port === undefined)
    problems.push(`SANDBOX_PORT must be a port number from 0 to 65535 (got "${portText}")`);
  const appText = value('TENCENT_SDKAPPID') ?? '1400000000';
  const sdkAppId = wholeNumber(appText, 1, Number.MAX_SAFE_INTEGER);
  if (sdkAppId === undefined) problems.push(`TENCENT_SDKAPPID must be a positive integer (got "${appText}")`);
  if (port === undefined || sdkAppId === undefined) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      port,
      host: value('SANDBOX_HOST') ?? '127.0.0.1',
      sdkAppId,
      secretKey: value('TENCENT_SECRET_KEY') ?? 'sandbox-secret-key',
      admin: value('TENCENT_ADMIN_ID') ?? 'administrator',
    },
  };
}
