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
