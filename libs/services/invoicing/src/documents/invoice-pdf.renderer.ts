import PDFDocument from 'pdfkit';
import type { InvoiceDocument } from './invoice-document';

/** The invoice as an A4 PDF (pdfkit's built-in Helvetica: no font files to ship). */
export function renderInvoicePdf(document: InvoiceDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${document.number}`, Author: 'ABAXUS' } });
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);

    pdf.font('Helvetica-Bold').fontSize(20).text(`Invoice ${document.number}`);
    pdf.moveDown(0.5).font('Helvetica').fontSize(11);
    pdf.text(`Billed to: ${document.customerName}`);
    pdf.text(`Issued: ${document.issuedOn}`);
    pdf.text(`Period: ${document.period}`);
    pdf.moveDown();

    const columns = { item: 50, quantity: 330, amount: 430 };
    const row = (item: string, quantity: string, amount: string, bold = false) => {
      const y = pdf.y;
      pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica');
      pdf.text(item, columns.item, y, { width: 270 });
      const afterItem = pdf.y;
      pdf.text(quantity, columns.quantity, y, { width: 90, align: 'right' });
      pdf.text(amount, columns.amount, y, { width: 115, align: 'right' });
      pdf.y = Math.max(afterItem, pdf.y) + 4;
    };
    row('Item', 'Quantity', `Amount (${document.currency})`, true);
    for (const line of document.lines) row(`${line.description} (${line.detail})`, line.quantity, line.amount);
    pdf.moveTo(columns.item, pdf.y).lineTo(545, pdf.y).stroke();
    pdf.y += 6;
    row('Total', '', `${document.total} ${document.currency}`, true);
    pdf.end();
  });
}
