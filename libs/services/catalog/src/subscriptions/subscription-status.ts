import { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { currentPeriod } from '@abaxus/domain/billing/billing-cycle';
import { phaseAt, phasesOf } from '@abaxus/domain/billing/subscription-phase';

export type SubscriptionStatus = 'pending' | 'active' | 'canceled';

/**
 * What the API answers: the stored record, its status at the time of reading and, on a plan with
 * a billing interval, the cycle it is in (null otherwise).
 */
export type SubscriptionView = { id: string; status: SubscriptionStatus } & Omit<SubscriptionRecord, 'id'> & {
    current_period_start: string | null;
    current_period_end: string | null;
  };

/**
 * Status is computed when read, never stored, so it changes on its own when the start date or
 * a scheduled cancellation passes: canceled from canceled_at on, pending before start_date.
 */
export function subscriptionStatus(subscription: Pick<SubscriptionRecord, 'start_date' | 'canceled_at'>, now: Date): SubscriptionStatus {
  if (subscription.canceled_at !== null && Date.parse(subscription.canceled_at) <= now.getTime()) return 'canceled';
  if (now.getTime() < Date.parse(subscription.start_date)) return 'pending';
  return 'active';
}

/** The record as of `now`: plan_id and plan_version are those of the phase in force then (a scheduled change shows in phases only). */
export function withPlanInForce(subscription: SubscriptionRecord, now: Date): SubscriptionRecord {
  const phases = phasesOf(subscription);
  const inForce = phaseAt(phases, now);
  return { ...subscription, plan_id: inForce.plan_id, plan_version: inForce.plan_version, phases };
}

/** `now` is the subscription's own: its test clock's time when it lives on one. */
export function subscriptionView(record: SubscriptionRecord, now: Date): SubscriptionView {
  const subscription = withPlanInForce(record, now);
  const { id, ...rest } = subscription;
  const period = subscription.billing_interval
    ? currentPeriod(new Date(subscription.start_date), subscription.billing_interval, now, subscription.canceled_at ? new Date(subscription.canceled_at) : null)
    : undefined;
  return {
    id,
    status: subscriptionStatus(subscription, now),
    ...rest,
    current_period_start: period ? period.start.toISOString() : null,
    current_period_end: period ? period.end.toISOString() : null,
  };
}
