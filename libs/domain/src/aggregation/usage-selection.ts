import type { ValidationIssue } from '../validation-issue';

/**
 * The values of a metric's dimensions on one event: property name → value. Only string property
 * values count (numbers, booleans, objects and null count as no value), so the hourly buckets and
 * the events table (`->>` on a string) always agree on the value, whatever the number's spelling.
 */
export type DimensionValues = Readonly<Record<string, string>>;

/** property → the values it may take (OR within one property, AND across properties). */
export type DimensionFilter = Readonly<Record<string, readonly string[]>>;

/** Which part of a metric's usage to read, and how to split it. */
export interface UsageSelection {
  /** Events matching every property's values. */
  filters: DimensionFilter;
  /** Events matching any of these filters are left out (a price matrix's earlier charges). */
  exclude: readonly DimensionFilter[];
  /** One figure per combination of these properties' values (null = the event had no value). */
  groupBy: readonly string[];
}

export const WHOLE_USAGE: UsageSelection = { filters: {}, exclude: [], groupBy: [] };

/** The bucket key of an event without dimension values (and of every event of a metric without dimensions). */
export const NO_DIMENSION_VALUES_KEY = '{}';

/** The dimension values of an event's properties (JSON text or null), in the metric's declared order. */
export function dimensionValuesOf(dimensions: readonly string[], propertiesJson: string | null): DimensionValues {
  if (dimensions.length === 0 || propertiesJson === null) return {};
  const properties: unknown = JSON.parse(propertiesJson);
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return {};
  const values: Record<string, string> = {};
  for (const name of dimensions) {
    const value = (properties as Record<string, unknown>)[name];
    if (typeof value === 'string') values[name] = value;
  }
  return values;
}

/**
 * The text key of an event's hourly bucket for its dimension values: a JSON object written in the
 * metric's declared order, so one combination always gives the same key.
 */
export function dimensionKeyOf(dimensions: readonly string[], propertiesJson: string | null): string {
  if (dimensions.length === 0) return NO_DIMENSION_VALUES_KEY;
  return JSON.stringify(dimensionValuesOf(dimensions, propertiesJson));
}

export function matchesFilter(values: DimensionValues, filter: DimensionFilter): boolean {
  for (const [property, allowed] of Object.entries(filter)) {
    const value = values[property];
    if (value === undefined || !allowed.includes(value)) return false;
  }
  return true;
}

export function isSelected(selection: UsageSelection, values: DimensionValues): boolean {
  return matchesFilter(values, selection.filters) && !selection.exclude.some((filter) => matchesFilter(values, filter));
}

/** The group an event falls in: one value (or null) per group_by property, in that order. */
export function groupOf(groupBy: readonly string[], values: DimensionValues): Array<string | null> {
  return groupBy.map((property) => values[property] ?? null);
}

/** The group as the API shows it: `{"region": "eu-west-1"}`, `null` for events without a value. */
export function groupToJson(groupBy: readonly string[], group: ReadonlyArray<string | null>): Record<string, string | null> {
  return Object.fromEntries(groupBy.map((property, index) => [property, group[index]]));
}

/** Every property a selection names (filters, exclusions, group_by), once. */
export function selectionProperties(selection: UsageSelection): string[] {
  const names = new Set<string>([...Object.keys(selection.filters), ...selection.groupBy]);
  for (const filter of selection.exclude) for (const name of Object.keys(filter)) names.add(name);
  return [...names];
}

/**
 * A selection may only name the metric's declared dimensions: only those are kept in the hourly
 * buckets, so answering on any other property would mean scanning every event.
 */
export function checkSelectionDimensions(
  selection: UsageSelection,
  metricKey: string,
  dimensions: readonly string[],
  paths: { filter: (property: string) => string; groupBy: (index: number) => string },
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const declared = dimensions.length === 0 ? 'it has none' : `its dimensions are ${dimensions.join(', ')}`;
  for (const property of Object.keys(selection.filters)) {
    if (!dimensions.includes(property))
      issues.push({ field: paths.filter(property), message: `"${property}" is not a dimension of metric ${metricKey} (${declared})` });
  }
  selection.groupBy.forEach((property, index) => {
    if (!dimensions.includes(property))
      issues.push({ field: paths.groupBy(index), message: `"${property}" is not a dimension of metric ${metricKey} (${declared})` });
  });
  return issues;
}
