import { describe, expect, it } from 'vitest';
import { ExpectedError } from './expected-error.js';
import { ProblemError } from './problems/problem.js';
import { TransportError } from './tencent/errors.js';

describe('ExpectedError', () => {
  it('is an Error with its message and name, but no stack frames', () => {
    const err = new TransportError('create_room', 'timeout', 'no complete answer within 400 ms', 1);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(ExpectedError);
    expect(err.message).toMatch(/create_room: timeout/);
    expect(err.stack).not.toMatch(/\n\s+at /);
    expect(new ProblemError('unauthorized', 'no key').stack).not.toMatch(/\n\s+at /);
  });

  it('leaves stack traces of every other error as they were', () => {
    const before = Error.stackTraceLimit;
    new ExpectedError('x');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('ordinary').stack).toMatch(/\n\s+at /);
  });
});
