import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { describeJsonError, RequestValidationError } from './validation.js';

/**
 * JSON media types (`application/json`, `application/merge-patch+json`, …) as Fastify hands them to a parser:
 * lower-cased, parameters normalized to `; name="value"`. Parameters are allowed, since many HTTP clients add
 * `charset=utf-8` by default, but a charset can only be UTF-8: JSON has no other encoding (RFC 8259).
 */
const JSON_TYPE = String.raw`application\/([\w.+-]+\+)?json`;
const JSON_MEDIA_TYPE = new RegExp(`^${JSON_TYPE}(; (?!charset=)[^=;]+="[^"]*"|; charset="utf-8")*$`, 'i');
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
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(
        new RequestValidationError([
          { path: '', message: 'the body is not valid UTF-8; send JSON as UTF-8' },
        ]),
        undefined,
      );
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
      done(new RequestValidationError([{ path: '', message }]), undefined);
      return;
    }
    done(null, value);
  });
  // Read like JSON, under the same body limit, so that the connection stays usable for the next request.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    const message = notJsonMessage(request.headers['content-type']);
    done(new RequestValidationError([{ path: '', message }]), undefined);
  });
}

/** Why a body that is not labelled as UTF-8 JSON was not read, in the caller's terms. */
function notJsonMessage(contentType: string | undefined): string {
  const fix = 'send JSON with Content-Type: application/json';
  if (contentType === undefined || contentType.trim() === '') return `the body has no Content-Type; ${fix}`;
  const mediaType = (contentType.split(';')[0] ?? '').trim().slice(0, 64);
  if (JSON_TYPE_ALONE.test(mediaType)) return `JSON must be UTF-8, with no other charset; ${fix}`;
  return `the body is ${JSON.stringify(mediaType)}, not JSON; ${fix}`;
}
