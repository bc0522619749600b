import Big from 'big.js';
import { AbaxusApiError } from '@abaxus/sdk';
import { Command, CommandContext, describeFailure, integerOption, timestampOption, writeJson } from '../cli';
import { ProgressLine } from '../output/progress';
import { renderTable } from '../output/table';

/** Refusals that mean "nothing to invoice for this customer", not a failure of the run. */
const NOTHING_TO_INVOICE = new Set(['already_invoiced', 'no_active_subscription', 'zero_amount_invoice']);
/** Human output lists the issued invoices one by one up to this many (--json always lists them all). */
const ISSUED_TABLE_LIMIT = 50;

interface Issued {
  customer_id: string;
  invoice_id: string;
  number: string;
  currency: string;
  total_amount: string;
}

interface NotIssued {
  customer_id: string;
  status: number | null;
  code: string;
  detail: string;
}

export const invoicesRunCommand: Command = {
  name: 'invoices run',
  arguments: '--cutoff <timestamp> [--customer id]... [--currency code] [--concurrency n]',
  summary: 'Month-end: issue every customer’s invoice up to a cutoff, with progress',
  help: `Issues an invoice up to --cutoff for every customer (or each --customer given), through
POST /v1/invoices, several at a time, with progress on stderr. Customers with nothing to invoice
(no active subscription, a zero total, already invoiced up to the cutoff) are skipped; any other
refusal is a failure, listed at the end.

Safe to run again (after an interruption, or to retry the failures): each customer's request
carries an Idempotency-Key made of the cutoff and the customer, and a customer already invoiced
up to the cutoff is skipped.

Options:
  --cutoff <timestamp>  end of the billed period, RFC 3339 with an offset (required)
  --customer <id>       only this customer (repeatable)
  --currency <code>     only the subscriptions in this currency (for customers with several)
  --concurrency <n>     invoices issued at once (default 4)

Exit status: 0 when no customer failed, 1 otherwise.`,
  options: {
    cutoff: { type: 'string' },
    customer: { type: 'string', multiple: true },
    currency: { type: 'string' },
    concurrency: { type: 'string' },
  },
  run: runMonthEnd,
};

async function runMonthEnd(context: CommandContext): Promise<number> {
  const { values, io } = context;
  const cutoff = timestampOption(values, 'cutoff');
  const currency = values.currency as string | undefined;
  const concurrency = integerOption(values, 'concurrency', 4, 64);
  const progress = new ProgressLine(io.stderr, `invoices up to ${cutoff}`, 'customers', { enabled: !context.quiet });
  const client = context.client({ onRetry: (notice) => progress.note(`retrying ${notice.operation} (attempt ${notice.attempt}): ${notice.reason.message}`) });

  const customers = (values.customer as string[] | undefined) ?? [];
  if (customers.length === 0) for await (const customer of client.customers.listAll({ limit: 500 })) customers.push(customer.id);

  const issued: Issued[] = [];
  const skipped: NotIssued[] = [];
  const failed: NotIssued[] = [];
  const startedAt = Date.now();
  let next = 0;
  const report = () => {
    const done = issued.length + skipped.length + failed.length;
    progress.update({ done, total: customers.length, count: done, refused: failed.length });
  };
  report();
  const worker = async () => {
    for (let i = next++; i < customers.length; i = next++) {
      const customerId = customers[i];
      try {
        const invoice = await client.invoices.issue(
          { customer_id: customerId, cutoff_date: cutoff, ...(currency ? { currency } : {}) },
          { idempotencyKey: `invoices-run:${cutoff}:${currency ?? '*'}:${customerId}` },
        );
        issued.push({
          customer_id: customerId,
          invoice_id: invoice.id,
          number: invoice.number,
          currency: invoice.currency,
          total_amount: invoice.total_amount,
        });
      } catch (error) {
        const outcome = {
          customer_id: customerId,
          status: error instanceof AbaxusApiError ? error.status : null,
          code: error instanceof AbaxusApiError ? error.code : 'no_answer',
          detail: error instanceof AbaxusApiError ? error.detail : describeFailure(error, context.url),
        };
        (error instanceof AbaxusApiError && NOTHING_TO_INVOICE.has(error.code) ? skipped : failed).push(outcome);
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, customers.length) }, worker));
  progress.finish();

  issued.sort((a, b) => a.number.localeCompare(b.number));
  const totals = totalsByCurrency(issued);
  const elapsedSeconds = Number(((Date.now() - startedAt) / 1000).toFixed(3));
  if (context.json) {
    writeJson(io, { cutoff, customers: customers.length, issued, skipped, failed, totals, elapsed_seconds: elapsedSeconds });
  } else {
    const skippedByCode = countBy(skipped.map((outcome) => outcome.code));
    const lines = [
      `Invoices up to ${cutoff}: ${customers.length.toLocaleString('en')} customers, ${issued.length.toLocaleString('en')} issued` +
        `${
          Object.keys(totals).length
            ? ` (${Object.entries(totals)
                .map(([code, total]) => `${code} ${total}`)
                .join(', ')})`
            : ''
        }, ` +
        `${skipped.length.toLocaleString('en')} skipped${
          skipped.length
            ? ` (${Object.entries(skippedByCode)
                .map(([code, n]) => `${code} ${n}`)
                .join(', ')})`
            : ''
        }, ` +
        `${failed.length.toLocaleString('en')} failed, in ${elapsedSeconds} s.`,
    ];
    if (issued.length && issued.length <= ISSUED_TABLE_LIMIT) {
      lines.push(
        '',
        renderTable(issued, [
          { header: 'NUMBER', value: (row) => row.number },
          { header: 'INVOICE', value: (row) => row.invoice_id },
          { header: 'CUSTOMER', value: (row) => row.customer_id },
          { header: 'TOTAL', value: (row) => row.total_amount, align: 'right' },
          { header: 'CURRENCY', value: (row) => row.currency },
        ]),
      );
    } else if (issued.length) lines.push(`(${issued.length.toLocaleString('en')} invoices: --json lists them all, or abaxus invoices list)`);
    if (failed.length) {
      lines.push(
        '',
        'Failed:',
        renderTable(failed, [
          { header: 'CUSTOMER', value: (row) => row.customer_id },
          { header: 'STATUS', value: (row) => String(row.status ?? '-'), align: 'right' },
          { header: 'CODE', value: (row) => row.code },
          { header: 'DETAIL', value: (row) => row.detail },
        ]),
      );
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return failed.length ? 1 : 0;
}

/** Sum of the issued totals per currency, as decimal strings at the totals' own precision (big.js: never a float). */
function totalsByCurrency(issued: Issued[]): Record<string, string> {
  const totals = new Map<string, { sum: Big; decimals: number }>();
  for (const invoice of issued) {
    const total = totals.get(invoice.currency) ?? { sum: new Big(0), decimals: 0 };
    const decimals = invoice.total_amount.split('.')[1]?.length ?? 0;
    totals.set(invoice.currency, { sum: total.sum.plus(invoice.total_amount), decimals: Math.max(total.decimals, decimals) });
  }
  return Object.fromEntries([...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, total]) => [code, total.sum.toFixed(total.decimals)]));
}

function countBy(codes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}
