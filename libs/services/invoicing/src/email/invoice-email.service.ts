import { Injectable } from '@nestjs/common';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { InvoiceJson, invoiceToJson } from '../invoices/invoice-json';
import { InvoicesRepository } from '../invoices/invoices.repository';
import { invoiceDocument, invoiceHtml, invoiceText } from './invoice-document';
import { InvoiceMailer, MailDeliveryError } from './invoice-mailer';
import { renderInvoicePdf } from './invoice-pdf.renderer';

/**
 * Emails an invoice (HTML and text, with the PDF attached) to the customer's address. The invoice
 * stays locked while the mail goes out, and sent_at is recorded only once the server accepted it:
 * a failure changes nothing.
 */
@Injectable()
export class InvoiceEmailService {
  constructor(
    private readonly mailer: InvoiceMailer,
    private readonly catalog: CatalogClient,
    private readonly invoices: InvoicesRepository,
  ) {}

  async send(invoiceId: string): Promise<InvoiceJson> {
    if (!this.mailer.configured) {
      throw new ProblemException(503, 'email_not_configured', 'Sending invoices by email needs a mail server: set SMTP_URL (e.g. smtp://127.0.0.1:2525).');
    }
    const current = await this.invoices.find(invoiceId);
    if (!current) throw ProblemException.notFound('Invoice', invoiceId);
    refuseUnlessSendable(current.status, invoiceId);
    const customer = await this.catalog.customer(current.customer_id);
    if (!customer.email) {
      throw new ProblemException(
        422,
        'customer_email_missing',
        `Customer ${customer.id} has no email address: set one with PATCH /v1/customers/${customer.id}.`,
      );
    }
    const email = customer.email;

    const sent = await this.invoices.transaction(async (tx) => {
      const invoice = await tx.lockInvoice(invoiceId);
      const next = refuseUnlessSendable(invoice.status, invoiceId);
      const attempts = await tx.attempts(invoiceId);
      const document = invoiceDocument(invoiceToJson(invoice, attempts), customer);
      const pdf = await renderInvoicePdf(document);
      let messageId: string;
      try {
        ({ messageId } = await this.mailer.send({
          to: email,
          subject: document.subject,
          text: invoiceText(document),
          html: invoiceHtml(document),
          pdf: { filename: `${invoice.number}.pdf`, content: pdf },
        }));
      } catch (error) {
        if (error instanceof MailDeliveryError)
          throw new ProblemException(502, 'email_delivery_failed', `The mail server did not accept the invoice email: ${error.message}`);
        throw error;
      }
      const sentAt = new Date();
      await tx.updateInvoice(invoiceId, { sent_at: sentAt });
      await tx.addHistory(invoiceId, 'send_email', invoice.status, next, { to: email, message_id: messageId });
      return { invoice: { ...invoice, status: next, sent_at: sentAt }, attempts };
    });
    return invoiceToJson(sent.invoice, sent.attempts);
  }
}

function refuseUnlessSendable(status: Parameters<typeof transition>[0], invoiceId: string) {
  const next = transition(status, 'send_email');
  if (!next.ok) throw new ProblemException(409, next.code, `Invoice ${invoiceId}: ${next.message}.`);
  return next.status;
}
