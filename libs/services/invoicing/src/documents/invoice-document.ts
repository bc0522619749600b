import type { InvoiceJson } from '../invoices/invoice-json';

/** Everything the invoice mail and PDF show, worked out once so all three renderings agree. */
export interface InvoiceDocument {
  subject: string;
  number: string;
  customerName: string;
  issuedOn: string;
  period: string;
  currency: string;
  lines: Array<{ description: string; detail: string; quantity: string; amount: string }>;
  total: string;
}

export interface InvoiceRecipient {
  id: string;
  name: string | null;
}

const day = (iso: string) => iso.slice(0, 10);
const instant = (iso: string) =>
  iso
    .replace('T', ' ')
    .replace(/\.000Z$/, 'Z')
    .replace(/\.(\d{3})Z$/, '.$1Z');

export function invoiceDocument(invoice: InvoiceJson, customer: InvoiceRecipient): InvoiceDocument {
  const severalSubscriptions = invoice.line_groups.length > 1;
  return {
    subject: `Invoice ${invoice.number}: ${invoice.total_amount} ${invoice.currency}`,
    number: invoice.number,
    customerName: customer.name ?? customer.id,
    issuedOn: day(invoice.created_at),
    period: `${instant(invoice.period_start)} to ${instant(invoice.period_end)}`,
    currency: invoice.currency,
    lines: invoice.line_items.map((item) => ({
      description: item.metric_key === null ? 'Flat fee' : item.metric_key,
      detail: [item.model.replace('_', ' '), severalSubscriptions ? item.subscription_id : undefined].filter(Boolean).join(', '),
      quantity: item.quantity,
      amount: item.amount,
    })),
    total: invoice.total_amount,
  };
}

export function invoiceText(document: InvoiceDocument): string {
  const lines = document.lines.map((line) => `  ${line.description} (${line.detail}): ${line.quantity} units, ${line.amount} ${document.currency}`);
  return [
    `Invoice ${document.number}`,
    `Billed to: ${document.customerName}`,
    `Issued: ${document.issuedOn}`,
    `Period: ${document.period}`,
    '',
    'Line items:',
    ...lines,
    '',
    `Total: ${document.total} ${document.currency}`,
    '',
    'The invoice is attached as a PDF.',
    '',
  ].join('\n');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

export function invoiceHtml(document: InvoiceDocument): string {
  const cell = 'style="padding:6px 12px;border-bottom:1px solid #ddd"';
  const right = 'style="padding:6px 12px;border-bottom:1px solid #ddd;text-align:right"';
  const rows = document.lines
    .map(
      (line) =>
        `<tr><td ${cell}>${escapeHtml(line.description)}<br><small style="color:#666">${escapeHtml(line.detail)}</small></td>` +
        `<td ${right}>${escapeHtml(line.quantity)}</td><td ${right}>${escapeHtml(line.amount)} ${escapeHtml(document.currency)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html><body style="font-family:Helvetica,Arial,sans-serif;color:#222">
<h1 style="font-size:20px">Invoice ${escapeHtml(document.number)}</h1>
<p>Billed to: <strong>${escapeHtml(document.customerName)}</strong><br>
Issued: ${escapeHtml(document.issuedOn)}<br>
Period: ${escapeHtml(document.period)}</p>
<table style="border-collapse:collapse;min-width:420px">
<thead><tr><th ${cell}>Item</th><th ${right}>Quantity</th><th ${right}>Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td ${cell} colspan="2"><strong>Total</strong></td><td ${right}><strong>${escapeHtml(document.total)} ${escapeHtml(document.currency)}</strong></td></tr></tfoot>
</table>
<p>The invoice is attached as a PDF.</p>
</body></html>
`;
}
