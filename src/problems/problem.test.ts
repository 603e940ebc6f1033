import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES, type ProblemSlug } from './catalog.js';
import { buildProblem, fillProblemTemplate, type ProblemExtras, problemTemplate } from './problem.js';

const slugs = Object.keys(PROBLEM_TYPES) as ProblemSlug[];

const extras: fc.Arbitrary<ProblemExtras> = fc.oneof(
  fc.constant({}),
  fc.record({ limit: fc.constantFrom<'global' | 'room'>('global', 'room') }),
  fc.record({ errors: fc.array(fc.record({ path: fc.string(), message: fc.string() }), { maxLength: 3 }) }),
  fc.record({
    upstream: fc.record(
      {
        errorCode: fc.integer(),
        errorInfo: fc.string(),
        requestId: fc.option(fc.string(), { nil: undefined }),
      },
      { requiredKeys: ['errorCode', 'errorInfo'] },
    ),
  }),
);

describe('problemTemplate', () => {
  it('fills in to exactly the JSON of the problem buildProblem makes, for any problem', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...slugs),
        fc.string(),
        extras,
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (slug, detail, members, requestId, instance) => {
          const filled = fillProblemTemplate(problemTemplate(slug, detail, members), requestId, instance);
          expect(filled).toBe(JSON.stringify(buildProblem(slug, detail, requestId, instance, members)));
        },
      ),
    );
  });

  it('escapes what the request brings, as JSON does', () => {
    const template = problemTemplate('rate-limited', 'Not sent.', { limit: 'global' });
    const body = JSON.parse(fillProblemTemplate(template, 'a"b\\c', '/rooms/"x"\n'));
    expect(body).toEqual({
      type: '/problems/rate-limited',
      title: PROBLEM_TYPES['rate-limited'].title,
      status: 429,
      detail: 'Not sent.',
      requestId: 'a"b\\c',
      instance: '/rooms/"x"\n',
      limit: 'global',
    });
  });
});
