import { TENCENT } from '../tencent/codes.js';

export interface ProblemType {
  status: number;
  title: string;
  /** What it means and what the caller should do; served at GET /problems/{slug}. */
  description: string;
}

/** Every problem type a caller can see. The slug is the last part of `type` (`/problems/{slug}`). */
export const PROBLEM_TYPES = {
  'validation-failed': {
    status: 400,
    title: 'Request validation failed',
    description:
      'The request was rejected before anything was sent to Tencent: the body is not JSON, not an object, or breaks a rule of the schema. `errors` lists each offending field by its dotted path (`RoomInfo.RoomName`; `""` for the body as a whole) with a message. Fix the request; retrying it unchanged fails again.',
  },
  'invalid-parameters': {
    status: 400,
    title: 'Tencent rejected the parameters',
    description:
      "Tencent answered 100002: it found the request's parameters invalid although they passed the gateway's own checks. `upstream.errorInfo` says which; fix the request.",
  },
  unauthorized: {
    status: 401,
    title: 'Missing or unknown API key',
    description:
      'The request has no `Authorization: Bearer <secret>` header, or the secret is not one of the keys configured in ROOMGATE_API_KEYS. Ask the gateway operator for a key.',
  },
  'not-found': {
    status: 404,
    title: 'No such route',
    description: 'No route has this path. See /docs for the routes roomgate serves.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    description:
      'The path exists but does not take this method (`PUT /rooms/{roomId}`, say, where rooms are changed with PATCH). The `Allow` header lists the methods it takes.',
  },
  'room-not-found': {
    status: 404,
    title: 'Room not found',
    description:
      'Tencent answered 100004: the room does not exist (never created, dismissed, or dismissed automatically).',
  },
  'room-id-taken': {
    status: 409,
    title: 'Room ID already exists',
    description:
      'Tencent answered 100003: a room with this RoomId exists and belongs to another owner. Choose a different RoomId. (When the owner is the same, Tencent answers 100010 and roomgate answers 200 with `created: false`.)',
  },
  'room-id-reserved-by-chat': {
    status: 409,
    title: 'Room ID is used by Chat',
    description:
      'Tencent answered 100011: the RoomId is occupied by a Chat group of the same application. Use another RoomId.',
  },
  'payload-too-large': {
    status: 413,
    title: 'Request body too large',
    description:
      'The request body is larger than the gateway accepts (16 KiB). Room requests are far smaller.',
  },
  'malformed-request': {
    status: 400,
    title: 'Request is not valid HTTP',
    description:
      'The gateway could not read the request as HTTP/1.1: a malformed request line, header or chunk, or a message that gives both Content-Length and Transfer-Encoding. Nothing was sent to Tencent, and the connection is closed. The client or a proxy on the way is at fault; the same request fails again.',
  },
  'request-timeout': {
    status: 408,
    title: 'Request not received in time',
    description:
      'The request did not arrive in full in time: its headers within 10 s, or all of it within 15 s. Nothing was sent to Tencent, and the connection is closed. Send the request again at once; a client that writes its body slowly, or not at all after its headers, is the usual cause.',
  },
  'headers-too-large': {
    status: 431,
    title: 'Request headers too large',
    description:
      "The request's headers are larger than the 16 KiB the gateway reads. Nothing was sent to Tencent, and the connection is closed. Room requests need a few hundred bytes of headers: look for an oversized cookie or token.",
  },
  'sensitive-content': {
    status: 422,
    title: 'Sensitive content',
    description:
      'Tencent answered 100026 (or 80001): the room name or other information contains content its security check blocks. Change the text.',
  },
  'rate-limited': {
    status: 429,
    title: 'Rate limit exceeded',
    description:
      "The gateway refused to send the request so that Tencent's limits are never exceeded: `limit` is `global` (the command's requests per second, shared by every replica) or `room` (the same RoomId at most once per second). Nothing was sent. Retry after the number of seconds in `Retry-After`. While the gateway sheds sustained overload, requests are refused on arrival, before their body is read: an invalid body then gets its `validation-failed` on the retry.",
  },
  'upstream-rate-limited': {
    status: 429,
    title: 'Tencent rate limit exceeded',
    description:
      'Tencent itself refused the request as too frequent (100012, 60007, 60011, 60018, 60019), for instance because another client of the same SDKAppID calls it too. Retry after `Retry-After`.',
  },
  'internal-error': {
    status: 500,
    title: 'Internal error',
    description:
      'The gateway failed unexpectedly. The problem is logged with the request ID; report it to the operator.',
  },
  'upstream-unavailable': {
    status: 503,
    title: 'Upstream unavailable',
    description:
      'Tencent has been failing (timeouts, connection errors, error pages) so the gateway stopped sending for a short cool-down instead of piling up requests that would fail too: the circuit breaker is open. Nothing was sent. Retry after `Retry-After`; one probe request goes through after the cool-down, and when it succeeds traffic flows again.',
  },
  'upstream-failure': {
    status: 502,
    title: 'Upstream failure',
    description:
      'Tencent failed, refused the gateway itself (signature, account, package, IP allow-list), answered with an unknown code, or did not answer with its JSON envelope. When Tencent answered, `upstream` carries its ErrorCode, ErrorInfo and RequestId; quote the RequestId to Tencent support.',
  },
  'upstream-timeout': {
    status: 504,
    title: 'Upstream timeout',
    description:
      'Tencent gave no answer within the deadline. The room may or may not have been created: repeating the same request is safe, since the same RoomId and owner answers 200 with `created: false`.',
  },
} as const satisfies Record<string, ProblemType>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export interface TencentCodeEntry {
  slug: ProblemSlug;
  meaning: string;
  /** Transient on Tencent's side: repeating the same request may succeed. */
  retryable: boolean;
  /** For failures only the operator can fix: what to check. */
  operatorHint?: string;
}

const CREDENTIALS = 'check TENCENT_SECRET_KEY, TENCENT_SDKAPPID and TENCENT_ADMIN_ID';
const DATA_CENTER = 'check TENCENT_REGION: the SDKAppID is probably in another data center';

/** Every Tencent code documented for the room APIs, with what the caller sees for it. */
export const TENCENT_CODES: Record<number, TencentCodeEntry> = {
  [TENCENT.HTTP_PARSE_ERROR]: {
    slug: 'upstream-failure',
    meaning: 'HTTP parse error (URL format)',
    retryable: false,
  },
  [TENCENT.REQUEST_JSON_PARSE_ERROR]: {
    slug: 'upstream-failure',
    meaning: 'request JSON parse error',
    retryable: false,
  },
  [TENCENT.ACCOUNT_OR_SIG_ERROR_URL]: {
    slug: 'upstream-failure',
    meaning: 'account or signature error in the URL',
    retryable: false,
    operatorHint: CREDENTIALS,
  },
  [TENCENT.ACCOUNT_OR_SIG_ERROR_BODY]: {
    slug: 'upstream-failure',
    meaning: 'account or signature error in the body',
    retryable: false,
    operatorHint: CREDENTIALS,
  },
  [TENCENT.SDKAPPID_INVALID]: {
    slug: 'upstream-failure',
    meaning: 'SDKAppID invalid',
    retryable: false,
    operatorHint: 'check TENCENT_SDKAPPID',
  },
  [TENCENT.API_FREQUENCY_LIMIT]: {
    slug: 'upstream-rate-limited',
    meaning: 'API call frequency over the limit',
    retryable: true,
  },
  [TENCENT.SERVICE_TIMEOUT]: {
    slug: 'upstream-failure',
    meaning: 'service timeout or bad HTTP format',
    retryable: true,
  },
  [TENCENT.BAD_REQUEST_RESOURCE]: {
    slug: 'upstream-failure',
    meaning: 'bad request resource or URL',
    retryable: false,
  },
  [TENCENT.ADMIN_REQUIRED]: {
    slug: 'upstream-failure',
    meaning: 'requires an app administrator',
    retryable: false,
    operatorHint: 'TENCENT_ADMIN_ID must be an app administrator account',
  },
  [TENCENT.SDKAPPID_FREQUENCY_LIMIT]: {
    slug: 'upstream-rate-limited',
    meaning: 'SDKAppID frequency over the limit',
    retryable: true,
  },
  [TENCENT.SDKAPPID_MISSING]: { slug: 'upstream-failure', meaning: 'missing SDKAppID', retryable: false },
  [TENCENT.RESPONSE_JSON_PARSE_ERROR]: {
    slug: 'upstream-failure',
    meaning: 'response JSON parse error',
    retryable: true,
  },
  [TENCENT.ACCOUNT_EXCHANGE_TIMEOUT]: {
    slug: 'upstream-failure',
    meaning: 'account exchange timeout',
    retryable: true,
  },
  [TENCENT.ACCOUNT_NOT_STRING]: {
    slug: 'upstream-failure',
    meaning: 'account in body must be a string',
    retryable: false,
  },
  [TENCENT.SDKAPPID_DISABLED]: {
    slug: 'upstream-failure',
    meaning: 'SDKAppID disabled',
    retryable: false,
    operatorHint: 'the application is disabled in the Tencent RTC console',
  },
  [TENCENT.REQUEST_DISABLED]: { slug: 'upstream-failure', meaning: 'request disabled', retryable: false },
  [TENCENT.TOO_FREQUENT]: {
    slug: 'upstream-rate-limited',
    meaning: 'too frequent, retry later',
    retryable: true,
  },
  [TENCENT.TOO_FREQUENT_2]: {
    slug: 'upstream-rate-limited',
    meaning: 'too frequent, retry later',
    retryable: true,
  },
  [TENCENT.PACKAGE_EXPIRED]: {
    slug: 'upstream-failure',
    meaning: 'package expired',
    retryable: false,
    operatorHint: 'renew the package in the console (it recovers about 5 minutes after renewal)',
  },
  [TENCENT.IP_NOT_ALLOWED]: {
    slug: 'upstream-failure',
    meaning: 'caller IP not allowed',
    retryable: false,
    operatorHint: "add the gateway's egress IP to the application's IP allow-list",
  },
  [TENCENT.USERSIG_EXPIRED]: {
    slug: 'upstream-failure',
    meaning: 'UserSig expired',
    retryable: false,
    operatorHint: 'a fresh UserSig was rejected as expired too: check the clock of the gateway host',
  },
  [TENCENT.USERSIG_UNPARSABLE]: {
    slug: 'upstream-failure',
    meaning: 'UserSig cannot be parsed',
    retryable: false,
    operatorHint: CREDENTIALS,
  },
  [TENCENT.USERSIG_VERIFY_FAILED]: {
    slug: 'upstream-failure',
    meaning: 'UserSig verification failed',
    retryable: false,
    operatorHint:
      'check TENCENT_SECRET_KEY: the UserSig was signed with a key Tencent does not have for this app',
  },
  [TENCENT.IDENTIFIER_MISMATCH]: {
    slug: 'upstream-failure',
    meaning: 'identifier differs from the UserSig',
    retryable: false,
    operatorHint: 'check TENCENT_ADMIN_ID',
  },
  [TENCENT.SDKAPPID_MISMATCH]: {
    slug: 'upstream-failure',
    meaning: 'SDKAppID differs from the UserSig',
    retryable: false,
    operatorHint: 'check TENCENT_SDKAPPID',
  },
  [TENCENT.KEY_NOT_FOUND]: {
    slug: 'upstream-failure',
    meaning: 'key not found',
    retryable: false,
    operatorHint: DATA_CENTER,
  },
  [TENCENT.SDKAPPID_NOT_FOUND]: {
    slug: 'upstream-failure',
    meaning: 'SDKAppID not found',
    retryable: false,
    operatorHint: DATA_CENTER,
  },
  [TENCENT.VERIFY_TOO_OFTEN]: {
    slug: 'upstream-failure',
    meaning: 'verification failed too often; retry after 1 minute',
    retryable: false,
    operatorHint: CREDENTIALS,
  },
  [TENCENT.ACCOUNT_BLACKLISTED]: {
    slug: 'upstream-failure',
    meaning: 'account blacklisted',
    retryable: false,
    operatorHint: 'check TENCENT_ADMIN_ID',
  },
  [TENCENT.ACCOUNT_NOT_IMPORTED]: {
    slug: 'upstream-failure',
    meaning: 'account not imported',
    retryable: false,
  },
  [TENCENT.CONTENT_BLOCKED]: {
    slug: 'sensitive-content',
    meaning: 'content blocked by the security check',
    retryable: false,
  },
  [TENCENT.INTERNAL_ERROR]: { slug: 'upstream-failure', meaning: 'internal server error', retryable: true },
  [TENCENT.INVALID_PARAMETERS]: {
    slug: 'invalid-parameters',
    meaning: 'invalid request parameters',
    retryable: false,
  },
  [TENCENT.ROOM_ID_TAKEN]: { slug: 'room-id-taken', meaning: 'room ID already exists', retryable: false },
  [TENCENT.ROOM_NOT_FOUND]: { slug: 'room-not-found', meaning: 'room does not exist', retryable: false },
  [TENCENT.NO_PERMISSION]: { slug: 'upstream-failure', meaning: 'no permission', retryable: false },
  [TENCENT.NO_PAYMENT]: {
    slug: 'upstream-failure',
    meaning: 'no payment information',
    retryable: false,
    operatorHint: 'purchase a Live package for the application in the console',
  },
  [TENCENT.ROOM_EXISTS_SAME_OWNER]: {
    slug: 'room-id-taken',
    meaning: 'room ID already exists with the same owner (create_room answers 200 created:false)',
    retryable: false,
  },
  [TENCENT.ROOM_ID_USED_BY_CHAT]: {
    slug: 'room-id-reserved-by-chat',
    meaning: 'room ID occupied by Chat',
    retryable: false,
  },
  [TENCENT.ROOM_CREATE_TOO_FREQUENT]: {
    slug: 'upstream-rate-limited',
    meaning: 'the same room ID created more than once per second',
    retryable: true,
  },
  [TENCENT.SENSITIVE_CONTENT]: { slug: 'sensitive-content', meaning: 'sensitive content', retryable: false },
};

/** Codes Tencent does not document for these APIs: a 502 that still carries the code. */
export const UNKNOWN_CODE: TencentCodeEntry = {
  slug: 'upstream-failure',
  meaning: 'undocumented error code',
  retryable: false,
};

export function tencentCodeEntry(code: number): TencentCodeEntry {
  return TENCENT_CODES[code] ?? UNKNOWN_CODE;
}
