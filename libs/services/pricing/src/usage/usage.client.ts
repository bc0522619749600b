import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { GroupUsage, UsageRead } from '@abaxus/domain/pricing/plan-calculation';
import { parseDecimal } from '@abaxus/domain/money/decimal';
import { BatchItemProblem, fromBatchItemProblem } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { Settled } from '@abaxus/platform/service/settled';

/** Whose usage over which period: every read of one calculation shares it. */
export interface UsageScope {
  customerId: string;
  subscriptionId: string;
  /** Half-open [start, end). */
  start: Date;
  end: Date;
  /** A weighted_sum over a piece of a longer period (a plan phase) is weighed over that period. */
  weightPeriod?: { start: Date; end: Date };
}

type Figure = string | number | null;

/** Subscriptions per billable-batches call (aggregation takes up to 500). */
const BATCHES_PER_CALL = 200;

/** One query's answer of POST /internal/v1/usage/billable-batch. */
interface BillableAnswer {
  value?: Figure;
  values?: unknown[];
  groups?: Array<{ dimensions: Record<string, string | null>; value: Figure; values?: unknown[] }>;
}

/** Exact, read-your-writes usage from the aggregation service (its internal billable figures). */
@Injectable()
export class UsageClient {
  constructor(private readonly http: ServiceHttpClient) {}

  /**
   * Each read's usage per group of its selection (one group `{}` when it does not group), with
   * each event's value when the read is priced per event; in the order of `reads`, all asked in
   * one call, so aggregation waits for its pipeline once.
   */
  async exactUsage(scope: UsageScope, reads: readonly UsageRead[]): Promise<GroupUsage[][]> {
    const { answers } = await this.http.expectOk<{ answers: BillableAnswer[] }>('aggregation', 'POST', '/internal/v1/usage/billable-batch', {
      customer_id: scope.customerId,
      subscription_id: scope.subscriptionId,
      queries: reads.map((read) => queryOf(scope, read)),
    });
    return usageOf(reads, answers);
  }

  /**
   * exactUsage for many scopes (a batch of calculations) in one call per BATCHES_PER_CALL; each
   * answers on its own, refused with the problem aggregation gave it.
   */
  async exactUsageMany(items: ReadonlyArray<{ scope: UsageScope; reads: readonly UsageRead[] }>): Promise<Array<Settled<GroupUsage[][]>>> {
    const answered: Array<Settled<GroupUsage[][]>> = [];
    for (let offset = 0; offset < items.length; offset += BATCHES_PER_CALL) {
      const chunk = items.slice(offset, offset + BATCHES_PER_CALL);
      const { results } = await this.http.expectOk<{ results: Array<{ answers?: BillableAnswer[]; error?: BatchItemProblem }> }>(
        'aggregation',
        'POST',
        '/internal/v1/usage/billable-batches',
        {
          batches: chunk.map(({ scope, reads }) => ({
            customer_id: scope.customerId,
            subscription_id: scope.subscriptionId,
            queries: reads.map((read) => queryOf(scope, read)),
          })),
        },
      );
      if (!Array.isArray(results) || results.length !== chunk.length) {
        throw new Error(`the aggregation service answered ${Array.isArray(results) ? results.length : 'no'} usage batches for ${chunk.length}`);
      }
      for (const [index, result] of results.entries()) {
        if (result.error) {
          answered.push({ ok: false, error: fromBatchItemProblem(result.error) });
          continue;
        }
        try {
          answered.push({ ok: true, value: usageOf(chunk[index].reads, result.answers) });
        } catch (error) {
          answered.push({ ok: false, error });
        }
      }
    }
    return answered;
  }
}

/** Each read's usage per group from aggregation's answers, in the order of `reads`. */
function usageOf(reads: readonly UsageRead[], answers: BillableAnswer[] | undefined): GroupUsage[][] {
  if (!Array.isArray(answers) || answers.length !== reads.length) {
    throw new Error(`the aggregation service answered ${Array.isArray(answers) ? answers.length : 'no'} usage figures for ${reads.length} queries`);
  }
  return answers.map((answer, index) => {
    const read = reads[index];
    const groups = answer.groups ?? [{ dimensions: {}, value: answer.value ?? null, values: answer.values }];
    return groups.map((group) => ({
      group: group.dimensions,
      quantity: quantityOf(read, group.value),
      ...(read.perEvent ? { eventValues: (group.values ?? []).map((value) => decimalOf(read, value, 'an event value')) } : {}),
    }));
  });
}

function queryOf(scope: UsageScope, read: UsageRead): Record<string, unknown> {
  const { selection } = read;
  return {
    metric_key: read.metricKey,
    period_start: scope.start.toISOString(),
    period_end: scope.end.toISOString(),
    ...(Object.keys(selection.filters).length > 0 ? { filter: selection.filters } : {}),
    ...(selection.exclude.length > 0 ? { exclude: selection.exclude } : {}),
    ...(selection.groupBy.length > 0 ? { group_by: selection.groupBy } : {}),
    ...(scope.weightPeriod ? { weight_period_start: scope.weightPeriod.start.toISOString(), weight_period_end: scope.weightPeriod.end.toISOString() } : {}),
    ...(read.perEvent ? { values: true } : {}),
  };
}

function quantityOf(read: UsageRead, value: Figure | undefined): Big {
  // max, min and latest have no value over an empty period: nothing to bill.
  return value === null || value === undefined ? new Big(0) : decimalOf(read, value, 'usage');
}

function decimalOf(read: UsageRead, value: unknown, what: string): Big {
  const parsed = parseDecimal(value, { allowNegative: true });
  if (!parsed.ok) throw new Error(`${what} of ${read.metricKey} from the aggregation service is not a decimal: ${String(value)}`);
  return parsed.value;
}
