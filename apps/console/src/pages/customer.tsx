import { useState } from 'preact/hooks';
import { Alert, api, Customer, Invoice, Page, PricePlanVersion, query, Subscription, UpcomingInvoice, UsageHistogram } from '../api';
import { ConfirmAction, Loaded, Status, useAsync, When } from '../components';
import { hasEndpoint } from '../features';
import { formatMoney, formatQuantity, formatUnitPrice } from '../format/money';
import { UsageChart } from '../usage-chart';
import { InvoiceTable, PdfButton } from './invoice-table';

/** One customer: subscriptions, usage per metric, the upcoming invoice, invoices, payments, credits, alerts. */
export function CustomerPage({ id }: { id: string }) {
  const path = `/v1/customers/${encodeURIComponent(id)}`;
  const customer = useAsync(() => api.get<Customer>(path), [id]);
  const subscriptions = useAsync(() => api.get<Page<Subscription>>(`/v1/subscriptions${query({ customer_id: id, limit: 100 })}`), [id]);
  const invoices = useAsync(() => api.get<Page<Invoice>>(`/v1/invoices${query({ customer_id: id, limit: 100 })}`), [id]);
  // Bumped by every invoice action, so the credit notes (their own section) are read again too.
  const [billingRound, setBillingRound] = useState(0);
  const refreshBilling = () => {
    setBillingRound((round) => round + 1);
    invoices.reload();
    upcoming.reload();
  };
  const upcoming = useAsync(() => api.optional<UpcomingInvoice>(`${path}/upcoming-invoice`), [id]);
  return (
    <>
      <Loaded state={customer}>
        {(data) => (
          <>
            <h1>{data.name ?? data.id}</h1>
            <dl class="facts">
              <dt>Id</dt>
              <dd>
                <code>{data.id}</code>
              </dd>
              <dt>Email</dt>
              <dd>{data.email ?? '—'}</dd>
              <dt>Payments</dt>
              <dd>{data.payment_method?.provider_payment_method ? `card on file (${data.payment_method.provider_payment_method})` : 'no payment method'}</dd>
              <dt>Since</dt>
              <dd>
                <When at={data.created_at} />
              </dd>
            </dl>
            <div class="actions">
              <ConfirmAction
                label="Issue invoice"
                question={`Issue an invoice to ${data.name ?? data.id} for everything not invoiced up to now?`}
                run={() => api.post('/v1/invoices', { customer_id: id, cutoff_date: new Date(Date.now() - 1000).toISOString() })}
                onDone={refreshBilling}
              />
            </div>
          </>
        )}
      </Loaded>
      <section aria-labelledby="subscriptions-heading">
        <h2 id="subscriptions-heading">Subscriptions</h2>
        <Loaded state={subscriptions}>{(page) => <Subscriptions subscriptions={page.data} />}</Loaded>
      </section>
      <section aria-labelledby="usage-heading">
        <h2 id="usage-heading">Usage</h2>
        <Loaded state={subscriptions}>{(page) => <Usage customerId={id} subscriptions={page.data} />}</Loaded>
      </section>
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">Upcoming invoice</h2>
        <Loaded state={upcoming}>{(data) => (data ? <UpcomingInvoiceView invoice={data} /> : <p class="muted">Nothing to invoice yet.</p>)}</Loaded>
      </section>
      <section aria-labelledby="invoices-heading">
        <h2 id="invoices-heading">Invoices</h2>
        <Loaded state={invoices}>{(page) => <InvoiceTable invoices={page.data} onChange={refreshBilling} showCustomer={false} />}</Loaded>
      </section>
      <section aria-labelledby="credit-notes-heading">
        <h2 id="credit-notes-heading">Credit notes</h2>
        <CreditNotes customerId={id} round={billingRound} />
      </section>
      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">Payment attempts</h2>
        <Loaded state={invoices}>{(page) => <PaymentAttempts invoices={page.data} />}</Loaded>
      </section>
      <section aria-labelledby="credits-heading">
        <h2 id="credits-heading">Credit balance</h2>
        <CreditBalance customerId={id} />
      </section>
      <section aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">Alerts</h2>
        <Alerts customerId={id} />
      </section>
    </>
  );
}

/** Plan changes (branch plan-changes): every plan the subscription has had, oldest first; absent on engines without them. */
interface Phase {
  plan_id: string;
  plan_version: number;
  start: string;
  end: string | null;
}
type WithPhases = Subscription & { phases?: Phase[] };

function Subscriptions({ subscriptions }: { subscriptions: WithPhases[] }) {
  if (subscriptions.length === 0) return <p class="muted">No subscription.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Subscription</th>
            <th scope="col">Status</th>
            <th scope="col">Plan</th>
            <th scope="col">Current period</th>
            <th scope="col">Phases</th>
          </tr>
        </thead>
        <tbody>
          {subscriptions.map((subscription) => (
            <tr key={subscription.id}>
              <td>
                <code>{subscription.id}</code>
              </td>
              <td>
                <Status value={subscription.status} />
              </td>
              <td>
                {subscription.plan_id} v{subscription.plan_version}
              </td>
              <td>
                <When at={subscription.current_period_start} /> → <When at={subscription.current_period_end} />
              </td>
              <td>
                {subscription.phases?.length ? (
                  <ol class="phases">
                    {subscription.phases.map((phase, index) => (
                      <li key={index}>
                        {phase.plan_id} v{phase.plan_version}: <When at={phase.start} /> → {phase.end ? <When at={phase.end} /> : 'open'}
                      </li>
                    ))}
                  </ol>
                ) : (
                  <span class="muted">one phase</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface MetricChoice {
  metricKey: string;
  subscription: Subscription;
}

/** The metrics the customer's plans charge for, each chartable per hour or per day. */
function Usage({ customerId, subscriptions }: { customerId: string; subscriptions: Subscription[] }) {
  const choices = useAsync(async () => {
    const found: MetricChoice[] = [];
    for (const subscription of subscriptions) {
      const version = await api.get<PricePlanVersion>(`/v1/price-plans/${encodeURIComponent(subscription.plan_id)}/versions/${subscription.plan_version}`);
      for (const charge of version.charges)
        if (
          'metric_key' in charge &&
          charge.metric_key &&
          !found.some((choice) => choice.metricKey === charge.metric_key && choice.subscription.id === subscription.id)
        )
          found.push({ metricKey: charge.metric_key, subscription });
    }
    return found;
  }, [subscriptions]);
  const [selected, setSelected] = useState(0);
  const [granularity, setGranularity] = useState<'hour' | 'day'>('day');
  return (
    <Loaded state={choices}>
      {(list) => {
        if (list.length === 0) return <p class="muted">No metered charge.</p>;
        const choice = list[Math.min(selected, list.length - 1)];
        return (
          <>
            <div class="toolbar">
              <label for="usage-metric">Metric</label>
              <select id="usage-metric" value={String(selected)} onChange={(event) => setSelected(Number(event.currentTarget.value))}>
                {list.map((item, index) => (
                  <option key={`${item.subscription.id}:${item.metricKey}`} value={String(index)}>
                    {item.metricKey} ({item.subscription.id})
                  </option>
                ))}
              </select>
              <label for="usage-granularity">Granularity</label>
              <select id="usage-granularity" value={granularity} onChange={(event) => setGranularity(event.currentTarget.value as 'hour' | 'day')}>
                <option value="day">day</option>
                <option value="hour">hour</option>
              </select>
            </div>
            <MetricUsage customerId={customerId} choice={choice} granularity={granularity} />
          </>
        );
      }}
    </Loaded>
  );
}

function MetricUsage({ customerId, choice, granularity }: { customerId: string; choice: MetricChoice; granularity: 'hour' | 'day' }) {
  const { subscription, metricKey } = choice;
  const now = Date.now();
  const periodStart = subscription.current_period_start ?? new Date(now - 30 * 86400000).toISOString();
  const periodEnd = subscription.current_period_end ?? new Date(now).toISOString();
  const params = query({ customer_id: customerId, metric_key: metricKey, subscription_id: subscription.id, period_start: periodStart, period_end: periodEnd });
  const usage = useAsync(async () => {
    const [summary, histogram] = await Promise.all([
      api.get<{ value: string | null }>(`/v1/usage/summary${params}`),
      api.get<UsageHistogram>(`/v1/usage/histogram${params}&granularity=${granularity}`),
    ]);
    return { summary, histogram };
  }, [params, granularity]);
  return (
    <Loaded state={usage}>
      {({ summary, histogram }) => (
        <>
          <p class="figure">
            <span class="figure-value" data-testid="usage-summary">
              {formatQuantity(summary.value)}
            </span>{' '}
            <span class="muted">
              {metricKey} from <When at={periodStart} /> to <When at={periodEnd} /> (as of <When at={histogram.meta?.as_of} />)
            </span>
          </p>
          <UsageChart histogram={histogram} label={metricKey} />
        </>
      )}
    </Loaded>
  );
}

function UpcomingInvoiceView({ invoice }: { invoice: UpcomingInvoice }) {
  return (
    <>
      <p class="figure">
        <span class="figure-value" data-testid="upcoming-total">
          {formatMoney(invoice.total_amount, invoice.currency)}
        </span>{' '}
        <span class="muted">
          for <When at={invoice.period_start} /> → <When at={invoice.period_end} />
        </span>
      </p>
      <LineItems items={invoice.line_items} currency={invoice.currency} />
    </>
  );
}

/** Every line with its tiers: quantity per tier, unit and flat amounts, and the tier's amount. */
export function LineItems({ items, currency }: { items: UpcomingInvoice['line_items']; currency: string }) {
  if (items.length === 0) return <p class="muted">No line.</p>;
  return (
    <div class="table-wrap">
      <table class="lines">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Model</th>
            <th scope="col">Tier</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Unit
            </th>
            <th scope="col" class="num">
              Flat
            </th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {items.flatMap((item, index) => [
            <tr key={`line-${index}`} class="line">
              <th scope="row">{item.metric_key ?? 'flat fee'}</th>
              <td>{item.model}</td>
              <td />
              <td class="num">{formatQuantity(item.quantity)}</td>
              <td />
              <td />
              <td class="num">{formatMoney(item.amount, currency)}</td>
            </tr>,
            ...(item.tiers ?? []).map((tier, tierIndex) => (
              <tr key={`line-${index}-tier-${tierIndex}`} class="tier">
                <td />
                <td />
                <td>{tierRange(tier.from, tier.up_to)}</td>
                <td class="num">{formatQuantity(tier.quantity)}</td>
                <td class="num">{formatUnitPrice(tier.unit_amount, currency)}</td>
                <td class="num">{formatUnitPrice(tier.flat_amount, currency)}</td>
                <td class="num">{formatMoney(tier.amount, currency)}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </div>
  );
}

/** A tier holds the quantities above `from` up to `up_to`: "up to 5", "above 5 up to 10", "above 10". */
function tierRange(from: string, upTo: string | number | null): string {
  const lower = from === '0' ? '' : `above ${formatQuantity(from)}`;
  const upper = upTo === null ? '' : `up to ${formatQuantity(String(upTo))}`;
  return [lower, upper].filter(Boolean).join(' ') || 'all';
}

function PaymentAttempts({ invoices }: { invoices: Invoice[] }) {
  const attempts = invoices.flatMap((invoice) => (invoice.payment_attempts ?? []).map((attempt) => ({ invoice, attempt })));
  if (attempts.length === 0) return <p class="muted">No payment attempt.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            <th scope="col">Attempt</th>
            <th scope="col">Status</th>
            <th scope="col">Failure</th>
            <th scope="col">Decline code</th>
            <th scope="col">At</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map(({ invoice, attempt }) => (
            <tr key={`${invoice.id}-${attempt.attempt}`}>
              <td>{invoice.number}</td>
              <td>{attempt.attempt}</td>
              <td>
                <Status value={attempt.status} />
              </td>
              <td>{attempt.failure_code ?? '—'}</td>
              <td data-testid="decline-code">{attempt.decline_code ?? '—'}</td>
              <td>
                <When at={attempt.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** GET /v1/customers/{id}/credit-balance (prepaid credits, Part II §7): per currency, the balance and its live grants. */
interface CreditBalanceAnswer {
  balances: Array<{
    currency: string;
    balance: string;
    grants: Array<{ id: string; amount: string; remaining_amount: string; category: string; expires_at: string | null }>;
  }>;
}

/** Shown when the engine has prepaid credits (GET …/credit-balance); "not available" while it answers 404. */
function CreditBalance({ customerId }: { customerId: string }) {
  const path = `/v1/customers/${encodeURIComponent(customerId)}`;
  const balance = useAsync(() => api.optional<CreditBalanceAnswer>(`${path}/credit-balance`), [customerId]);
  const canGrant = useAsync(() => hasEndpoint('/v1/customers/{id}/credit-grants'), []);
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('USD');
  return (
    <Loaded state={balance}>
      {(data) => {
        if (!data) return <p class="muted">Not available on this engine.</p>;
        const rows = data.balances ?? [];
        return (
          <>
            {rows.length === 0 ? (
              <p class="muted">No credit.</p>
            ) : (
              <ul>
                {rows.map((row) => (
                  <li key={row.currency}>
                    <strong data-testid="credit-balance">{formatMoney(row.balance, row.currency)}</strong>
                    {(row.grants ?? []).length > 0 && (
                      <ul>
                        {row.grants.map((grant) => (
                          <li key={grant.id}>
                            {formatMoney(grant.remaining_amount, row.currency)} left of {formatMoney(grant.amount, row.currency)} ({grant.category}), expires{' '}
                            {grant.expires_at ? <When at={grant.expires_at} /> : 'never'}
                          </li>
                        ))}
                      </ul>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {canGrant.data && (
              <ConfirmAction
                label="Grant credits"
                question="Grant prepaid credits to this customer?"
                run={() => api.post(`${path}/credit-grants`, { amount, currency, category: 'promotional' })}
                onDone={balance.reload}
              >
                <label for="grant-amount">Amount</label>
                <input id="grant-amount" inputMode="decimal" value={amount} onInput={(event) => setAmount(event.currentTarget.value)} />
                <label for="grant-currency">Currency</label>
                <input id="grant-currency" value={currency} maxLength={3} onInput={(event) => setCurrency(event.currentTarget.value.toUpperCase())} />
              </ConfirmAction>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

interface CreditNote {
  id: string;
  number: string;
  invoice_number: string;
  currency: string;
  amount: string;
  reason: string;
  settlement: string;
  created_at: string;
}

/** Credit notes (GET /v1/credit-notes); "not available" on an engine without them (404). */
function CreditNotes({ customerId, round }: { customerId: string; round: number }) {
  const notes = useAsync(() => api.optional<Page<CreditNote>>(`/v1/credit-notes${query({ customer_id: customerId, limit: 100 })}`), [customerId, round]);
  return (
    <Loaded state={notes}>
      {(page) =>
        !page ? (
          <p class="muted">Not available on this engine.</p>
        ) : page.data.length === 0 ? (
          <p class="muted">No credit note.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Invoice</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">Reason</th>
                  <th scope="col">Given back as</th>
                  <th scope="col">Issued</th>
                  <th scope="col">Document</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((note) => (
                  <tr key={note.id} data-credit-note={note.id}>
                    <th scope="row">{note.number}</th>
                    <td>{note.invoice_number}</td>
                    <td class="num">{formatMoney(note.amount, note.currency)}</td>
                    <td>{note.reason.replace(/_/g, ' ')}</td>
                    <td>{String(note.settlement).replace(/_/g, ' ')}</td>
                    <td>
                      <When at={note.created_at} />
                    </td>
                    <td>
                      <PdfButton path={`/v1/credit-notes/${encodeURIComponent(note.id)}/pdf`} number={note.number} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Loaded>
  );
}

function Alerts({ customerId }: { customerId: string }) {
  const alerts = useAsync(() => api.get<Page<Alert>>(`/v1/alerts${query({ customer_id: customerId, limit: 100 })}`), [customerId]);
  return (
    <Loaded state={alerts}>
      {(page) =>
        page.data.length === 0 ? (
          <p class="muted">No alert.</p>
        ) : (
          <ul>
            {page.data.map((alert) => (
              <li key={alert.id}>
                <code>{alert.id}</code> {alert.metric_key ?? 'amount'} over{' '}
                {'usage' in alert.threshold ? formatQuantity(String(alert.threshold.usage)) : String(alert.threshold.amount)} — triggered{' '}
                {alert.triggers.length} time(s)
              </li>
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}
