import type { Metric, UsageValue } from '@abaxus/sdk';
import { Command, CommandContext, timestampOption, UsageError, writeJson } from '../cli';
import { renderTable } from '../output/table';

export const usageSummaryCommand: Command = {
  name: 'usage summary',
  arguments: '--customer id [--metric key]... [--from timestamp] [--to timestamp] [--subscription id] [--strong]',
  summary: "A customer's usage per metric over a period, as a table",
  help: `A customer's usage of each metric (or of each --metric given) over [--from, --to): from the
pre-computed aggregates (GET /v1/usage/summary), or with --strong the exact read-your-writes
figure from the events store (POST /v1/usage/compute, the one invoices use).

Options:
  --customer <id>        the customer (required)
  --metric <key>         only this metric (repeatable; default: every metric)
  --from <timestamp>     period start, RFC 3339 with an offset (default: start of this UTC month)
  --to <timestamp>       period end, exclusive (default: start of next UTC month)
  --subscription <id>    only this subscription's events (plus the customer's without one)
  --strong               exact figures (slower: waits for the pipeline to catch up)`,
  options: {
    customer: { type: 'string' },
    metric: { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    subscription: { type: 'string' },
    strong: { type: 'boolean' },
  },
  run: summarizeUsage,
};

interface UsageRow {
  metric_key: string;
  aggregation_type: string | null;
  value: string | null;
  consistency: string;
  as_of: string;
}

async function summarizeUsage(context: CommandContext): Promise<number> {
  const { values, io } = context;
  const customerId = values.customer;
  if (typeof customerId !== 'string') throw new UsageError('--customer is required');
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const nextMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  const from = timestampOption(values, 'from', monthStart);
  const to = timestampOption(values, 'to', nextMonthStart);
  const client = context.client();

  const wanted = values.metric as string[] | undefined;
  const metrics: Array<Pick<Metric, 'key'> & { aggregation_type: string | null }> = [];
  if (wanted) for (const key of wanted) metrics.push(await client.metrics.get(key));
  else for await (const metric of client.metrics.listAll({ limit: 500 })) metrics.push(metric);
  metrics.sort((a, b) => a.key.localeCompare(b.key));

  const rows: UsageRow[] = [];
  for (const metric of metrics) {
    const query = {
      customer_id: customerId,
      metric_key: metric.key,
      period_start: from,
      period_end: to,
      ...(values.subscription ? { subscription_id: values.subscription as string } : {}),
    };
    const usage: UsageValue = values.strong ? await client.usage.compute(query) : await client.usage.summary(query);
    rows.push({
      metric_key: metric.key,
      aggregation_type: metric.aggregation_type,
      value: usage.value ?? null,
      consistency: usage.meta.consistency,
      as_of: usage.meta.as_of,
    });
  }
  if (context.json) {
    writeJson(io, { customer_id: customerId, period_start: from, period_end: to, subscription_id: values.subscription ?? null, usage: rows });
    return 0;
  }
  const table = renderTable(rows, [
    { header: 'METRIC', value: (row) => row.metric_key },
    { header: 'AGGREGATION', value: (row) => row.aggregation_type ?? '' },
    { header: 'VALUE', value: (row) => row.value ?? '-', align: 'right' },
    { header: 'CONSISTENCY', value: (row) => row.consistency },
    { header: 'AS OF', value: (row) => row.as_of },
  ]);
  io.stdout.write(`Usage of ${customerId} from ${from} to ${to}${values.subscription ? ` (subscription ${values.subscription})` : ''}\n${table}\n`);
  return 0;
}
