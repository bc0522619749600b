import { isClientId } from '../client-id';
import type { ValidationIssue } from '../validation-issue';
import { isPlainObject, rejectUnknownFields } from './models/plan-fields';
import type { PricingModel } from './models/pricing-model';
import type { DimensionFilter } from '../aggregation/usage-selection';
import { Charge, ChargeDimensions, CHARGE_MODELS, ChargeModel, isChargeModel, pricingModel } from './models/registry';

/**
 * The metrics a plan may name: a Set of keys, or a Map from key to the metric's dimensions (then
 * charge filters and group_by are checked against them).
 */
export interface MetricKeyLookup {
  has(key: string): boolean;
  get?(key: string): readonly string[] | undefined;
}

export type ParsePricePlanChargesResult = { ok: true; charges: Charge[] } | { ok: false; errors: ValidationIssue[] };

const CHARGE_FIELDS = ['metric_key', 'model', 'properties', 'filters', 'group_by'];
const MAX_FILTER_VALUES = 100;

/**
 * Validates the raw JSON `charges` array of a price plan and returns typed charges (Big values),
 * or every problem found with its field path (`charges[0].properties.tiers[1].up_to`). Each
 * charge's `properties` are read by its model (models/registry.ts).
 *
 * Rules beyond the per-field ones:
 * - at least one charge (a plan without charges could never produce an invoice);
 * - a metric may be billed by one charge without `filters` only: a second one is refused at its
 *   `metric_key` (a double charge is almost always a mistake). Charges with filters on the same
 *   metric form a price matrix (an event is priced by the first one, in plan order, it matches;
 *   the charge without filters takes the rest); two with the same filters are refused at
 *   `filters`. Several unmetered (flat_fee) charges are fine;
 * - `filters` ({property: [values]}) and `group_by` ([properties]) name only dimensions of the
 *   charge's metric (checked when `knownMetricKeys` maps keys to dimensions);
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
    // A charge whose filters were refused cannot be compared with the others: its errors say enough.
    const refusedFilters = !charge && isPlainObject(item) && item.filters != null;
    if (metricKey !== undefined && !refusedFilters) {
      const filters = charge && 'filters' in charge ? charge.filters : undefined;
      const useKey = filters === undefined ? metricKey : `${metricKey}\u0000${canonicalFilters(filters)}`;
      const earlier = firstUseOfMetric.get(useKey);
      if (earlier !== undefined && filters === undefined) {
        errors.push({
          field: `${path}.metric_key`,
          message: `metric ${metricKey} is already billed by ${earlier}; a metric may appear in one charge without filters only`,
        });
      } else if (earlier !== undefined) {
        errors.push({ field: `${path}.filters`, message: `${earlier} already prices metric ${metricKey} with the same filters` });
      } else {
        firstUseOfMetric.set(useKey, path);
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
  const dimensions = parseChargeDimensions(raw, path, rules.metered ? metricKey : null, model, errors, knownMetricKeys);
  if (parsed === undefined || errors.length !== errorCount) return { metricKey };
  if (rules.metered && metricKey === undefined) return { metricKey }; // reported by parseMetricKey
  // The cast joins what the types cannot: the model's own parser read these properties.
  const charge = (rules.metered ? { model, metricKey, properties: parsed, ...dimensions } : { model, properties: parsed }) as Charge;
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

/**
 * A metered charge's `filters` and `group_by` (null means absent). `metricKey` null: the charge is
 * unmetered and may have neither; undefined: the metric is invalid, so dimensions are not checked.
 */
function parseChargeDimensions(
  raw: Record<string, unknown>,
  path: string,
  metricKey: string | null | undefined,
  model: ChargeModel,
  errors: ValidationIssue[],
  knownMetricKeys: MetricKeyLookup | undefined,
): ChargeDimensions {
  const rawFilters = raw.filters ?? undefined;
  const rawGroupBy = raw.group_by ?? undefined;
  if (metricKey === null) {
    if (rawFilters !== undefined) errors.push({ field: `${path}.filters`, message: `must not be set on a ${model} charge, which has no metric` });
    if (rawGroupBy !== undefined) errors.push({ field: `${path}.group_by`, message: `must not be set on a ${model} charge, which has no metric` });
    return {};
  }
  const dimensions = metricKey === undefined ? undefined : knownMetricKeys?.get?.(metricKey);
  const checkDimension = (name: string, field: string) => {
    if (dimensions !== undefined && !dimensions.includes(name)) {
      const declared = dimensions.length === 0 ? 'it has none' : `its dimensions are ${dimensions.join(', ')}`;
      errors.push({ field, message: `"${name}" is not a dimension of metric ${metricKey} (${declared})` });
    }
  };
  const result: { filters?: DimensionFilter; groupBy?: string[] } = {};
  if (rawFilters !== undefined) {
    const field = `${path}.filters`;
    if (!isPlainObject(rawFilters) || Object.keys(rawFilters).length === 0) {
      errors.push({ field, message: 'must be an object of dimension names to non-empty arrays of values, such as {"model": ["gpt-4o"]}' });
    } else {
      const filters: Record<string, string[]> = {};
      for (const [name, values] of Object.entries(rawFilters)) {
        const valuesField = `${field}.${name}`;
        checkDimension(name, valuesField);
        if (!Array.isArray(values) || values.length === 0 || values.length > MAX_FILTER_VALUES) {
          errors.push({ field: valuesField, message: `must be an array of 1 to ${MAX_FILTER_VALUES} values` });
          continue;
        }
        values.forEach((value, index) => {
          if (typeof value !== 'string' || value.length === 0) errors.push({ field: `${valuesField}[${index}]`, message: 'must be a non-empty string' });
          else if (values.indexOf(value) !== index) errors.push({ field: `${valuesField}[${index}]`, message: `repeats "${value}"` });
        });
        filters[name] = values as string[];
      }
      result.filters = filters;
    }
  }
  if (rawGroupBy !== undefined) {
    const field = `${path}.group_by`;
    if (!Array.isArray(rawGroupBy) || rawGroupBy.length === 0) {
      errors.push({ field, message: 'must be a non-empty array of dimension names' });
    } else {
      rawGroupBy.forEach((name, index) => {
        if (typeof name !== 'string') errors.push({ field: `${field}[${index}]`, message: 'must be a dimension name' });
        else if (rawGroupBy.indexOf(name) !== index) errors.push({ field: `${field}[${index}]`, message: `repeats "${name}"` });
        else checkDimension(name, `${field}[${index}]`);
      });
      result.groupBy = rawGroupBy as string[];
    }
  }
  return result;
}

/** The same filters written the same way, whatever the order of their properties and values. */
function canonicalFilters(filters: DimensionFilter): string {
  return JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((name) => [name, [...filters[name]].sort()]),
  );
}
