import Big from 'big.js';
import { formatDecimal, parseDecimal } from '../../money/decimal';
import type { ValidationIssue } from '../../validation-issue';
import { isPlainObject, MAX_PLAN_FRACTION_DIGITS, parseAmount, parseOptionalAmount, rejectUnknownFields } from './plan-fields';

/*
 * The tier list shared by the tiered (graduated) and volume models: its type, parser and JSON.
 */

/** One tier of a tiered or volume charge. `upTo` is inclusive; null means no upper bound. */
export interface PriceTier {
  upTo: Big | null;
  unitAmount: Big;
  /** 0 when the plan gave none. */
  flatAmount: Big;
}

/** The properties of a tiered or volume charge. */
export interface TierListProperties {
  /** Non-empty, strictly ascending `upTo`, the last one null (checked by parseTiers). */
  tiers: PriceTier[];
}

/** A tier in a plan's JSON: decimal strings, flat_amount explicit. */
export interface TierJson {
  up_to: string | null;
  unit_amount: string;
  flat_amount: string;
}

export interface TierListPropertiesJson {
  tiers: TierJson[];
}

const TIER_FIELDS = ['up_to', 'unit_amount', 'flat_amount'];

/** `properties.tiers` of a tiered or volume charge. */
export function parseTierListProperties(properties: Record<string, unknown>, path: string, errors: ValidationIssue[]): TierListProperties | undefined {
  const tiers = parseTiers(properties.tiers, `${path}.tiers`, errors);
  return tiers ? { tiers } : undefined;
}

export function tierListPropertiesToJson(properties: TierListProperties): TierListPropertiesJson {
  return {
    tiers: properties.tiers.map((tier) => ({
      up_to: tier.upTo === null ? null : formatDecimal(tier.upTo),
      unit_amount: formatDecimal(tier.unitAmount),
      flat_amount: formatDecimal(tier.flatAmount),
    })),
  };
}

/** Every tier's problems are reported; undefined when there was any (or the list is absent). */
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
    let unitAmount: Big | undefined;
    if (item.unit_amount === undefined || item.unit_amount === null) errors.push({ field: `${tierPath}.unit_amount`, message: 'is required' });
    else unitAmount = parseAmount(item.unit_amount, `${tierPath}.unit_amount`, errors);
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
