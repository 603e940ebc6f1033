import { ExpectedError } from '../expected-error.js';
import { PROBLEM_TYPES, type ProblemSlug } from './catalog.js';

export interface FieldError {
  /** Dotted path of the offending field (`RoomInfo.RoomName`), a parameter's name, or "" for the whole body. */
  path: string;
  message: string;
}

export interface UpstreamDetails {
  errorCode: number;
  errorInfo: string;
  requestId?: string | undefined;
}

/** An RFC 9457 problem as roomgate sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  instance?: string;
  errors?: FieldError[];
  limit?: 'global' | 'room';
  upstream?: UpstreamDetails;
}

export interface ProblemExtras {
  errors?: FieldError[];
  limit?: 'global' | 'room';
  upstream?: UpstreamDetails;
}

/** Everything an answer with a problem needs besides the request: its type, detail, members and headers. */
export interface ProblemAnswer {
  readonly slug: ProblemSlug;
  readonly detail: string;
  readonly extras: ProblemExtras;
  readonly headers: Record<string, string>;
  /** The body's JSON made ahead, for an answer given to many requests (problemTemplate). */
  readonly template?: ProblemTemplate;
}

/**
 * The JSON of a problem body around its two per-request members, `requestId` and `instance`: the text that
 * JSON.stringify(buildProblem(...)) gives, in the same member order, but for the serialization of those two
 * strings. Made once for an answer that many requests get (a 429 under a flood), where serializing the whole
 * body every time cost about 2.7 µs of a refusal's ~120 (bench/ANALYSIS.md, fourteenth round).
 */
export interface ProblemTemplate {
  /** Everything up to the requestId's value: `{"type":…,"detail":…,"requestId":`. */
  readonly head: string;
  /** Everything after `instance`: the extras' members and the closing brace. */
  readonly tail: string;
}

export function problemTemplate(slug: ProblemSlug, detail: string, extras: ProblemExtras): ProblemTemplate {
  const { status, title } = PROBLEM_TYPES[slug];
  const fixed = JSON.stringify({ type: problemTypeUri(slug), title, status, detail });
  const members = JSON.stringify(extras).slice(1, -1);
  return {
    head: `${fixed.slice(0, -1)},"requestId":`,
    tail: members === '' ? '}' : `,${members}}`,
  };
}

/** A problem body's JSON from its template and the request's two members (as buildProblem leaves out an empty instance). */
export function fillProblemTemplate(
  template: ProblemTemplate,
  requestId: string,
  instance: string | undefined,
): string {
  const at = instance ? `,"instance":${JSON.stringify(instance)}` : '';
  return `${template.head}${JSON.stringify(requestId)}${at}${template.tail}`;
}

/** Thrown anywhere below the routes to answer with a given problem type; the error handler sends it. */
export class ProblemError extends ExpectedError implements ProblemAnswer {
  override name = 'ProblemError';
  constructor(
    readonly slug: ProblemSlug,
    readonly detail: string,
    readonly extras: ProblemExtras = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${slug}: ${detail}`);
  }
}

export function problemTypeUri(slug: ProblemSlug): string {
  return `/problems/${slug}`;
}

export function buildProblem(
  slug: ProblemSlug,
  detail: string,
  requestId: string,
  instance: string | undefined,
  extras: ProblemExtras = {},
): Problem {
  const { status, title } = PROBLEM_TYPES[slug];
  return {
    type: problemTypeUri(slug),
    title,
    status,
    detail,
    requestId,
    ...(instance ? { instance } : {}),
    ...extras,
  };
}
