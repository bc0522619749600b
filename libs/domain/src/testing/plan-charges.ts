import { parsePricePlanCharges } from '../pricing/price-plan-validation';

/*
 * Helpers for specs that read plan charges through parsePricePlanCharges (the registry's way in),
 * so each model's spec checks its parser with the field paths and messages an API client sees.
 */

export const KNOWN_METRICS = new Set(['api_calls', 'storage', 'seats']);

/** The validation issues of `raw` (fails the test when it is accepted). `null` skips the known-metric check. */
export function errorsOf(raw: unknown, metrics: Set<string> | null = KNOWN_METRICS) {
  const result = parsePricePlanCharges(raw, metrics ?? undefined);
  if (result.ok) throw new Error('expected validation errors');
  return result.errors;
}

export function fieldsOf(raw: unknown, metrics: Set<string> | null = KNOWN_METRICS): string[] {
  return errorsOf(raw, metrics).map((issue) => issue.field);
}

/** The parsed charges of `raw` (fails the test with the issues when it is refused). */
export function chargesOf(raw: unknown, metrics: Set<string> | null = KNOWN_METRICS) {
  const result = parsePricePlanCharges(raw, metrics ?? undefined);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.charges;
}
