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
