import type { PostalAddress } from '@abaxus/domain/address/postal-address';
import type { BillingInterval } from '@abaxus/domain/billing/billing-cycle';
import type { ChargeJson } from '@abaxus/domain/pricing/models/registry';

/**
 * Messages on TOPICS.catalogEvents, keyed by the entity id. They carry the whole record as the
 * catalog answers it over HTTP, so other services can keep read copies without asking.
 */
export interface MetricRecord {
  key: string;
  name: string;
  aggregation_type: 'sum' | 'count' | 'max' | 'min' | 'unique_count' | 'latest' | 'weighted_sum';
  value_type: 'integer' | 'decimal' | 'string';
  /** Event property names the aggregates are kept per value of (at most 5; empty when none). */
  dimensions: string[];
  created_at: string;
}

/** A charge as the plan was posted, normalised by libs/domain's chargeToJson: decimal strings, optional amounts explicit. */
export type ChargeRecord = ChargeJson;

export interface PricePlanVersionRecord {
  id: string;
  version: number;
  name: string | null;
  currency: string;
  charges: ChargeRecord[];
  /** Null: invoiced only on request (section 3); otherwise cycles of this length (section 4). */
  billing_interval?: BillingInterval | null;
  created_at: string;
}

export interface CustomerRecord {
  id: string;
  name: string | null;
  email: string | null;
  billing: { provider: string; [key: string]: unknown } | null;
  payment_method: { provider_customer_id: string; provider_payment_method: string | null } | null;
  /** Printed as "Billed to" on invoices. Absent in events published before these fields existed. */
  address: PostalAddress | null;
  tax_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface SubscriptionRecord {
  id: string;
  customer_id: string;
  plan_id: string;
  plan_version: number;
  start_date: string;
  /** When usage stops being billed; set by cancel. */
  canceled_at: string | null;
  /** The pinned plan's interval (null: no cycles); the cycles are anchored at start_date. */
  billing_interval?: BillingInterval | null;
  /** The test clock whose simulated time this subscription lives in, if any. */
  test_clock?: string | null;
  /** Until then flat fees are not charged. */
  trial_end?: string | null;
  /** Every plan the subscription has had (Part II §5), oldest first, scheduled ones included; absent in events published before plan changes existed. */
  phases?: SubscriptionPhaseRecord[] | null;
  created_at: string;
}

export interface SubscriptionPhaseRecord {
  plan_id: string;
  plan_version: number;
  start: string;
  /** null: the phase in force until further notice. */
  end: string | null;
}

export type CatalogEvent =
  | { type: 'metric.created'; data: MetricRecord }
  | { type: 'price_plan_version.created'; data: PricePlanVersionRecord }
  | { type: 'customer.created' | 'customer.updated'; data: CustomerRecord }
  | { type: 'subscription.created' | 'subscription.canceled' | 'subscription.changed'; data: SubscriptionRecord };

export type CatalogEventEnvelope = CatalogEvent & { event_id: string; occurred_at: string };
