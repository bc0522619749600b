import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { UsageSelection, WHOLE_USAGE } from '@abaxus/domain/aggregation/usage-selection';
import { parseDecimal } from '@abaxus/domain/money/decimal';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

export interface UsageQuery {
  customerId: string;
  subscriptionId: string;
  metricKey: string;
  /** Half-open [start, end). */
  start: Date;
  end: Date;
  /** Which events count and how they are grouped (a charge's filters and group_by); all of them when absent. */
  selection?: UsageSelection;
  /** A weighted_sum over a piece of a longer period (a plan phase) is weighed over that period. */
  weightPeriod?: { start: Date; end: Date };
}

/** One group's usage: its group_by values (`{}` when not grouped). */
export interface GroupedUsage<T> {
  group: Record<string, string | null>;
  usage: T;
}

interface BillableAnswer<T> {
  value?: T;
  values?: T;
  groups?: Array<{ dimensions: Record<string, string | null>; value: T }>;
}

/** Exact, read-your-writes usage from the aggregation service (its internal billable figures). */
@Injectable()
export class UsageClient {
  constructor(private readonly http: ServiceHttpClient) {}

  /** The quantity per group of the selection (one group `{}` when it does not group). */
  async exactUsage(query: UsageQuery): Promise<Array<GroupedUsage<Big>>> {
    const answer = await this.http.expectOk<BillableAnswer<string | number | null>>('aggregation', 'POST', '/internal/v1/usage/billable', body(query));
    return groupsOf(answer, answer.value).map(({ group, usage }) => ({ group, usage: quantityOf(query, usage) }));
  }

  /** Each event's value in the period per group (strong, like exactUsage), for a charge priced per event. */
  async exactEventValues(query: UsageQuery): Promise<Array<GroupedUsage<Big[]>>> {
    const answer = await this.http.expectOk<BillableAnswer<unknown[]>>('aggregation', 'POST', '/internal/v1/usage/billable-values', body(query));
    return groupsOf(answer, answer.values).map(({ group, usage }) => ({
      group,
      usage: (usage ?? []).map((value) => {
        const parsed = parseDecimal(value, { allowNegative: true });
        if (!parsed.ok) throw new Error(`an event value of ${query.metricKey} from the aggregation service is not a decimal: ${String(value)}`);
        return parsed.value;
      }),
    }));
  }
}

function body(query: UsageQuery): Record<string, unknown> {
  const selection = query.selection ?? WHOLE_USAGE;
  return {
    customer_id: query.customerId,
    subscription_id: query.subscriptionId,
    metric_key: query.metricKey,
    period_start: query.start.toISOString(),
    period_end: query.end.toISOString(),
    ...(Object.keys(selection.filters).length > 0 ? { filter: selection.filters } : {}),
    ...(selection.exclude.length > 0 ? { exclude: selection.exclude } : {}),
    ...(selection.groupBy.length > 0 ? { group_by: selection.groupBy } : {}),
    ...(query.weightPeriod ? { weight_period_start: query.weightPeriod.start.toISOString(), weight_period_end: query.weightPeriod.end.toISOString() } : {}),
  };
}

function groupsOf<T>(answer: BillableAnswer<T>, ungrouped: T | undefined): Array<GroupedUsage<T | undefined>> {
  return answer.groups ? answer.groups.map((group) => ({ group: group.dimensions, usage: group.value })) : [{ group: {}, usage: ungrouped }];
}

function quantityOf(query: UsageQuery, value: string | number | null | undefined): Big {
  // max, min and latest have no value over an empty period: nothing to bill.
  if (value === null || value === undefined) return new Big(0);
  const parsed = parseDecimal(value, { allowNegative: true });
  if (!parsed.ok) throw new Error(`usage of ${query.metricKey} from the aggregation service is not a decimal: ${String(value)}`);
  return parsed.value;
}
