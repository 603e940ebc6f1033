import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths that could ever hold a secret. roomgate never logs these objects on purpose (the upstream URL with its
 * usersig is never logged at all); redaction is the second line of defence, and a test greps real logs.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'secretKey',
  '*.secretKey',
  'tencent.secretKey',
  'config.tencent.secretKey',
  'usersig',
  '*.usersig',
  'userSig',
  '*.userSig',
  'apiKeys',
  '*.apiKeys',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'roomgate' },
  };
  return destination ? pino(options, destination) : pino(options);
}
