import { SubscriptionRecord } from '@abaxus/contracts/catalog-events';

export type SubscriptionStatus = 'pending' | 'active' | 'canceled';

/** What the API answers: the stored record and its status at the time of reading. */
export type SubscriptionView = { id: string; status: SubscriptionStatus } & Omit<SubscriptionRecord, 'id'>;

/**
 * Status is computed when read, never stored, so it changes on its own when the start date or
 * a scheduled cancellation passes: canceled from canceled_at on, pending before start_date.
 */
export function subscriptionStatus(subscription: Pick<SubscriptionRecord, 'start_date' | 'canceled_at'>, now: Date): SubscriptionStatus {
  if (subscription.canceled_at !== null && Date.parse(subscription.canceled_at) <= now.getTime()) return 'canceled';
  if (now.getTime() < Date.parse(subscription.start_date)) return 'pending';
  return 'active';
}

export function subscriptionView(subscription: SubscriptionRecord, now: Date): SubscriptionView {
  const { id, ...rest } = subscription;
  return { id, status: subscriptionStatus(subscription, now), ...rest };
}
