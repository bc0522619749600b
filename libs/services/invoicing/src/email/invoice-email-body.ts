import type { DocumentParty, InvoiceDocument } from '../documents/invoice-document';

/*
 * The invoice email's text and HTML bodies, from the same document model as the attached PDF:
 * the same blocks, lines, tiers and totals, in the same words.
 */

/** The content id of the issuer's logo, attached inline to the HTML mail. */
export const LOGO_CONTENT_ID = 'issuer-logo@abaxus';

const partyText = (party: DocumentParty) => [party.name, ...party.lines].map((line) => `  ${line}`);

export function invoiceText(document: InvoiceDocument): string {
  const lines: string[] = [];
  const heading = `${document.title} ${document.number}${document.mark ? ` — ${document.mark}` : ''}`;
  lines.push(heading, '='.repeat(heading.length), '');
  if (document.issuer) lines.push('From:', ...partyText(document.issuer), '');
  lines.push('Billed to:', ...partyText(document.billedTo), '');
  for (const fact of document.facts) lines.push(`${fact.label}: ${fact.value}`);
  lines.push('', `Line items (${document.currency}):`);
  for (const group of document.groups) {
    if (group.heading) lines.push('', `  ${group.heading}`);
    for (const line of group.lines) {
      lines.push(`  ${line.description}${line.details.length ? ` (${line.details.join(', ')})` : ''}: quantity ${line.quantity}, amount ${line.amount}`);
      for (const tier of line.tiers) {
        lines.push(`      ${tier.description}: ${tier.quantity} × ${tier.unitPrice} + flat ${tier.flatAmount} = ${tier.amount}`);
      }
    }
  }
  lines.push('');
  for (const total of document.totals) lines.push(`${total.label}: ${total.amount} ${document.currency}`);
  lines.push('', ...document.paymentInstructions);
  if (document.footer) lines.push('', document.footer);
  lines.push('', `The ${document.title.toLowerCase()} is attached as a PDF (${document.number}.pdf).`, '');
  return lines.join('\n');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
const multiline = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');

function partyHtml(label: string, party: DocumentParty): string {
  return (
    `<p style="margin:0 0 16px"><span style="color:#666;font-size:12px;text-transform:uppercase">${escapeHtml(label)}</span><br>` +
    `<strong>${escapeHtml(party.name)}</strong>${party.lines.map((line) => `<br>${escapeHtml(line)}`).join('')}</p>`
  );
}

export function invoiceHtml(document: InvoiceDocument): string {
  const cell = 'padding:6px 10px;border-bottom:1px solid #ddd;vertical-align:top';
  const right = `${cell};text-align:right;white-space:nowrap`;
  const tierCell = 'padding:2px 10px;color:#555;font-size:12px';
  const tierRight = `${tierCell};text-align:right;white-space:nowrap`;
  const rows: string[] = [];
  for (const group of document.groups) {
    if (group.heading) rows.push(`<tr><td colspan="5" style="${cell};color:#555"><strong>${escapeHtml(group.heading)}</strong></td></tr>`);
    for (const line of group.lines) {
      const details = line.details.length ? `<br><small style="color:#666">${escapeHtml(line.details.join(' · '))}</small>` : '';
      rows.push(
        `<tr><td style="${cell}"><strong>${escapeHtml(line.description)}</strong>${details}</td>` +
          `<td style="${right}">${escapeHtml(line.quantity)}</td><td style="${right}"></td><td style="${right}"></td>` +
          `<td style="${right}"><strong>${escapeHtml(line.amount)}</strong></td></tr>`,
      );
      for (const tier of line.tiers) {
        rows.push(
          `<tr><td style="${tierCell};padding-left:24px">${escapeHtml(tier.description)}</td><td style="${tierRight}">${escapeHtml(tier.quantity)}</td>` +
            `<td style="${tierRight}">${escapeHtml(tier.unitPrice)}</td><td style="${tierRight}">${escapeHtml(tier.flatAmount)}</td>` +
            `<td style="${tierRight}">${escapeHtml(tier.amount)}</td></tr>`,
        );
      }
    }
  }
  const totals = document.totals
    .map((total) => {
      const weight = total.emphasis === 'none' ? 'normal' : 'bold';
      const size = total.emphasis === 'due' ? '16px' : '14px';
      const label = total.emphasis === 'due' ? `${total.label} (${document.currency})` : total.label;
      return (
        `<tr><td colspan="4" style="padding:4px 10px;text-align:right;font-weight:${weight};font-size:${size}">${escapeHtml(label)}</td>` +
        `<td style="padding:4px 10px;text-align:right;white-space:nowrap;font-weight:${weight};font-size:${size}">${escapeHtml(total.amount)}</td></tr>`
      );
    })
    .join('\n');
  const markColour = document.mark === 'VOID' ? '#b42318' : '#1a7f37';
  const mark = document.mark
    ? `<p style="display:inline-block;border:3px solid ${markColour};color:${markColour};font-size:24px;font-weight:bold;padding:2px 12px">${document.mark}</p>`
    : '';
  const logo = document.logoPng
    ? `<img src="cid:${LOGO_CONTENT_ID}" alt="${escapeHtml(document.issuer?.name ?? 'Logo')}" style="max-height:56px;max-width:200px"><br>`
    : '';
  const facts = document.facts
    .map(
      (fact) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#666">${escapeHtml(fact.label)}</td><td style="padding:2px 0"><strong>${escapeHtml(fact.value)}</strong></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html><body style="font-family:Helvetica,Arial,sans-serif;color:#222;font-size:14px">
${logo}${document.issuer ? partyHtml('From', document.issuer) : ''}
<h1 style="font-size:22px;margin:16px 0 8px">${escapeHtml(document.title)} ${escapeHtml(document.number)}</h1>
${mark}
<table style="border-collapse:collapse;margin-bottom:16px">
${facts}
</table>
${partyHtml('Billed to', document.billedTo)}
<table style="border-collapse:collapse;min-width:560px">
<thead><tr><th style="${cell};text-align:left">Description</th><th style="${right}">Quantity</th><th style="${right}">Unit price</th><th style="${right}">Flat amount</th><th style="${right}">Amount (${escapeHtml(document.currency)})</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
<tfoot>
${totals}
</tfoot>
</table>
<p>${document.paymentInstructions.map(escapeHtml).join('<br>')}</p>
${document.footer ? `<p style="color:#666">${multiline(document.footer)}</p>` : ''}
<p style="color:#666">The ${escapeHtml(document.title.toLowerCase())} is attached as a PDF (${escapeHtml(document.number)}.pdf).</p>
</body></html>
`;
}
