import { api, Invoice, Page, query } from '../api';
import { Loaded, PagerControls, useAsync, usePager } from '../components';
import { formatMoney } from '../format/money';
import { navigate } from '../router';
import { InvoiceTable, paymentFailed } from './invoice-table';
import Big from 'big.js';

const STATUSES = ['issued', 'paid', 'voided', 'archived'];

export function InvoicesPage({ status }: { status: string }) {
  const pager = usePager();
  const page = useAsync(() => api.get<Page<Invoice>>(`/v1/invoices${query({ status, limit: 50, starting_after: pager.cursor })}`), [status, pager.cursor]);
  return (
    <>
      <h1>Invoices</h1>
      <section aria-labelledby="month-end-heading">
        <h2 id="month-end-heading">Month end</h2>
        <MonthEnd />
      </section>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">All invoices</h2>
        <div class="toolbar">
          <label for="invoice-status">Status</label>
          <select
            id="invoice-status"
            value={status}
            onChange={(event) => {
              pager.reset();
              navigate(`/invoices${query({ status: event.currentTarget.value })}`);
            }}
          >
            <option value="">any</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <Loaded state={page}>
          {(data) => (
            <>
              <InvoiceTable invoices={data.data} onChange={page.reload} showCustomer />
              <PagerControls pager={pager} hasMore={data.has_more} nextCursor={data.next_cursor} />
            </>
          )}
        </Loaded>
      </section>
    </>
  );
}

/** At most this many invoices are read for the month-end figures (20 pages of 500). */
const MONTH_END_LIMIT = 10000;

interface Bucket {
  count: number;
  amount: Big;
}

interface MonthRow {
  month: string;
  currency: string;
  issued: Bucket;
  paid: Bucket;
  failed: Bucket;
  total: Bucket;
}

/**
 * Per month of issue and currency: invoices still open (issued), paid, with a failed last payment
 * attempt (failed, also counted in issued), and every non-voided invoice (total). Sums are big.js
 * decimals, never floats.
 */
function MonthEnd() {
  const rows = useAsync(async () => {
    const invoices: Invoice[] = [];
    let cursor: string | undefined;
    let truncated = false;
    for (;;) {
      const page = await api.get<Page<Invoice>>(`/v1/invoices${query({ limit: 500, starting_after: cursor })}`);
      invoices.push(...page.data);
      if (!page.has_more || !page.next_cursor) break;
      if (invoices.length >= MONTH_END_LIMIT) {
        truncated = true;
        break;
      }
      cursor = page.next_cursor;
    }
    const byKey = new Map<string, MonthRow>();
    const empty = (): Bucket => ({ count: 0, amount: new Big(0) });
    const add = (bucket: Bucket, amount: string) => {
      bucket.count += 1;
      bucket.amount = bucket.amount.plus(amount);
    };
    for (const invoice of invoices) {
      if (invoice.status === 'voided') continue;
      const month = invoice.created_at.slice(0, 7);
      const key = `${month} ${invoice.currency}`;
      let row = byKey.get(key);
      if (!row) byKey.set(key, (row = { month, currency: invoice.currency, issued: empty(), paid: empty(), failed: empty(), total: empty() }));
      if (invoice.status === 'issued') add(row.issued, invoice.total_amount);
      if (invoice.status === 'paid') add(row.paid, invoice.total_amount);
      if (paymentFailed(invoice)) add(row.failed, invoice.total_amount);
      add(row.total, invoice.total_amount);
    }
    return { rows: [...byKey.values()].sort((a, b) => b.month.localeCompare(a.month) || a.currency.localeCompare(b.currency)), truncated };
  }, []);
  const cell = (bucket: Bucket, currency: string) => (
    <td class="num">
      {formatMoney(bucket.amount.toFixed(), currency)} <span class="muted">({bucket.count})</span>
    </td>
  );
  return (
    <Loaded state={rows}>
      {({ rows: list, truncated }) =>
        list.length === 0 ? (
          <p class="muted">No invoice yet.</p>
        ) : (
          <div class="table-wrap">
            <table data-testid="month-end">
              <thead>
                <tr>
                  <th scope="col">Month issued</th>
                  <th scope="col">Currency</th>
                  <th scope="col" class="num">
                    Issued (open)
                  </th>
                  <th scope="col" class="num">
                    Paid
                  </th>
                  <th scope="col" class="num">
                    Payment failed
                  </th>
                  <th scope="col" class="num">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((row) => (
                  <tr key={`${row.month} ${row.currency}`}>
                    <th scope="row">{row.month}</th>
                    <td>{row.currency}</td>
                    {cell(row.issued, row.currency)}
                    {cell(row.paid, row.currency)}
                    {cell(row.failed, row.currency)}
                    {cell(row.total, row.currency)}
                  </tr>
                ))}
              </tbody>
            </table>
            {truncated && <p class="muted">Only the newest {MONTH_END_LIMIT} invoices are counted.</p>}
          </div>
        )
      }
    </Loaded>
  );
}
