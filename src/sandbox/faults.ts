/** Ways the sandbox can misbehave on purpose, as Tencent or the network between might. */
export type Fault =
  /** Answer with this ErrorCode in a well-formed envelope (100001, 70001, an undocumented code…). */
  | { kind: 'code'; code: number; info?: string }
  /** Never answer; the connection stays open. */
  | { kind: 'hang' }
  /** Answer normally, but only after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Send the status line and half the body, then the rest after `ms`. */
  | { kind: 'slow-body'; ms: number }
  /**
   * Destroy the connection without answering; with `processed`, after the command has taken effect (an answer
   * lost on its way back, as when a connection breaks after the request arrived).
   */
  | { kind: 'reset'; processed?: boolean }
  /** Send the status line and half the body, then close our side of the connection (a half-closed socket). */
  | { kind: 'half-close' }
  /**
   * A load balancer's HTML error page with this HTTP status; with `code`, Tencent's JSON envelope with that
   * ErrorCode under this status instead.
   */
  | { kind: 'http-status'; status: number; code?: number; info?: string }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: 'non-json' }
  /** HTTP 200 with JSON that lacks ErrorCode. */
  | { kind: 'no-error-code' };

export interface FaultRule {
  fault: Fault;
  /** How many matching requests it applies to. */
  times: number;
  /** Only requests of this command (e.g. create_room). */
  command?: string;
  /** Only requests naming this RoomId. */
  roomId?: string;
}

/** Pending faults, consumed first-come first-served by the requests they match. */
export class FaultQueue {
  private rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    const problem = faultRuleProblem(rule);
    if (problem) throw new RangeError(problem);
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if any, using up one of its `times`. */
  take(command: string, roomId: string | undefined): Fault | undefined {
    const index = this.rules.findIndex(
      (r) =>
        (r.command === undefined || r.command === command) && (r.roomId === undefined || r.roomId === roomId),
    );
    if (index < 0) return undefined;
    const rule = this.rules[index] as FaultRule;
    rule.times -= 1;
    if (rule.times === 0) this.rules.splice(index, 1);
    return rule.fault;
  }

  pending(): readonly FaultRule[] {
    return this.rules;
  }
}

const isNonNegativeInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Why a rule (as sent to the control route) is not usable, or undefined when it is. */
export function faultRuleProblem(rule: unknown): string | undefined {
  if (typeof rule !== 'object' || rule === null)
    return 'a rule is an object {fault, times, command?, roomId?}';
  const { fault, times, command, roomId } = rule as Record<string, unknown>;
  if (!Number.isInteger(times) || (times as number) < 1) return 'times must be a positive integer';
  if (command !== undefined && typeof command !== 'string') return 'command must be a string';
  if (roomId !== undefined && typeof roomId !== 'string') return 'roomId must be a string';
  if (typeof fault !== 'object' || fault === null) return 'fault must be an object with a kind';
  const f = fault as Record<string, unknown>;
  switch (f.kind) {
    case 'code':
      return Number.isInteger(f.code) ? undefined : 'a code fault needs an integer code';
    case 'delay':
    case 'slow-body':
      return isNonNegativeInteger(f.ms) ? undefined : `a ${f.kind} fault needs ms, a non-negative integer`;
    case 'http-status':
      if (!(Number.isInteger(f.status) && (f.status as number) >= 100 && (f.status as number) <= 599))
        return 'an http-status fault needs status, 100 to 599';
      return f.code === undefined || Number.isInteger(f.code)
        ? undefined
        : 'an http-status fault takes code, an integer';
    case 'reset':
      return f.processed === undefined || typeof f.processed === 'boolean'
        ? undefined
        : 'a reset fault takes processed, a boolean';
    case 'hang':
    case 'half-close':
    case 'non-json':
    case 'no-error-code':
      return undefined;
    default:
      return 'fault.kind must be one of code, hang, delay, slow-body, reset, half-close, http-status, non-json, no-error-code';
  }
}
