import { useState } from 'preact/hooks';
import { api, Invoice } from '../api';
import { ConfirmAction, Link, ProblemView, Status, useAsync, When } from '../components';
import { hasEndpoint } from '../features';
import { formatMoney } from '../format/money';

/** Failed when the invoice is still unpaid and its latest payment attempt failed. */
export function paymentFailed(invoice: Invoice): boolean {
  const attempts = invoice.payment_attempts ?? [];
  return invoice.status === 'issued' && attempts.length > 0 && attempts[attempts.length - 1].status === 'failed';
}

/** What is left to pay once credits and credit notes are applied (engines with credits answer it), else undefined. */
function amountDue(invoice: Invoice): string | undefined {
  return (invoice as Invoice & { amount_due?: string }).amount_due;
}

/** Fetches a PDF with the API key (a plain link could not send it) and saves it under `filename`. */
async function downloadPdf(path: string, filename: string): Promise<void> {
  const blob = await api.blob(path);
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function PdfButton({ path, number }: { path: string; number: string }) {
  const [error, setError] = useState<unknown>(undefined);
  return (
    <>
      <button
        type="button"
        onClick={() => downloadPdf(path, `${number}.pdf`).then(() => setError(undefined), setError)}
        aria-label={`Download PDF of ${number}`}
      >
        PDF
      </button>
      <ProblemView error={error} />
    </>
  );
}

export function InvoiceTable({ invoices, onChange, showCustomer }: { invoices: Invoice[]; onChange: () => void; showCustomer: boolean }) {
  const canCreditNote = useAsync(() => hasEndpoint('/v1/invoices/{id}/credit-notes'), []);
  if (invoices.length === 0) return <p class="muted">No invoice.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Number</th>
            {showCustomer && <th scope="col">Customer</th>}
            <th scope="col">Status</th>
            <th scope="col">Period</th>
            <th scope="col" class="num">
              Total
            </th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {invoices.map((invoice) => {
            const path = `/v1/invoices/${encodeURIComponent(invoice.id)}`;
            const open = invoice.status === 'issued';
            return (
              <tr key={invoice.id} data-invoice={invoice.id}>
                <th scope="row">{invoice.number}</th>
                {showCustomer && (
                  <td>
                    <Link to={`/customers/${encodeURIComponent(invoice.customer_id)}`}>{invoice.customer_id}</Link>
                  </td>
                )}
                <td>
                  <Status value={invoice.status} /> {paymentFailed(invoice) && <Status value="payment_failed" />}
                </td>
                <td>
                  <When at={invoice.period_start} /> → <When at={invoice.period_end} />
                </td>
                <td class="num">
                  {formatMoney(invoice.total_amount, invoice.currency)}
                  {amountDue(invoice) !== undefined && amountDue(invoice) !== invoice.total_amount && (
                    <div class="muted">due {formatMoney(amountDue(invoice)!, invoice.currency)}</div>
                  )}
                </td>
                <td>
                  <div class="row-actions">
                    <PdfButton path={`${path}/pdf`} number={invoice.number ?? invoice.id} />
                    <ConfirmAction
                      label="Send email"
                      question={`Email invoice ${invoice.number} to the customer?`}
                      run={() => api.post(`${path}/send-email`)}
                      onDone={onChange}
                    />
                    {open && (
                      <ConfirmAction
                        label="Charge"
                        question={`Charge ${formatMoney(invoice.total_amount, invoice.currency)} for invoice ${invoice.number} to the card on file?`}
                        run={() => api.post(`${path}/charge`)}
                        onDone={onChange}
                      />
                    )}
                    {open && (
                      <ConfirmAction
                        label="Void"
                        danger
                        question={`Void invoice ${invoice.number}? Its number stays used; its period is billed again next time.`}
                        run={() => api.post(`${path}/void`)}
                        onDone={onChange}
                      />
                    )}
                    {canCreditNote.data && (invoice.status === 'issued' || invoice.status === 'paid') && (
                      <CreditNoteAction invoice={invoice} onDone={onChange} />
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CreditNoteAction({ invoice, onDone }: { invoice: Invoice; onDone: () => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('other');
  const [refund, setRefund] = useState(false);
  return (
    <ConfirmAction
      label="Credit note"
      question={`Issue a credit note on invoice ${invoice.number}?`}
      run={() => api.post(`/v1/invoices/${encodeURIComponent(invoice.id)}/credit-notes`, { amount, reason, refund })}
      onDone={onDone}
    >
      <label for={`cn-amount-${invoice.id}`}>Amount ({invoice.currency})</label>
      <input id={`cn-amount-${invoice.id}`} inputMode="decimal" value={amount} onInput={(event) => setAmount(event.currentTarget.value)} />
      <label for={`cn-reason-${invoice.id}`}>Reason</label>
      <select id={`cn-reason-${invoice.id}`} value={reason} onChange={(event) => setReason(event.currentTarget.value)}>
        <option value="duplicate">duplicate</option>
        <option value="product_unsatisfactory">product unsatisfactory</option>
        <option value="order_change">order change</option>
        <option value="other">other</option>
      </select>
      {invoice.status === 'paid' && (
        <label>
          <input type="checkbox" checked={refund} onChange={(event) => setRefund(event.currentTarget.checked)} /> Refund to the card (else credit the customer's
          balance)
        </label>
      )}
    </ConfirmAction>
  );
}
