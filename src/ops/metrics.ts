import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { LeanCounter, LeanHistogram } from './lean-metrics.js';

/**
 * roomgate's Prometheus metrics, in a registry of their own (no global state: tests build many apps). Those
 * updated on every request or attempt are lean ones (lean-metrics.ts): same text, a fraction of the cost.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'roomgate_' });
  const registers = [registry];
  return {
    registry,
    requests: new LeanCounter({
      name: 'roomgate_http_requests_total',
      help: 'Requests answered, by route, status and caller.',
      labelNames: ['route', 'status', 'caller'] as const,
      registers,
    }),
    requestSeconds: new LeanHistogram({
      name: 'roomgate_http_request_duration_seconds',
      help: 'Time to answer, by route and status.',
      labelNames: ['route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    upstreamSeconds: new LeanHistogram({
      name: 'roomgate_upstream_duration_seconds',
      help: 'Duration of each upstream attempt, by command and outcome (Tencent ErrorCode or transport failure).',
      labelNames: ['command', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    upstreamCodes: new LeanCounter({
      name: 'roomgate_upstream_responses_total',
      help: 'Upstream attempts by command and outcome (Tencent ErrorCode, or timeout/connect/reset/bad-status/bad-body).',
      labelNames: ['command', 'outcome'] as const,
      registers,
    }),
    limiterAdmissions: new LeanCounter({
      name: 'roomgate_limiter_admissions_total',
      help: 'Upstream attempts admitted by the rate limiter, by command.',
      labelNames: ['command'] as const,
      registers,
    }),
    limiterWaitSeconds: new LeanHistogram({
      name: 'roomgate_limiter_wait_seconds',
      help: 'Time admitted attempts waited for their permit (pacing), by command.',
      labelNames: ['command'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    }),
    limiterRefusals: new LeanCounter({
      name: 'roomgate_limiter_refusals_total',
      help: 'Requests refused by the rate limiter (never sent), by command and limit (global or room).',
      labelNames: ['command', 'limit'] as const,
      registers,
    }),
    limiterShared: new Gauge({
      name: 'roomgate_limiter_shared',
      help: '1 while limits are shared through Redis, 0 while this replica holds its own share (Redis unreachable or not configured).',
      registers,
    }),
    breakerState: new Gauge({
      name: 'roomgate_upstream_circuit_state',
      help: 'The upstream circuit breaker: 0 closed (sending), 1 open (failing fast), 2 half-open (probing).',
      registers,
    }),
    userSigRenewals: new Counter({
      name: 'roomgate_usersig_renewals_total',
      help: 'Administrator UserSigs generated, by reason (initial, expiring, invalidated after 70001).',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
