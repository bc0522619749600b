import { AggregationState, AggregationType, deserializeState } from '@abaxus/domain/aggregation/aggregation-state';

/** The UTC instant of `ts` with microseconds, as text independent of the session time zone. */
const UTC_TS_TEXT = `to_char(e.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * SQL select-list items computing a mergeable aggregation state over the events `e` of a group,
 * and the conversion of their row into the domain state. Used to rebuild hourly buckets and for
 * the partial edge hours of non-aligned periods; values are canonical strings (libs/domain).
 */
export function stateAggregateSql(type: AggregationType): string {
  switch (type) {
    case 'sum':
      return 'sum(e.value::numeric)::text AS agg_sum';
    case 'count':
      return 'count(*)::text AS agg_count';
    case 'max':
      return 'max(e.value::numeric)::text AS agg_max';
    case 'min':
      return 'min(e.value::numeric)::text AS agg_min';
    case 'unique_count':
      return 'array_agg(DISTINCT e.value) FILTER (WHERE e.value IS NOT NULL) AS agg_values';
    case 'latest':
      return [
        '(array_agg(e.value ORDER BY e.ts DESC, e.seq DESC))[1] AS agg_value',
        `(array_agg(${UTC_TS_TEXT} ORDER BY e.ts DESC, e.seq DESC))[1] AS agg_ts`,
        '(array_agg(e.seq ORDER BY e.ts DESC, e.seq DESC))[1]::text AS agg_seq',
      ].join(', ');
    case 'weighted_sum':
      // Every change point; the domain keeps one per instant (the latest by sequence).
      return `jsonb_agg(jsonb_build_object('value', e.value, 'timestamp', ${UTC_TS_TEXT}, 'sequence', e.seq::text)) AS agg_points`;
  }
}

export interface AggregateRow {
  agg_sum?: string | null;
  agg_count?: string | null;
  agg_max?: string | null;
  agg_min?: string | null;
  agg_values?: string[] | null;
  agg_value?: string | null;
  agg_ts?: string | null;
  agg_seq?: string | null;
  agg_points?: Array<{ value: string; timestamp: string; sequence: string }> | null;
}

export function stateFromAggregateRow(type: AggregationType, row: AggregateRow | undefined): AggregationState {
  switch (type) {
    case 'sum':
      return deserializeState({ type, sum: row?.agg_sum ?? '0' });
    case 'count':
      return deserializeState({ type, count: row?.agg_count ?? '0' });
    case 'max':
      return deserializeState({ type, max: row?.agg_max ?? null });
    case 'min':
      return deserializeState({ type, min: row?.agg_min ?? null });
    case 'unique_count':
      return deserializeState({ type, values: row?.agg_values ?? [] });
    case 'latest':
      return deserializeState({
        type,
        latest: row?.agg_value != null && row.agg_ts && row.agg_seq ? { value: row.agg_value, timestamp: row.agg_ts, sequence: row.agg_seq } : null,
      });
    case 'weighted_sum':
      return deserializeState({ type, points: row?.agg_points ?? [] });
  }
}
