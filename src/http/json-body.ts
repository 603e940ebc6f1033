import type { FastifyInstance } from 'fastify';
import { describeJsonError, RequestValidationError } from './validation.js';

/**
 * Only JSON is accepted (any other type is a 415). The parser is ours so that a broken body gets a message
 * that says what is wrong, including the `//` comments of Tencent's documentation examples.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/([\w.+-]+\+)?json$/i,
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = body as string;
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
    },
  );
}
