import Big from 'big.js';
import { isClientId } from '../client-id';
import { parseDecimal } from '../money/decimal';
import type { ValidationIssue } from '../validation-issue';
import { CHARGE_MODELS, Charge, ChargeModel, PriceTier } from './charge-model';

/** Amounts, unit prices and quantities bounds in plans carry at most this many fractional digits. */
export const MAX_PLAN_FRACTION_DIGITS = 12;

/** Anything with `has`: a Set or Map of metric keys. */
export interface MetricKeyLookup {
  has(key: string): boolean;
}

export type ParsePricePlanChargesResult = { ok: true; charges: Charge[] } | { ok: false; errors: ValidationIssue[] };

const PROPERTY_FIELDS: Record<ChargeModel, { required: string[]; optional: string[] }> = {
  per_unit: { required: ['unit_amount'], optional: [] },
  tiered: { required: ['tiers'], optional: [] },
  volume: { required: ['tiers'], optional: [] },
  package: { required: ['package_size', 'package_amount'], optional: ['free_units'] },
  flat_fee: { required: ['amount'], optional: [] },
};
const CHARGE_FIELDS = ['metric_key', 'model', 'properties'];
const TIER_FIELDS = ['up_to', 'unit_amount', 'flat_amount'];

/**
 * Validates the raw JSON `charges` array of a price plan and returns typed charges (Big values),
 * or every problem found with its field path (`charges[0].properties.tiers[1].up_to`).
 *
 * Rules beyond the per-field ones:
 * - at least one charge (a plan without charges could never produce an invoice);
 * - a metric may be billed by one charge only: a second charge on the same metric_key is refused at
 *   its `metric_key` (line items are identified by metric, and a double charge is almost always a
 *   mistake). Several flat_fee charges are fine;
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

  const model = parseModel(raw.model, `${path}.model`, errors);
  const metricKey = parseMetricKey(raw.metric_key, model, `${path}.metric_key`, errors, knownMetricKeys);

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
  if (model === undefined) return { metricKey };

  const fields = PROPERTY_FIELDS[model];
  rejectUnknownFields(properties, [...fields.required, ...fields.optional], propertiesPath, errors, `for a ${model} charge`);
  for (const field of fields.required) {
    if (properties[field] === undefined || properties[field] === null) {
      errors.push({ field: `${propertiesPath}.${field}`, message: `is required for a ${model} charge` });
    }
  }

  const charge = buildCharge(model, metricKey, properties, propertiesPath, errors);
  return { charge: errors.length === errorCount ? charge : undefined, metricKey };
}

function buildCharge(
  model: ChargeModel,
  metricKey: string | undefined,
  properties: Record<string, unknown>,
  path: string,
  errors: ValidationIssue[],
): Charge | undefined {
  switch (model) {
    case 'per_unit': {
      const unitAmount = parseAmount(properties.unit_amount, `${path}.unit_amount`, errors);
      return unitAmount && metricKey !== undefined ? { model, metricKey, properties: { unitAmount } } : undefined;
    }
    case 'tiered':
    case 'volume': {
      const tiers = parseTiers(properties.tiers, `${path}.tiers`, errors);
      return tiers && metricKey !== undefined ? { model, metricKey, properties: { tiers } } : undefined;
    }
    case 'package': {
      const packageSize = parseAmount(properties.package_size, `${path}.package_size`, errors);
      if (packageSize?.eq(0)) errors.push({ field: `${path}.package_size`, message: 'must be greater than 0' });
      const packageAmount = parseAmount(properties.package_amount, `${path}.package_amount`, errors);
      const freeUnits = parseOptionalAmount(properties.free_units, `${path}.free_units`, errors);
      return packageSize && packageAmount && freeUnits && metricKey !== undefined
        ? { model, metricKey, properties: { packageSize, packageAmount, freeUnits } }
        : undefined;
    }
    case 'flat_fee': {
      const amount = parseAmount(properties.amount, `${path}.amount`, errors);
      return amount ? { model, properties: { amount } } : undefined;
    }
  }
}

function parseModel(raw: unknown, field: string, errors: ValidationIssue[]): ChargeModel | undefined {
  const allowed = CHARGE_MODELS.join(', ');
  if (raw === undefined || raw === null) {
    errors.push({ field, message: `is required; one of ${allowed}` });
    return undefined;
  }
  if (typeof raw !== 'string' || !(CHARGE_MODELS as readonly string[]).includes(raw)) {
    errors.push({ field, message: `must be one of ${allowed}` });
    return undefined;
  }
  return raw as ChargeModel;
}

function parseMetricKey(
  raw: unknown,
  model: ChargeModel | undefined,
  field: string,
  errors: ValidationIssue[],
  knownMetricKeys: MetricKeyLookup | undefined,
): string | undefined {
  const absent = raw === undefined || raw === null;
  if (model === 'flat_fee') {
    if (!absent) errors.push({ field, message: 'must not be set on a flat_fee charge: a flat fee does not depend on usage' });
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

function parseTiers(raw: unknown, path: string, errors: ValidationIssue[]): PriceTier[] | undefined {
  if (raw === undefined || raw === null) return undefined; // reported as a missing required field
  if (!Array.isArray(raw)) {
    errors.push({ field: path, message: 'must be an array of tiers' });
    return undefined;
  }
  if (raw.length === 0) {
    errors.push({ field: path, message: 'must contain at least one tier (the last with up_to null)' });
    return undefined;
  }
  const errorCount = errors.length;
  const tiers: PriceTier[] = [];
  let previousUpTo: Big | undefined;
  raw.forEach((item, index) => {
    const tierPath = `${path}[${index}]`;
    if (!isPlainObject(item)) {
      errors.push({ field: tierPath, message: 'must be an object' });
      previousUpTo = undefined;
      return;
    }
    rejectUnknownFields(item, TIER_FIELDS, tierPath, errors, 'in a tier');
    const upTo = parseUpTo(item, index === raw.length - 1, previousUpTo, `${tierPath}.up_to`, errors);
    previousUpTo = upTo ?? undefined;
    const unitAmount =
      item.unit_amount === undefined || item.unit_amount === null
        ? missing(`${tierPath}.unit_amount`, errors)
        : parseAmount(item.unit_amount, `${tierPath}.unit_amount`, errors);
    const flatAmount = parseOptionalAmount(item.flat_amount, `${tierPath}.flat_amount`, errors);
    if (upTo !== undefined && unitAmount && flatAmount) tiers.push({ upTo, unitAmount, flatAmount });
  });
  return errors.length === errorCount ? tiers : undefined;
}

/** Returns the parsed bound, null for the open last tier, or undefined when invalid. */
function parseUpTo(
  tier: Record<string, unknown>,
  isLast: boolean,
  previousUpTo: Big | undefined,
  field: string,
  errors: ValidationIssue[],
): Big | null | undefined {
  if (!('up_to' in tier) || tier.up_to === undefined) {
    errors.push({ field, message: isLast ? 'is required: null for the last tier (no upper bound)' : 'is required' });
    return undefined;
  }
  if (tier.up_to === null) {
    if (isLast) return null;
    errors.push({ field, message: 'only the last tier may have up_to null' });
    return undefined;
  }
  if (isLast) {
    errors.push({ field, message: 'the last tier must have up_to null (no upper bound)' });
    return undefined;
  }
  const parsed = parseDecimal(tier.up_to, { maxFractionDigits: MAX_PLAN_FRACTION_DIGITS });
  if (!parsed.ok) {
    errors.push({ field, message: parsed.message });
    return undefined;
  }
  if (parsed.value.lte(0)) {
    errors.push({ field, message: 'must be greater than 0' });
    return undefined;
  }
  if (previousUpTo !== undefined && parsed.value.lte(previousUpTo)) {
    errors.push({ field, message: `must be greater than the previous tier's up_to (${previousUpTo.toFixed()}); tiers ascend strictly` });
    return undefined;
  }
  return parsed.value;
}

function parseAmount(raw: unknown, field: string, errors: ValidationIssue[]): Big | undefined {
  if (raw === undefined || raw === null) return undefined; // reported as a missing required field
  const parsed = parseDecimal(raw, { maxFractionDigits: MAX_PLAN_FRACTION_DIGITS });
  if (!parsed.ok) {
    errors.push({ field, message: parsed.message });
    return undefined;
  }
  return parsed.value;
}

function parseOptionalAmount(raw: unknown, field: string, errors: ValidationIssue[]): Big | undefined {
  if (raw === undefined || raw === null) return new Big(0);
  return parseAmount(raw, field, errors);
}

function missing(field: string, errors: ValidationIssue[]): undefined {
  errors.push({ field, message: 'is required' });
  return undefined;
}

function rejectUnknownFields(value: Record<string, unknown>, allowed: readonly string[], path: string, errors: ValidationIssue[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      errors.push({ field: `${path}.${key}`, message: `unknown field ${where} (allowed: ${allowed.join(', ')})` });
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
