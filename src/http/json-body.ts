import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeJsonError, RequestValidationError } from './validation.js';

/**
 * JSON media types (`application/json`, `application/merge-patch+json`, …) as Fastify hands them to a parser:
 * lower-cased, parameters normalized to `; name="value"`. Parameters are allowed, since many HTTP clients add
 * `charset=utf-8` by default, but a charset can only be UTF-8: JSON has no other encoding (RFC 8259). UTF-8 is
 * known by every name the WHATWG Encoding Standard gives it (`utf8` among them, which some clients send).
 */
const JSON_TYPE = String.raw`application\/([\w.+-]+\+)?json`;
const UTF8_LABELS = 'utf-8|utf8|unicode-1-1-utf-8|unicode11utf8|unicode20utf8|x-unicode20utf8';
const JSON_MEDIA_TYPE = new RegExp(
  `^${JSON_TYPE}(; (?!charset=)[^=;]+="[^"]*"|; charset="(${UTF8_LABELS})")*$`,
  'i',
);
/** The same media types without their parameters, to tell a wrong charset from a type that is not JSON. */
const JSON_TYPE_ALONE = new RegExp(`^${JSON_TYPE}$`, 'i');

/**
 * Only JSON is accepted: a body of any other type is, as the contract puts it, a body that is not JSON, and gets
 * the same 400 validation-failed naming the body as a whole (path ""), with a message that says to label it
 * `application/json`. That is what a caller who forgot the header (curl -d, fetch with a string) needs to hear.
 * The JSON parser is ours so that a broken body gets a message
 * that says what is wrong, including the `//` comments of Tencent's documentation examples. The body is read
 * as bytes and must be UTF-8: decoding it as text would replace a broken sequence with U+FFFD, and a RoomId
 * other than the one sent would be created.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      refuse(request, bytes, done, 'the body is not valid UTF-8; send JSON as UTF-8');
      return;
    }
    const text = bytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // Only a body that failed to parse is looked at twice (an empty one among them).
      const message =
        text.trim() === '' ? 'the body is empty; send a JSON object' : describeJsonError(text, err);
      refuse(request, bytes, done, message);
      return;
    }
    done(null, value);
  });
  // Read like JSON, under the same body limit, so that the connection stays usable for the next request.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    refuse(request, body as Buffer, done, notJsonMessage(request.headers['content-type']));
  });
}

type ParserDone = (err: Error | null, body?: unknown) => void;

/**
 * Answers a body that cannot be read with a 400 naming it, unless the body is no concern of the answer (then it
 * is unused, as one that parses is there). Asked only of a body that failed, so a create pays nothing for it.
 */
function refuse(request: FastifyRequest, bytes: Buffer, done: ParserDone, message: string): void {
  if (isIgnored(request, bytes)) {
    done(null, undefined);
    return;
  }
  // A compressed body fails as bytes that are not UTF-8 or not JSON: the coding is the reason to name.
  const coding = request.headers['content-encoding']?.trim().toLowerCase();
  const reason =
    coding && coding !== 'identity'
      ? `the body is sent with Content-Encoding: ${coding.slice(0, 32)}, which the gateway does not decode; send the JSON uncompressed`
      : message;
  done(new RequestValidationError([{ path: '', message: reason }]), undefined);
}

/**
 * Whether a body is no concern of the answer: no route takes the request (the 404 and 405 answers, which are
 * about its method and path), or it is empty and its route reads none (DELETE). Clients that label every
 * request (a session whose default headers say `Content-Type: application/json`; Python's requests then sends
 * `Content-Length: 0` with a DELETE) would otherwise get a 400 about a body they never sent. A DELETE that does
 * carry a body still gets it judged, as documented.
 */
function isIgnored(request: FastifyRequest, bytes: Buffer): boolean {
  return request.is404 || (bytes.length === 0 && request.routeOptions.schema?.body === undefined);
}

/** Why a body that is not labelled as UTF-8 JSON was not read, in the caller's terms. */
function notJsonMessage(contentType: string | undefined): string {
  const fix = 'send JSON with Content-Type: application/json';
  if (contentType === undefined || contentType.trim() === '') return `the body has no Content-Type; ${fix}`;
  const mediaType = (contentType.split(';')[0] ?? '').trim().slice(0, 64);
  if (JSON_TYPE_ALONE.test(mediaType)) return `JSON must be UTF-8, with no other charset; ${fix}`;
  return `the body is ${JSON.stringify(mediaType)}, not JSON; ${fix}`;
}
