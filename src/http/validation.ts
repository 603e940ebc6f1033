import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import type { FieldError } from '../problems/problem.js';

/** A request that breaks the schema; answered as a 400 `validation-failed` problem. */
export class RequestValidationError extends Error {
  override name = 'RequestValidationError';
  readonly statusCode = 400;
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '));
  }
}

function closestKey(unknown: string, known: readonly string[]): string | undefined {
  return known.find((k) => k.toLowerCase() === unknown.toLowerCase());
}

/**
 * zod issues → `{path, message}` with dotted paths. An unknown field is named by its own path, with a hint
 * when it differs from a known field only by case (`Owner_account` for `Owner_Account`).
 */
export function fieldErrors(
  issues: readonly z.core.$ZodIssue[],
  shapeKeys: (path: PropertyKey[]) => string[],
  data?: unknown,
) {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = shapeKeys(issue.path);
      for (const key of issue.keys) {
        const suggestion = closestKey(key, known);
        errors.push({
          path: [...base, key].join('.'),
          message: suggestion ? `unknown field; did you mean "${suggestion}"?` : 'unknown field',
        });
      }
      continue;
    }
    errors.push({
      path: base.join('.'),
      message: isMissing(data, issue.path) ? 'is required' : issue.message,
    });
  }
  return errors;
}

/** True when the field at `path` is absent from an object that is there (a required field left out). */
function isMissing(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = data;
  for (const segment of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[segment];
  }
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return false;
  return (parent as Record<PropertyKey, unknown>)[path[path.length - 1] as PropertyKey] === undefined;
}

/** Known keys of the (strict) object schema at `path`, for "did you mean" hints. */
function keysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    const shape = (current as { shape?: Record<string, unknown> }).shape;
    const next = shape?.[String(segment)] as { unwrap?: () => unknown } | undefined;
    current = next?.unwrap ? next.unwrap() : next;
  }
  const shape = (current as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Validates with the route's zod schema and reports every problem at once, named by path. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    // Fastify hands a request without a body over as null, as it does the JSON `null`: zod's "expected
    // object, received null" would leave a caller who sent nothing guessing.
    if (httpPart === 'body' && (data === null || data === undefined)) {
      const message = 'the body is missing (or null); send a JSON object with Content-Type: application/json';
      return { error: new RequestValidationError([{ path: '', message }]) };
    }
    return {
      error: new RequestValidationError(fieldErrors(result.error.issues, (p) => keysAt(schema, p), data)),
    };
  };

/** A readable reason for a body that is not JSON, with a hint for the documentation's `//` comments. */
export function describeJsonError(text: string, err: unknown): string {
  let reason = err instanceof Error ? err.message : String(err);
  const position = /at position (\d+)/.exec(reason);
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    reason = `${reason}, line ${line} column ${column}`;
  }
  const hint = /(^|[\s,{[])\/\/|\/\*/.test(text)
    ? ' JSON has no comments: remove the // comments copied from the documentation.'
    : '';
  return `the body is not valid JSON (${reason}).${hint}`;
}
