import { isClientId } from '../client-id';
import type { ValidationIssue } from '../validation-issue';
import { isPlainObject, rejectUnknownFields } from './models/plan-fields';
import type { PricingModel } from './models/pricing-model';
import { Charge, CHARGE_MODELS, ChargeModel, isChargeModel, pricingModel } from './models/registry';

/** Anything with `has`: a Set or Map of metric keys. */
export interface MetricKeyLookup {
  has(key: string): boolean;
}

export type ParsePricePlanChargesResult = { ok: true; charges: Charge[] } | { ok: false; errors: ValidationIssue[] };

const CHARGE_FIELDS = ['metric_key', 'model', 'properties'];

/**
 * Validates the raw JSON `charges` array of a price plan and returns typed charges (Big values),
 * or every problem found with its field path (`charges[0].properties.tiers[1].up_to`). Each
 * charge's `properties` are read by its model (models/registry.ts).
 *
 * Rules beyond the per-field ones:
 * - at least one charge (a plan without charges could never produce an invoice);
 * - a metric may be billed by one charge only: a second charge on the same metric_key is refused at
 *   its `metric_key` (line items are identified by metric, and a double charge is almost always a
 *   mistake). Several unmetered (flat_fee) charges are fine;
 * - `null` for an optional field (flat_amount, free_units, a flat fee's metric_key) means absent;
 * - when `knownMetricKeys` is given, each metric_key must be in it.
 */
export function parsePricePlanCharges(raw: unknown, knownMetricKeys?: MetricKeyLookup, fieldPrefix = 'charges'): ParsePricePlanChargesResult {
  const errors: ValidationIssue[] = [];
  if (!Array.isArray(raw)) {
    return { ok: false, errors: [{ field: fieldPrefix, message: 'must be an array of charges' }] };
  }
  if (raw.length === 0) {
    return { ok: false, errors: [{ field: fieldPrefix, message: 'must contain at least one charge' }] };
  }
  const charges: Charge[] = [];
  const firstUseOfMetric = new Map<string, string>();
  raw.forEach((item, index) => {
    const path = `${fieldPrefix}[${index}]`;
    const { charge, metricKey } = parseCharge(item, path, errors, knownMetricKeys);
    if (metricKey !== undefined) {
      const earlier = firstUseOfMetric.get(metricKey);
      if (earlier !== undefined) {
        errors.push({
          field: `${path}.metric_key`,
          message: `metric ${metricKey} is already billed by ${earlier}; a metric may appear in one charge only`,
        });
      } else {
        firstUseOfMetric.set(metricKey, path);
      }
    }
    if (charge) charges.push(charge);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, charges };
}

function parseCharge(
  raw: unknown,
  path: string,
  errors: ValidationIssue[],
  knownMetricKeys: MetricKeyLookup | undefined,
): { charge?: Charge; metricKey?: string } {
  if (!isPlainObject(raw)) {
    errors.push({ field: path, message: 'must be an object' });
    return {};
  }
  const errorCount = errors.length;
  rejectUnknownFields(raw, CHARGE_FIELDS, path, errors, 'in a charge');

  const model = parseModelName(raw.model, `${path}.model`, errors);
  const rules = model === undefined ? undefined : pricingModel(model);
  const metricKey = parseMetricKey(raw.metric_key, model, rules, `${path}.metric_key`, errors, knownMetricKeys);

  const propertiesPath = `${path}.properties`;
  const properties = raw.properties;
  if (properties === undefined || properties === null) {
    errors.push({ field: propertiesPath, message: 'is required' });
    return { metricKey };
  }
  if (!isPlainObject(properties)) {
    errors.push({ field: propertiesPath, message: 'must be an object' });
    return { metricKey };
  }
  if (model === undefined || rules === undefined) return { metricKey };

  const fields = rules.propertyFields;
  rejectUnknownFields(properties, [...fields.required, ...fields.optional], propertiesPath, errors, `for a ${model} charge`);
  for (const field of fields.required) {
    if (properties[field] === undefined || properties[field] === null) {
      errors.push({ field: `${propertiesPath}.${field}`, message: `is required for a ${model} charge` });
    }
  }

  const parsed = rules.parseProperties(properties, propertiesPath, errors);
  if (parsed === undefined || errors.length !== errorCount) return { metricKey };
  if (rules.metered && metricKey === undefined) return { metricKey }; // reported by parseMetricKey
  // The cast joins what the types cannot: the model's own parser read these properties.
  const charge = (rules.metered ? { model, metricKey, properties: parsed } : { model, properties: parsed }) as Charge;
  return { charge, metricKey };
}

function parseModelName(raw: unknown, field: string, errors: ValidationIssue[]): ChargeModel | undefined {
  const allowed = CHARGE_MODELS.join(', ');
  if (raw === undefined || raw === null) {
    errors.push({ field, message: `is required; one of ${allowed}` });
    return undefined;
  }
  if (!isChargeModel(raw)) {
    errors.push({ field, message: `must be one of ${allowed}` });
    return undefined;
  }
  return raw;
}

function parseMetricKey(
  raw: unknown,
  model: ChargeModel | undefined,
  rules: PricingModel<unknown, unknown> | undefined,
  field: string,
  errors: ValidationIssue[],
  knownMetricKeys: MetricKeyLookup | undefined,
): string | undefined {
  const absent = raw === undefined || raw === null;
  if (rules && !rules.metered) {
    if (!absent) errors.push({ field, message: `must not be set on a ${model} charge: ${rules.whyNoMetric}` });
    return undefined;
  }
  if (absent) {
    // Without a valid model we cannot tell whether a metric is needed; the model error says enough.
    if (model !== undefined) errors.push({ field, message: `is required for a ${model} charge` });
    return undefined;
  }
  if (!isClientId(raw)) {
    errors.push({ field, message: 'must be a metric key (letters, digits, "_", ".", ":", "-"; up to 128 characters)' });
    return undefined;
  }
  if (knownMetricKeys && !knownMetricKeys.has(raw)) {
    errors.push({ field, message: `unknown metric: ${raw}` });
    return undefined;
  }
  return raw;
}
