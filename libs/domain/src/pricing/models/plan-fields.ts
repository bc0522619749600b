import Big from 'big.js';
import { parseDecimal } from '../../money/decimal';
import type { ValidationIssue } from '../../validation-issue';

/*
 * Field readers shared by the pricing models' parsers. Each pushes its problem with the field's
 * path and returns undefined; a missing required field is reported once, by the plan validation.
 */

/** Amounts, unit prices and quantity bounds in plans carry at most this many fractional digits. */
export const MAX_PLAN_FRACTION_DIGITS = 12;

/** A non-negative plan amount; undefined when absent (reported as a missing required field) or invalid. */
export function parseAmount(raw: unknown, field: string, errors: ValidationIssue[]): Big | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = parseDecimal(raw, { maxFractionDigits: MAX_PLAN_FRACTION_DIGITS });
  if (!parsed.ok) {
    errors.push({ field, message: parsed.message });
    return undefined;
  }
  return parsed.value;
}

/** Like parseAmount, but absent (or null) means 0. */
export function parseOptionalAmount(raw: unknown, field: string, errors: ValidationIssue[]): Big | undefined {
  if (raw === undefined || raw === null) return new Big(0);
  return parseAmount(raw, field, errors);
}

export function rejectUnknownFields(value: Record<string, unknown>, allowed: readonly string[], path: string, errors: ValidationIssue[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      errors.push({ field: `${path}.${key}`, message: `unknown field ${where} (allowed: ${allowed.join(', ')})` });
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
