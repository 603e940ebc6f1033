import { LosslessNumber, parseJsonLosslessly } from './lossless-json.js';

/** Tencent's answer envelope: HTTP 200 for every business result, the result itself in ErrorCode. */
export interface TencentEnvelope {
  ActionStatus?: string;
  ErrorCode: number;
  ErrorInfo?: string;
  RequestId?: string;
  [field: string]: unknown;
}

/**
 * Parses an upstream body; undefined when it is not a JSON object with an integer ErrorCode. With `lossless`, a
 * number that a double would not give back exactly (an account ID or a counter beyond 2^53, an exponent form)
 * comes out as a LosslessNumber holding Tencent's text, never rounded; ErrorCode is a plain number all the same.
 * Without it, plain JSON.parse: for answers of which only ErrorCode, ErrorInfo and RequestId are read
 * (create_room's, the hot path, which then costs no more than JSON.parse).
 */
export function parseEnvelope(text: string, lossless: boolean): TencentEnvelope | undefined {
  let value: unknown;
  try {
    value = lossless ? parseJsonLosslessly(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const env = value as Record<string, unknown>;
  // An ErrorCode written as 0.0 or 1e5 is still the integer JSON.parse would make of it.
  if (env.ErrorCode instanceof LosslessNumber) env.ErrorCode = Number(env.ErrorCode.text);
  if (!Number.isInteger(env.ErrorCode)) return undefined;
  if (env.RequestId !== undefined && typeof env.RequestId !== 'string') return undefined;
  if (env.ErrorInfo !== undefined && typeof env.ErrorInfo !== 'string') return undefined;
  return env as TencentEnvelope;
}
