import type { AcquireRequest } from '../src/limits/limiter.js';

/**
 * The limiter tests' requests: create_room's bucket at `limit` per window, refused at once unless a test says
 * to wait (`overrides`).
 */
export const acquireRequests =
  (limit: number) =>
  (overrides: Partial<AcquireRequest> = {}): AcquireRequest => ({
    bucket: 'create_room',
    limit,
    maxWaitMs: 0,
    waitForKey: false,
    ...overrides,
  });
