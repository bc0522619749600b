import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { parseDecimal } from '@abaxus/domain/money/decimal';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

export interface UsageQuery {
  customerId: string;
  subscriptionId: string;
  metricKey: string;
  /** Half-open [start, end). */
  start: Date;
  end: Date;
}

interface ComputeAnswer {
  value: string | number | null;
  meta?: { consistency?: string };
}

/** Exact, read-your-writes usage from the aggregation service (its internal billable figure). */
@Injectable()
export class UsageClient {
  constructor(private readonly http: ServiceHttpClient) {}

  async exactUsage(query: UsageQuery): Promise<Big> {
    const answer = await this.http.expectOk<ComputeAnswer>('aggregation', 'POST', '/internal/v1/usage/billable', {
      customer_id: query.customerId,
      subscription_id: query.subscriptionId,
      metric_key: query.metricKey,
      period_start: query.start.toISOString(),
      period_end: query.end.toISOString(),
    });
    // max, min and latest have no value over an empty period: nothing to bill.
    if (answer.value === null) return new Big(0);
    const parsed = parseDecimal(answer.value, { allowNegative: true });
    if (!parsed.ok) throw new Error(`usage of ${query.metricKey} from the aggregation service is not a decimal: ${String(answer.value)}`);
    return parsed.value;
  }

  /** Each event's value in the period (strong, like exactUsage), for a charge priced per event. */
  async exactEventValues(query: UsageQuery): Promise<Big[]> {
    const answer = await this.http.expectOk<{ values: unknown[] }>('aggregation', 'POST', '/internal/v1/usage/billable-values', {
      customer_id: query.customerId,
      subscription_id: query.subscriptionId,
      metric_key: query.metricKey,
      period_start: query.start.toISOString(),
      period_end: query.end.toISOString(),
    });
    return answer.values.map((value) => {
      const parsed = parseDecimal(value, { allowNegative: true });
      if (!parsed.ok) throw new Error(`an event value of ${query.metricKey} from the aggregation service is not a decimal: ${String(value)}`);
      return parsed.value;
    });
  }
}
