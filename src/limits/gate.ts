import type { AttemptGate } from '../tencent/client.js';
import type { CommandName } from '../tencent/commands.js';
import { LimitRefusedError } from '../tencent/errors.js';
import type { Limiter } from './limiter.js';

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
  return {
    async admit({ command, roomId, retry, maxWaitMs, signal }) {
      const { perSecond, perRoomOncePerSecond } = limits[command];
      const admission = await limiter.acquire({
        bucket: command,
        limit: perSecond,
        key: perRoomOncePerSecond ? roomId : undefined,
        maxWaitMs,
        waitForKey: retry,
        signal,
      });
      if (!admission.ok) {
        events.onRefuse?.(command, admission.limit);
        throw new LimitRefusedError(admission.limit, admission.retryAfterMs, perSecond);
      }
      events.onAdmit?.(command, admission.waitedMs);
      return () => admission.permit.release();
    },
  };
}
