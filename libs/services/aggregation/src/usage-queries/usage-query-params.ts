import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';
import { DimensionFilter, UsageSelection } from '@abaxus/domain/aggregation/usage-selection';
import { ValidationIssue } from '@abaxus/domain/validation-issue';
import { EventInstant, parseEventInstant } from '@abaxus/usage-events/event-timestamp';

export type Granularity = 'hour' | 'day';

/** What to aggregate: one metric of one customer (optionally one subscription) over [start, end). */
export interface UsageQuery {
  customerId: string;
  metricKey: string;
  subscriptionId: string | null;
  start: EventInstant;
  end: EventInstant;
  granularity: Granularity | null;
  /** filter[...] and group_by (and, internally, exclude); WHOLE_USAGE when none. */
  selection: UsageSelection;
  /** Internal (pricing a plan phase): the period a weighted_sum is weighed over, containing [start, end). */
  weightPeriod?: { start: EventInstant; end: EventInstant };
}

export type UsageQueryResult = { ok: true; query: UsageQuery } | { ok: false; errors: ValidationIssue[] };

/** Pricing's billable reads: several queries of one customer (and subscription), answered together. */
export interface BillableBatch {
  customerId: string;
  subscriptionId: string | null;
  queries: BillableQuery[];
}

/** One query of a batch; `values`: each event's value is wanted too (a charge priced per event). */
export interface BillableQuery {
  query: UsageQuery;
  values: boolean;
}

export type BillableBatchResult = { ok: true; batch: BillableBatch } | { ok: false; errors: ValidationIssue[] };

/** At most this many queries in one batch: a plan's charges and remainders, with room to spare. */
const MAX_BATCH_QUERIES = 200;

// Events are from 1970 on (ingestion refuses earlier ones); PostgreSQL has no year 0000 and the
// API writes four-digit years: a period outside this range is refused rather than sent to the store.
const EARLIEST_MILLIS = 0;
const LATEST_MILLIS = Date.UTC(10000, 0, 1);

const SCOPE_FIELDS = ['customer_id', 'subscription_id'];
const PERIOD_FIELDS = ['metric_key', 'period_start', 'period_end'];

/**
 * Reads the fields of summary, histogram (query string) and compute (JSON body) alike; every
 * missing or invalid field is named, so a request whose query string was lost says what it lacks.
 */
export function parseUsageQuery(input: unknown, options: { granularity: boolean }): UsageQueryResult {
  if (!isObject(input)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  const errors: ValidationIssue[] = [];
  refuseUnknown(input, [...SCOPE_FIELDS, ...PERIOD_FIELDS, ...SELECTION_FIELDS, ...(options.granularity ? ['granularity'] : [])], errors);
  const fields = new FieldReader(input, errors);
  const scope = readScope(fields, errors);
  const measure = readMeasure(input, fields, errors, { granularity: options.granularity, internal: false });
  if (errors.length > 0 || !scope.customerId || !measure) return { ok: false, errors };
  return { ok: true, query: { customerId: scope.customerId, subscriptionId: scope.subscriptionId, ...measure } };
}

/**
 * `{customer_id, subscription_id?, queries: [{metric_key, period_start, period_end, filter?,
 * exclude?, group_by?, weight_period_start?, weight_period_end?, values?}]}`: each query read by
 * the same rules as a single one, its issues named under `queries[i].`.
 */
export function parseBillableBatch(input: unknown): BillableBatchResult {
  if (!isObject(input)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  const errors: ValidationIssue[] = [];
  refuseUnknown(input, [...SCOPE_FIELDS, 'queries'], errors);
  const scope = readScope(new FieldReader(input, errors), errors);
  const items = input.queries;
  const queries: BillableQuery[] = [];
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_QUERIES) {
    errors.push({ field: 'queries', message: `must be an array of 1 to ${MAX_BATCH_QUERIES} queries` });
  } else {
    items.forEach((item: unknown, index) => {
      const path = `queries[${index}]`;
      if (!isObject(item)) {
        errors.push({ field: path, message: 'must be a JSON object' });
        return;
      }
      const own: ValidationIssue[] = [];
      refuseUnknown(item, [...PERIOD_FIELDS, ...SELECTION_FIELDS, ...INTERNAL_FIELDS, 'values'], own);
      if (item.values !== undefined && typeof item.values !== 'boolean') own.push({ field: 'values', message: 'must be true or false' });
      const measure = readMeasure(item, new FieldReader(item, own), own, { granularity: false, internal: true });
      errors.push(...own.map((issue) => ({ field: `${path}.${issue.field}`, message: issue.message })));
      if (measure && scope.customerId) {
        queries.push({ query: { customerId: scope.customerId, subscriptionId: scope.subscriptionId, ...measure }, values: item.values === true });
      }
    });
  }
  if (errors.length > 0 || !scope.customerId) return { ok: false, errors };
  return { ok: true, batch: { customerId: scope.customerId, subscriptionId: scope.subscriptionId, queries } };
}

function refuseUnknown(record: Record<string, unknown>, known: readonly string[], errors: ValidationIssue[]): void {
  for (const field of Object.keys(record)) {
    if (!known.includes(field) && !FILTER_KEY.test(field)) errors.push({ field, message: 'is not a known field' });
  }
}

/** Reads one record's fields, naming each missing or invalid one in `errors`. */
class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly errors: ValidationIssue[],
  ) {}

  text(field: string, required: boolean): string | null {
    const value = this.record[field];
    if (value === undefined || value === null || value === '') {
      if (required) this.errors.push({ field, message: 'is required' });
      return null;
    }
    if (typeof value !== 'string') {
      this.errors.push({ field, message: Array.isArray(value) ? 'must be given once' : 'must be a string' });
      return null;
    }
    return value;
  }

  id(field: string, required: boolean): string | null {
    const value = this.text(field, required);
    if (value !== null && !CLIENT_ID_PATTERN.test(value)) {
      this.errors.push({ field, message: 'must be 1 to 128 letters, digits, "_", ".", ":" or "-", starting with a letter or digit' });
    }
    return value;
  }

  instant(field: string): EventInstant | null {
    const value = this.text(field, true);
    if (value === null) return null;
    const parsed = parseEventInstant(value);
    if (!parsed) {
      this.errors.push({ field, message: 'must be an RFC 3339 timestamp with an offset, such as "2026-03-01T00:00:00Z"' });
      return null;
    }
    if (parsed.epochMillis < EARLIEST_MILLIS || parsed.epochMillis >= LATEST_MILLIS) {
      this.errors.push({ field, message: 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z' });
      return null;
    }
    return parsed;
  }
}

/** Whose usage: the customer, and optionally one of its subscriptions. */
function readScope(fields: FieldReader, errors: ValidationIssue[]): { customerId: string | null; subscriptionId: string | null } {
  const customerId = fields.id('customer_id', true);
  const subscriptionId = fields.text('subscription_id', false);
  if (subscriptionId !== null && subscriptionId.length > 255) errors.push({ field: 'subscription_id', message: 'must be 1 to 255 characters long' });
  return { customerId, subscriptionId };
}

/**
 * What is measured, and over which period: the metric, [period_start, period_end), granularity
 * when asked for, the selection and, internally (pricing), exclude and the weight period. Null
 * when a field needed is missing or invalid (then named in `errors`).
 */
function readMeasure(
  record: Record<string, unknown>,
  fields: FieldReader,
  errors: ValidationIssue[],
  options: { granularity: boolean; internal: boolean },
): Omit<UsageQuery, 'customerId' | 'subscriptionId'> | null {
  const metricKey = fields.id('metric_key', true);
  const start = fields.instant('period_start');
  const end = fields.instant('period_end');
  if (start && end && (end.epochMillis < start.epochMillis || (end.epochMillis === start.epochMillis && end.micros <= start.micros))) {
    errors.push({ field: 'period_end', message: 'must be after period_start' });
  }
  let granularity: Granularity | null = null;
  if (options.granularity) {
    const value = fields.text('granularity', true);
    if (value === 'hour' || value === 'day') granularity = value;
    else if (value !== null) errors.push({ field: 'granularity', message: 'must be "hour" or "day"' });
  }
  const selection = parseSelection(record, errors, options.internal);
  let weightPeriod: UsageQuery['weightPeriod'];
  if (options.internal && (record.weight_period_start !== undefined || record.weight_period_end !== undefined)) {
    const weightStart = fields.instant('weight_period_start');
    const weightEnd = fields.instant('weight_period_end');
    if (weightStart && weightEnd && start && end) {
      if (weightStart.epochMillis > start.epochMillis || weightEnd.epochMillis < end.epochMillis) {
        errors.push({ field: 'weight_period_start', message: 'the weight period must contain [period_start, period_end)' });
      } else weightPeriod = { start: weightStart, end: weightEnd };
    }
  }
  if (!metricKey || !start || !end) return null;
  return { metricKey, start, end, granularity, selection, ...(weightPeriod ? { weightPeriod } : {}) };
}

const SELECTION_FIELDS = ['filter', 'group_by'];
/** Pricing's own: events an earlier charge took, and the period a weighted_sum is weighed over. */
const INTERNAL_FIELDS = ['exclude', 'weight_period_start', 'weight_period_end'];
/** `filter[region]` as a query string key (a parser that does not nest brackets leaves it so). */
const FILTER_KEY = /^filter\[([^\]]+)\]$/;
const MAX_FILTER_VALUES = 100;

/**
 * `filter[<property>]=<value>` (repeatable: several values of one property match any of them),
 * given as query keys or as a `filter` object (JSON body: `{"region": ["eu", "us"]}` or a single
 * string), and `group_by` (one property name, or an array of them). Which properties a metric
 * accepts is checked against its dimensions later.
 */
function parseSelection(record: Record<string, unknown>, errors: ValidationIssue[], internal: boolean): UsageSelection {
  const filters: Record<string, string[]> = {};
  const addValues = (property: string, raw: unknown, field: string) => {
    const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.length > 0 && raw.every((v) => typeof v === 'string') ? (raw as string[]) : null;
    if (values === null) errors.push({ field, message: 'must be a string or a non-empty array of strings' });
    else if (values.length > MAX_FILTER_VALUES) errors.push({ field, message: `must list at most ${MAX_FILTER_VALUES} values` });
    else filters[property] = [...new Set([...(filters[property] ?? []), ...values])];
  };
  for (const [key, raw] of Object.entries(record)) {
    const match = FILTER_KEY.exec(key);
    if (match) addValues(match[1], raw, key);
  }
  const filter = record.filter;
  if (filter !== undefined) {
    if (!isObject(filter)) errors.push({ field: 'filter', message: 'must be an object of property names to values' });
    else for (const [property, raw] of Object.entries(filter)) addValues(property, raw, `filter[${property}]`);
  }
  const rawGroupBy = record.group_by;
  let groupBy: string[] = [];
  if (rawGroupBy !== undefined && rawGroupBy !== null && rawGroupBy !== '') {
    const names = typeof rawGroupBy === 'string' ? [rawGroupBy] : Array.isArray(rawGroupBy) ? rawGroupBy : null;
    if (names === null || !names.every((name) => typeof name === 'string' && name.length > 0)) {
      errors.push({ field: 'group_by', message: 'must be a property name or an array of property names' });
    } else if (new Set(names).size !== names.length) errors.push({ field: 'group_by', message: 'must not repeat a property' });
    else groupBy = names as string[];
  }
  const exclude: DimensionFilter[] = [];
  if (internal && record.exclude !== undefined) {
    const raw = record.exclude;
    if (
      !Array.isArray(raw) ||
      !raw.every((item) => isObject(item) && Object.values(item).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string')))
    ) {
      errors.push({ field: 'exclude', message: 'must be an array of filters (property → array of values)' });
    } else exclude.push(...(raw as DimensionFilter[]));
  }
  return { filters, exclude, groupBy };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Periods of one subscription, each with the instant it was last priced (invoicing's late usage check). */
export interface LatePeriodsQuery {
  customerId: string;
  subscriptionId: string;
  periods: Array<{ start: Date; end: Date; checkedAt: Date }>;
}

const MAX_LATE_PERIODS = 500;

export function parseLatePeriodsQuery(input: unknown): { ok: true; query: LatePeriodsQuery } | { ok: false; errors: ValidationIssue[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  const record = input as Record<string, unknown>;
  const errors: ValidationIssue[] = [];
  for (const field of Object.keys(record))
    if (!['customer_id', 'subscription_id', 'periods'].includes(field)) errors.push({ field, message: 'is not a known field' });
  for (const field of ['customer_id', 'subscription_id']) {
    if (typeof record[field] !== 'string' || !CLIENT_ID_PATTERN.test(record[field] as string)) errors.push({ field, message: 'must be an id' });
  }
  const periods: LatePeriodsQuery['periods'] = [];
  if (!Array.isArray(record.periods) || record.periods.length > MAX_LATE_PERIODS) {
    errors.push({ field: 'periods', message: `must be an array of at most ${MAX_LATE_PERIODS} periods` });
  } else {
    record.periods.forEach((period: unknown, index) => {
      const fields = (period && typeof period === 'object' ? period : {}) as Record<string, unknown>;
      const instants = ['period_start', 'period_end', 'checked_at'].map((field) => {
        const parsed = typeof fields[field] === 'string' ? parseEventInstant(fields[field] as string) : undefined;
        if (!parsed) errors.push({ field: `periods[${index}].${field}`, message: 'must be an RFC 3339 timestamp with an offset' });
        return parsed ? new Date(parsed.epochMillis) : null;
      });
      if (instants.every((instant) => instant !== null)) periods.push({ start: instants[0]!, end: instants[1]!, checkedAt: instants[2]! });
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, query: { customerId: record.customer_id as string, subscriptionId: record.subscription_id as string, periods } };
}
