import type { Invoice, InvoiceStatus } from '@abaxus/sdk';
import { Command, CommandContext, integerOption, UsageError, writeJson } from '../cli';
import { renderTable } from '../output/table';

const STATUSES: InvoiceStatus[] = ['issued', 'paid', 'archived'];

export const invoicesListCommand: Command = {
  name: 'invoices list',
  arguments: '[--customer id] [--status status] [--limit n | --all]',
  summary: 'List invoices, newest first, as a table',
  help: `Lists invoices newest first (GET /v1/invoices) as a table: number, id, customer, status,
period, total.

Options:
  --customer <id>       only this customer's invoices
  --status <status>     only invoices in this status (${STATUSES.join(', ')})
  --limit <n>           how many (default 50, at most 500)
  --starting-after <id> the page after this invoice (the next_cursor of the previous page)
  --all                 every invoice, page after page`,
  options: {
    customer: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    'starting-after': { type: 'string' },
    all: { type: 'boolean' },
  },
  run: listInvoices,
};

async function listInvoices(context: CommandContext): Promise<number> {
  const { values, io } = context;
  const status = values.status as InvoiceStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  const limit = integerOption(values, 'limit', 50, 500);
  const query = { ...(values.customer ? { customer_id: values.customer as string } : {}), ...(status ? { status } : {}) };
  const client = context.client();
  let invoices: Invoice[];
  let nextCursor: string | null = null;
  if (values.all) {
    invoices = [];
    for await (const invoice of client.invoices.listAll({ ...query, limit: 500 })) invoices.push(invoice);
  } else {
    const startingAfter = values['starting-after'] as string | undefined;
    const page = await client.invoices.list({ ...query, limit, ...(startingAfter ? { starting_after: startingAfter } : {}) });
    invoices = page.data;
    nextCursor = page.next_cursor;
  }
  if (context.json) {
    writeJson(io, { data: invoices, next_cursor: nextCursor });
    return 0;
  }
  const table = renderTable(invoices, [
    { header: 'NUMBER', value: (invoice) => invoice.number },
    { header: 'ID', value: (invoice) => invoice.id },
    { header: 'CUSTOMER', value: (invoice) => invoice.customer_id },
    { header: 'STATUS', value: (invoice) => invoice.status },
    { header: 'PERIOD', value: (invoice) => `${day(invoice.period_start)} → ${day(invoice.period_end)}` },
    { header: 'TOTAL', value: (invoice) => invoice.total_amount, align: 'right' },
    { header: 'CURRENCY', value: (invoice) => invoice.currency },
  ]);
  const more = nextCursor ? `\nMore: --starting-after ${nextCursor} (or --all)` : '';
  io.stdout.write(`${table}\n${invoices.length} invoice(s)${more}\n`);
  return 0;
}

/** `2026-03-01T00:00:00.000Z` → `2026-03-01T00:00Z`: the minutes tell a mid-month period apart. */
function day(timestamp: string): string {
  return `${timestamp.slice(0, 16)}Z`;
}
