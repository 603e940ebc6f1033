import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LeanCounter, LeanHistogram } from './lean-metrics.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const labelNames = ['route', 'status'] as const;

/** The same metrics twice: lean ones in one registry, prom-client's own in another. */
function pair() {
  const leanRegistry = new Registry();
  const plainRegistry = new Registry();
  const config = { labelNames, help: 'h' };
  return {
    lean: {
      registry: leanRegistry,
      counter: new LeanCounter({ ...config, name: 'c_total', registers: [leanRegistry] }),
      histogram: new LeanHistogram({
        ...config,
        name: 'h_seconds',
        buckets: BUCKETS,
        registers: [leanRegistry],
      }),
    },
    plain: {
      registry: plainRegistry,
      counter: new Counter({ ...config, name: 'c_total', registers: [plainRegistry] }),
      histogram: new Histogram({
        ...config,
        name: 'h_seconds',
        buckets: BUCKETS,
        registers: [plainRegistry],
      }),
    },
  };
}

type Update =
  | { kind: 'inc'; route: string; status: string; by: number }
  | { kind: 'observe'; route: string; status: string; value: number }
  | { kind: 'scrape' };

const label = (values: string[]) => fc.constantFrom(...values);
const update: fc.Arbitrary<Update> = fc.oneof(
  fc.record({
    kind: fc.constant('inc' as const),
    route: label(['/rooms', '/rooms/:roomId', 'unmatched']),
    status: label(['201', '429']),
    by: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 3, noNaN: true })),
  }),
  fc.record({
    kind: fc.constant('observe' as const),
    route: label(['/rooms', '/rooms/:roomId', 'unmatched']),
    status: label(['201', '429']),
    // The bounds themselves (a value equal to a bound belongs to it), zero, and values past the last bound.
    value: fc.oneof(fc.constantFrom(...BUCKETS, 0), fc.double({ min: 0, max: 20, noNaN: true })),
  }),
  fc.record({ kind: fc.constant('scrape' as const) }),
);

describe('lean metrics', () => {
  it("expose exactly prom-client's own text for the same updates, scraped at any point", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(update, { maxLength: 300 }), async (updates) => {
        const { lean, plain } = pair();
        for (const u of updates) {
          if (u.kind === 'inc') {
            lean.counter.inc({ route: u.route, status: u.status }, u.by);
            plain.counter.inc({ route: u.route, status: u.status }, u.by);
          } else if (u.kind === 'observe') {
            lean.histogram.observe({ route: u.route, status: u.status }, u.value);
            plain.histogram.observe({ route: u.route, status: u.status }, u.value);
          } else {
            expect(await lean.registry.metrics()).toBe(await plain.registry.metrics());
          }
        }
        expect(await lean.registry.metrics()).toBe(await plain.registry.metrics());
      }),
      { numRuns: 100 },
    );
  });

  it('are emptied by the registry like prom-client metrics', async () => {
    const { lean, plain } = pair();
    lean.counter.inc({ route: '/rooms', status: '201' });
    lean.histogram.observe({ route: '/rooms', status: '201' }, 0.003);
    lean.registry.resetMetrics();
    expect(await lean.registry.metrics()).toBe(await plain.registry.metrics());
  });

  it("keep their own copy of a series' labels, so a caller reusing its object cannot move counts", async () => {
    const { lean, plain } = pair();
    const labels = { route: '/rooms', status: '201' };
    lean.counter.inc(labels);
    lean.histogram.observe(labels, 0.02);
    plain.counter.inc({ route: '/rooms', status: '201' });
    plain.histogram.observe({ route: '/rooms', status: '201' }, 0.02);
    labels.status = '429';
    lean.counter.inc(labels);
    plain.counter.inc({ route: '/rooms', status: '429' });
    expect(await lean.registry.metrics()).toBe(await plain.registry.metrics());
  });

  it('refuse what is not a count or a measurement', () => {
    const { lean } = pair();
    const labels = { route: '/rooms', status: '201' };
    expect(() => lean.histogram.observe(labels, Number.NaN)).toThrow(TypeError);
    expect(() => lean.histogram.observe(labels, Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => lean.counter.inc(labels, -1)).toThrow(TypeError);
    expect(() => lean.counter.inc(labels, Number.NaN)).toThrow(TypeError);
    expect(() => lean.counter.inc(labels, Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});
