import { parseJsonLosslessly } from './lossless-json.js';

/** Tencent's answer envelope: HTTP 200 for every business result, the result itself in ErrorCode. */
export interface TencentEnvelope {
  ActionStatus?: string;
  ErrorCode: number;
  ErrorInfo?: string;
  RequestId?: string;
  [field: string]: unknown;
}

/**
 * Parses an upstream body; undefined when it is not a JSON object with an integer ErrorCode. Integers beyond
 * 2^53 (account IDs in some answers) come out as their exact digits, never rounded.
 */
export function parseEnvelope(text: string): TencentEnvelope | undefined {
  let value: unknown;
  try {
    value = parseJsonLosslessly(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const env = value as Record<string, unknown>;
  if (!Number.isInteger(env.ErrorCode)) return undefined;
  if (env.RequestId !== undefined && typeof env.RequestId !== 'string') return undefined;
  if (env.ErrorInfo !== undefined && typeof env.ErrorInfo !== 'string') return undefined;
  return env as TencentEnvelope;
}
