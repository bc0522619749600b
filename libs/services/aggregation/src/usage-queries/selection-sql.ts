import { DimensionFilter, UsageSelection } from '@abaxus/domain/aggregation/usage-selection';

/** Where a dimension's value is read: an event's properties, or an hourly bucket's key. */
export type SelectionSource = 'events' | 'buckets';

export interface SelectionSql {
  /** A boolean SQL condition (`TRUE` when the selection takes everything). */
  where: string;
  /** One SQL expression per group_by property, in order. */
  groups: string[];
}

/**
 * The SQL of a usage selection over events `e` or buckets `b`, its values appended to `params`.
 * An event's dimension value is its property when that is a JSON string, else null — the same rule
 * as the buckets' keys (libs/domain usage-selection), so both sources always agree.
 */
export function selectionSql(selection: UsageSelection, source: SelectionSource, params: unknown[]): SelectionSql {
  const value = (property: string): string => {
    params.push(property);
    const ref = `$${params.length}::text`;
    return source === 'events'
      ? `(CASE WHEN jsonb_typeof(e.properties -> ${ref}) = 'string' THEN e.properties ->> ${ref} END)`
      : `(b.dimension_key::jsonb ->> ${ref})`;
  };
  const matches = (filter: DimensionFilter): string => {
    const terms = Object.entries(filter).map(([property, allowed]) => {
      const column = value(property);
      params.push(allowed);
      const exact = `coalesce(${column} = ANY($${params.length}::text[]), false)`;
      if (source === 'events') return exact;
      // A bucket key is JSON written by dimensionKeyOf: a cheap text match on `"property":"value"`
      // skips most keys before the jsonb parse decides.
      params.push(allowed.map((one) => `%${escapeLike(`${JSON.stringify(property)}:${JSON.stringify(one)}`)}%`));
      return `b.dimension_key LIKE ANY($${params.length}::text[]) AND ${exact}`;
    });
    return terms.length === 0 ? 'TRUE' : terms.join(' AND ');
  };
  const conditions = [matches(selection.filters), ...selection.exclude.map((filter) => `NOT (${matches(filter)})`)].filter((term) => term !== 'TRUE');
  return { where: conditions.length === 0 ? 'TRUE' : conditions.join(' AND '), groups: selection.groupBy.map(value) };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
