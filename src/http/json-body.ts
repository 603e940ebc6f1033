import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { describeJsonError, RequestValidationError } from './validation.js';

/**
 * JSON media types (`application/json`, `application/merge-patch+json`, …) as Fastify hands them to a parser:
 * lower-cased, parameters normalized to `; name="value"`. Parameters are allowed, since many HTTP clients add
 * `charset=utf-8` by default, but a charset can only be UTF-8: JSON has no other encoding (RFC 8259).
 */
const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json(; (?!charset=)[^=;]+="[^"]*"|; charset="utf-8")*$/i;

/**
 * Only JSON is accepted (any other type is a 415). The parser is ours so that a broken body gets a message
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
}
