import type { ValidationIssue } from '../validation-issue';

/** A metric keeps its pre-computed aggregates per combination of at most this many property values. */
export const MAX_METRIC_DIMENSIONS = 5;

// An event property name: what `filter[<property>]` and `group_by` may name in a query string.
const DIMENSION_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export type MetricDimensionsResult = { ok: true; dimensions: string[] } | { ok: false; errors: ValidationIssue[] };

/**
 * A metric's `dimensions`: absent or null means none; otherwise at most 5 distinct event property
 * names, each reported at its path (`dimensions[1]`). The order is kept as given.
 */
export function parseMetricDimensions(raw: unknown, field = 'dimensions'): MetricDimensionsResult {
  if (raw === undefined || raw === null) return { ok: true, dimensions: [] };
  if (!Array.isArray(raw)) return { ok: false, errors: [{ field, message: 'must be an array of event property names' }] };
  const errors: ValidationIssue[] = [];
  if (raw.length > MAX_METRIC_DIMENSIONS) errors.push({ field, message: `must name at most ${MAX_METRIC_DIMENSIONS} properties` });
  raw.forEach((name, index) => {
    if (typeof name !== 'string' || !DIMENSION_PATTERN.test(name)) {
      errors.push({
        field: `${field}[${index}]`,
        message: 'must be a property name: 1 to 64 letters, digits, "_", "." or "-", not starting with a digit, "." or "-"',
      });
    } else if (raw.indexOf(name) !== index) {
      errors.push({ field: `${field}[${index}]`, message: `repeats "${name}"` });
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, dimensions: raw as string[] };
}
