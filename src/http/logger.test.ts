import { describe, expect, it } from 'vitest';
import { LogCapture } from '../../test/helpers.js';
import { CENSORED, createLogger, SECRET_FIELDS, scrubSecrets } from './logger.js';

describe('scrubSecrets', () => {
  it('returns a line without secret fields as it is, not a copy', () => {
    const line = { method: 'POST', route: '/rooms', status: 201, caller: 'billing', nested: { a: 1 } };
    expect(scrubSecrets(line)).toBe(line);
  });

  it.each([...SECRET_FIELDS])(
    'censors %s at the top and in nested plain objects, without touching the original',
    (field) => {
      const line = {
        [field]: 'S3CRET',
        config: { [field]: 'S3CRET', other: 'kept' },
        req: { headers: { [field]: 'S3CRET', host: 'kept' } },
      };
      const scrubbed = scrubSecrets(line);
      expect(scrubbed).toEqual({
        [field]: CENSORED,
        config: { [field]: CENSORED, other: 'kept' },
        req: { headers: { [field]: CENSORED, host: 'kept' } },
      });
      expect(line[field]).toBe('S3CRET');
      expect(line.config[field]).toBe('S3CRET');
    },
  );

  it('leaves errors and other class instances to their serializers', () => {
    const err = new Error('boom');
    const scrubbed = scrubSecrets({ err });
    expect(scrubbed.err).toBe(err);
  });

  it('censors what a real logger writes, at every level', () => {
    const out = new LogCapture();
    const logger = createLogger('trace', out);
    logger.info({ tencent: { secretKey: 'K3Y' }, authorization: 'Bearer T0KEN' }, 'config');
    logger.child({ requestId: 'r1' }).error({ req: { headers: { authorization: 'Bearer T0KEN' } } }, 'x');
    expect(out.raw).not.toMatch(/K3Y|T0KEN/);
    expect(out.lines[0]).toMatchObject({ tencent: { secretKey: CENSORED }, authorization: CENSORED });
    expect(out.lines[1]).toMatchObject({ requestId: 'r1', req: { headers: { authorization: CENSORED } } });
  });
});
