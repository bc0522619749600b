/*
 * A subscription's phases (API.md Part II §5): every plan it has had, each over its own time.
 * Each phase is priced by its own plan version, so a caller may ask pricing for one of them.
 */

export interface PhasedSubscription {
  plan_id: string;
  plan_version: number;
  phases?: ReadonlyArray<{ plan_id: string; plan_version: number }> | null;
}

export interface PlanVersionRef {
  plan_id: string;
  plan_version: number;
}

/**
 * The plan version a calculation prices: the requested one when the subscription has (or had) it
 * — its pinned version or one of its phases' — the pinned one when none is requested; undefined
 * when the requested one was never the subscription's.
 */
export function planVersionToPrice(subscription: PhasedSubscription, requested: PlanVersionRef | undefined): PlanVersionRef | undefined {
  const pinned = { plan_id: subscription.plan_id, plan_version: subscription.plan_version };
  if (!requested) return pinned;
  const candidates = [pinned, ...(subscription.phases ?? [])];
  const found = candidates.find((phase) => phase.plan_id === requested.plan_id && phase.plan_version === requested.plan_version);
  return found && { plan_id: found.plan_id, plan_version: found.plan_version };
}

/** One phase as stored: a plan version in force over [start, end) (end null: until further notice). */
export interface Phase {
  plan_id: string;
  plan_version: number;
  start: string;
  end: string | null;
}

/** The subscription's phases: its stored ones, or the one phase of a subscription never changed. */
export function phasesOf(subscription: { plan_id: string; plan_version: number; start_date: string; phases?: ReadonlyArray<Phase> | null }): Phase[] {
  // Field by field: stored as jsonb, whose key order is not the API's.
  if (subscription.phases && subscription.phases.length > 0) {
    return subscription.phases.map((phase) => ({ plan_id: phase.plan_id, plan_version: phase.plan_version, start: phase.start, end: phase.end }));
  }
  return [{ plan_id: subscription.plan_id, plan_version: subscription.plan_version, start: subscription.start_date, end: null }];
}

/** The phase in force at `instant`: the first one before the subscription starts, the last one after its phases. */
export function phaseAt(phases: readonly Phase[], instant: Date): Phase {
  const t = instant.getTime();
  return [...phases].reverse().find((phase) => Date.parse(phase.start) <= t) ?? phases[0];
}

export interface PlanChangeRequest {
  plan_id: string;
  plan_version: number;
  at: Date;
  /** The subscription's own now (its test clock's): phases starting after it are only scheduled. */
  now: Date;
  start_date: Date;
  canceled_at: Date | null;
}

export type PlanChangeRefusal = { ok: false; code: string; field: 'at' | 'plan_id'; message: string };
export type PlanChangeResult = { ok: true; phases: Phase[]; replaced: Phase[] } | PlanChangeRefusal;

/**
 * A plan change at `at`: the phase in force then ends at `at` and the new plan's phase starts
 * there. A change still scheduled (its phase starts after now) is replaced by any later request
 * made at or before its start; a request for the plan version in force at `at` then only cancels
 * the scheduled change (without one to cancel it is refused). Phases already in force are never
 * rewritten: `at` must come after the start of the phase in force now.
 */
export function planChange(current: readonly Phase[], request: PlanChangeRequest): PlanChangeResult {
  const at = request.at.getTime();
  if (at <= request.start_date.getTime()) {
    return { ok: false, code: 'change_before_start', field: 'at', message: `must be after the subscription's start ${request.start_date.toISOString()}` };
  }
  if (request.canceled_at && at >= request.canceled_at.getTime()) {
    return { ok: false, code: 'change_after_end', field: 'at', message: `must be before the subscription's end ${request.canceled_at.toISOString()}` };
  }
  const now = request.now.getTime();
  // Scheduled phases (not in force yet) that start at or after `at` are replaced.
  const kept = current.filter((phase) => !(Date.parse(phase.start) > now && Date.parse(phase.start) >= at));
  const replaced = current.slice(kept.length);
  const last = kept[kept.length - 1];
  if (at <= Date.parse(last.start)) {
    return {
      ok: false,
      code: 'change_before_phase',
      field: 'at',
      message: `must be after ${last.start}, where the plan in force (${last.plan_id} v${last.plan_version}) started`,
    };
  }
  const phases = kept.map((phase) => ({ ...phase }));
  phases[phases.length - 1].end = null;
  const samePlan = last.plan_id === request.plan_id && last.plan_version === request.plan_version;
  if (samePlan) {
    if (replaced.length === 0) {
      return {
        ok: false,
        code: 'plan_unchanged',
        field: 'plan_id',
        message: `the subscription is already on ${last.plan_id} version ${last.plan_version} at that time`,
      };
    }
    return { ok: true, phases, replaced };
  }
  phases[phases.length - 1].end = request.at.toISOString();
  phases.push({ plan_id: request.plan_id, plan_version: request.plan_version, start: request.at.toISOString(), end: null });
  return { ok: true, phases, replaced };
}

/** The part of a phase inside a billed window. */
export interface PhasePiece {
  phase: Phase;
  from: Date;
  to: Date;
}

/** The window [from, to) cut at the phase boundaries, in order; phases outside it give no piece. */
export function phasePieces(phases: readonly Phase[], from: Date, to: Date): PhasePiece[] {
  const pieces: PhasePiece[] = [];
  phases.forEach((phase, index) => {
    // The first phase also owns anything before the start (pricing clips it to the start anyway).
    const start = index === 0 ? from.getTime() : Math.max(Date.parse(phase.start), from.getTime());
    const end = phase.end === null || index === phases.length - 1 ? to.getTime() : Math.min(Date.parse(phase.end), to.getTime());
    if (start < end) pieces.push({ phase, from: new Date(start), to: new Date(end) });
  });
  return pieces;
}

/** The phases of a subscription ending at `end` (its cancellation): those starting from then on never come into force. */
export function phasesUntil(phases: readonly Phase[], end: Date): Phase[] {
  const kept = phases.filter((phase, index) => index === 0 || Date.parse(phase.start) < end.getTime()).map((phase) => ({ ...phase }));
  kept[kept.length - 1].end = end.toISOString();
  return kept;
}
