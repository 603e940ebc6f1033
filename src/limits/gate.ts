import type { Admitted, AttemptGate } from '../tencent/client.js';
import type { CommandName } from '../tencent/commands.js';
import { LimitRefusal } from '../tencent/errors.js';
import type { Admission, Limiter, Refusal } from './limiter.js';

export interface CommandLimit {
  perSecond: number;
  perRoomOncePerSecond: boolean;
}

export interface LimitEvents {
  onAdmit?: (command: CommandName, waitedMs: number) => void;
  onRefuse?: (command: CommandName, limit: 'global' | 'room') => void;
}

/** Puts a Limiter in front of every upstream attempt, with each command's own quota. */
export function createLimiterGate(
  limiter: Limiter,
  limits: Record<CommandName, CommandLimit>,
  events: LimitEvents = {},
): AttemptGate {
  function refuse(command: CommandName, perSecond: number, refusal: Refusal): LimitRefusal {
    events.onRefuse?.(command, refusal.limit);
    return new LimitRefusal(refusal.limit, refusal.retryAfterMs, perSecond);
  }

  function settle(command: CommandName, perSecond: number, admission: Admission): Admitted | LimitRefusal {
    if (!admission.ok) return refuse(command, perSecond, admission);
    events.onAdmit?.(command, admission.waitedMs);
    return admission.permit;
  }

  return {
    refuseEarly(command, maxWaitMs) {
      const { perSecond } = limits[command];
      const refused = limiter.refuseWhileShedding?.(command, perSecond, maxWaitMs);
      return refused && refuse(command, perSecond, refused);
    },
    admit({ command, roomId, retry, maxWaitMs, signal }) {
      const { perSecond, perRoomOncePerSecond } = limits[command];
      const request = {
        bucket: command,
        limit: perSecond,
        key: perRoomOncePerSecond ? roomId : undefined,
        maxWaitMs,
        waitForKey: retry,
        signal,
      };
      // Most attempts are admitted (or refused) on the spot: then no promise is made at all.
      const admission = limiter.acquireNow ? limiter.acquireNow(request) : limiter.acquire(request);
      return admission instanceof Promise
        ? admission.then((answer) => settle(command, perSecond, answer))
        : settle(command, perSecond, admission);
    },
  };
}
