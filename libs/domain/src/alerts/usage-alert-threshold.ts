import Big from 'big.js';
import { formatDecimal, parseDecimal } from '../money/decimal';
import { isCurrencyCode } from '../money/currency';
import { ValidationIssue } from '../validation-issue';

/**
 * What a usage alert watches: the usage of one metric ({"usage": "100000"}), or the amount the
 * customer's usage costs so far in the period ({"amount": "500.00"}, optionally in one currency).
 */
export type AlertThreshold = { kind: 'usage'; value: Big } | { kind: 'amount'; value: Big; currency: string | null };

export type ParseThresholdResult = { ok: true; threshold: AlertThreshold } | { ok: false; errors: ValidationIssue[] };

/** Reads `threshold` of POST /v1/alerts; field paths start at `threshold`. */
export function parseAlertThreshold(input: unknown): ParseThresholdResult {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ field: 'threshold', message: 'must be an object: {"usage": "100000"} or {"amount": "500.00"}' }] };
  }
  const record = input as Record<string, unknown>;
  const errors: ValidationIssue[] = [];
  for (const field of Object.keys(record)) {
    if (!['usage', 'amount', 'currency'].includes(field)) errors.push({ field: `threshold.${field}`, message: 'is not a known field' });
  }
  const hasUsage = record.usage !== undefined;
  const hasAmount = record.amount !== undefined;
  if (hasUsage === hasAmount) {
    errors.push({ field: 'threshold', message: 'must hold exactly one of "usage" or "amount"' });
    return { ok: false, errors };
  }
  const field = hasUsage ? 'usage' : 'amount';
  const parsed = parseDecimal(record[field], { maxFractionDigits: hasUsage ? 20 : 6 });
  let value: Big | undefined;
  if (!parsed.ok) errors.push({ field: `threshold.${field}`, message: parsed.message });
  else if (parsed.value.lte(0)) errors.push({ field: `threshold.${field}`, message: 'must be greater than 0' });
  else value = parsed.value;
  let currency: string | null = null;
  if (record.currency !== undefined) {
    if (hasUsage) errors.push({ field: 'threshold.currency', message: 'is only for an amount threshold' });
    else if (!isCurrencyCode(record.currency)) errors.push({ field: 'threshold.currency', message: 'must be an ISO 4217 currency code such as "USD"' });
    else currency = record.currency;
  }
  if (errors.length > 0 || value === undefined) return { ok: false, errors };
  return { ok: true, threshold: hasUsage ? { kind: 'usage', value } : { kind: 'amount', value, currency } };
}

/** The threshold as the API shows it. */
export function thresholdToJson(threshold: AlertThreshold): Record<string, string> {
  if (threshold.kind === 'usage') return { usage: formatDecimal(threshold.value) };
  return threshold.currency ? { amount: formatDecimal(threshold.value), currency: threshold.currency } : { amount: formatDecimal(threshold.value) };
}

/** A measured figure that reaches the threshold, with its currency for an amount. */
export interface ReachedThreshold {
  value: Big;
  currency: string | null;
}

/**
 * Whether the period's figures reach the threshold (at or above it). For an amount, `totals`
 * holds one total per currency: the threshold's currency only, or, without one, the first
 * currency (in code order) whose total reaches it — customers billed in one currency have one.
 */
export function reachedThreshold(threshold: AlertThreshold, figures: { usage?: Big; totals?: Map<string, Big> }): ReachedThreshold | null {
  if (threshold.kind === 'usage') {
    return figures.usage !== undefined && figures.usage.gte(threshold.value) ? { value: figures.usage, currency: null } : null;
  }
  const totals = figures.totals ?? new Map<string, Big>();
  const currencies = threshold.currency ? [threshold.currency] : [...totals.keys()].sort();
  for (const currency of currencies) {
    const total = totals.get(currency);
    if (total !== undefined && total.gte(threshold.value)) return { value: total, currency };
  }
  return null;
}
