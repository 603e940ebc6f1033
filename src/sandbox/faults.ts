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
  /** Destroy the connection without answering. */
  | { kind: 'reset' }
  /** A load balancer's HTML error page with this HTTP status. */
  | { kind: 'http-status'; status: number }
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
    if (!Number.isInteger(rule.times) || rule.times < 1)
      throw new RangeError('times must be a positive integer');
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
