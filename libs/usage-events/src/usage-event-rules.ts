import { AggregationType } from '@abaxus/domain/aggregation/aggregation-state';
import { parseMetricValue, ValueType } from '@abaxus/domain/aggregation/metric-value';
import { dimensionKeyOf } from '@abaxus/domain/aggregation/usage-selection';
import { ValidationIssue } from '@abaxus/domain/validation-issue';
import { EventCandidate } from './usage-event-shape';
import { EventInstant } from './event-timestamp';

export interface MetricFacts {
  aggregationType: AggregationType;
  valueType: ValueType;
  /** Event property names the metric's aggregates are kept per value of (absent: none). */
  dimensions?: readonly string[];
}

/** What validation needs to know about the catalog, already looked up for a set of events. */
export interface CatalogFacts {
  metric(key: string): MetricFacts | undefined;
  hasCustomer(id: string): boolean;
  /** The customer a subscription belongs to; undefined when it does not exist. */
  subscriptionOwner(id: string): string | undefined;
}

/** An accepted event, normalised: the value in canonical form, the instant in microseconds. */
export interface ValidUsageEvent {
  idempotencyKey: string;
  customerId: string;
  subscriptionId: string | null;
  metricKey: string;
  aggregationType: AggregationType;
  value: string | null;
  instant: EventInstant;
  propertiesJson: string | null;
  /** The metric's dimensions (none: empty). */
  dimensions: readonly string[];
  /** The hourly bucket key of the metric's dimension values on this event (see dimensionKeyOf). */
  dimensionKey: string;
}

export type RulesResult = { ok: true; event: ValidUsageEvent } | { ok: false; errors: ValidationIssue[] };

/** Known metric and customer, subscription of that customer, value fitting the metric. */
export function checkEventRules(candidate: EventCandidate, facts: CatalogFacts, prefix = ''): RulesResult {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const errors: ValidationIssue[] = [];
  const metric = facts.metric(candidate.metricKey);
  if (!metric) errors.push({ field: at('metric_key'), message: `no metric "${candidate.metricKey}" exists` });
  if (!facts.hasCustomer(candidate.customerId)) errors.push({ field: at('customer_id'), message: `no customer "${candidate.customerId}" exists` });
  if (candidate.subscriptionId !== null) {
    const owner = facts.subscriptionOwner(candidate.subscriptionId);
    if (owner === undefined) errors.push({ field: at('subscription_id'), message: `no subscription "${candidate.subscriptionId}" exists` });
    else if (owner !== candidate.customerId) {
      errors.push({
        field: at('subscription_id'),
        message: `subscription "${candidate.subscriptionId}" does not belong to customer "${candidate.customerId}"`,
      });
    }
  }
  let value: string | null = null;
  if (metric) {
    const parsed = parseMetricValue(metric.valueType, metric.aggregationType, candidate.rawValue);
    if (parsed.ok) value = parsed.value;
    else errors.push({ field: at('value'), message: parsed.message });
  }
  if (errors.length > 0 || !metric) return { ok: false, errors };
  return {
    ok: true,
    event: {
      idempotencyKey: candidate.idempotencyKey,
      customerId: candidate.customerId,
      subscriptionId: candidate.subscriptionId,
      metricKey: candidate.metricKey,
      aggregationType: metric.aggregationType,
      value,
      instant: candidate.instant,
      propertiesJson: candidate.propertiesJson,
      dimensions: metric.dimensions ?? [],
      dimensionKey: dimensionKeyOf(metric.dimensions ?? [], candidate.propertiesJson),
    },
  };
}
