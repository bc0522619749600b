import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { InvoiceDocuments } from '../documents/invoice-documents.service';
import { renderInvoicePdf } from '../documents/invoice-pdf.renderer';
import { InvoiceJson, invoiceToJson } from '../invoices/invoice-json';
import { InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import { PaymentAttemptsRepository } from '../payments/payment-attempts.repository';
import { invoiceHtml, invoiceText, LOGO_CONTENT_ID } from './invoice-email-body';
import { InvoiceMailer, MailDeliveryError } from './invoice-mailer';

// Longer than rendering plus the mailer's own timeouts (10 s to connect, 10 s greeting, 30 s socket).
const EMAIL_CLAIM_MS = 2 * 60_000;

/**
 * Emails an invoice (HTML and text, with the PDF attached, all three from one document model) to
 * the customer's current address. The send is
 * claimed on the invoice (a concurrent send gets 409), the PDF rendered and the mail sent with no
 * transaction open, and sent_at recorded only once the server accepted it: a failure changes nothing.
 */
@Injectable()
export class InvoiceEmailService {
  constructor(
    private readonly mailer: InvoiceMailer,
    private readonly catalog: CatalogClient,
    private readonly invoices: InvoicesRepository,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly documents: InvoiceDocuments,
    private readonly outbox: ServiceOutbox,
    private readonly clock: Clock,
  ) {}

  async send(invoiceId: string): Promise<InvoiceJson> {
    const current = await this.invoices.find(invoiceId);
    if (!current) throw ProblemException.notFound('Invoice', invoiceId);
    if (!this.mailer.configured) {
      throw new ProblemException(503, 'email_not_configured', 'Sending invoices by email needs a mail server: set SMTP_URL (e.g. smtp://127.0.0.1:2525).');
    }
    refuseUnlessSendable(current);
    const customer = await this.catalog.customer(current.customer_id);
    if (!customer.email) {
      throw new ProblemException(
        422,
        'customer_email_missing',
        `Customer ${customer.id} has no email address: set one with PATCH /v1/customers/${customer.id}.`,
      );
    }
    const email = customer.email;

    const claim = randomUUID();
    const now = this.clock.now();
    if (!(await this.invoices.claimEmail(invoiceId, claim, now, new Date(now.getTime() + EMAIL_CLAIM_MS)))) {
      const latest = await this.invoices.find(invoiceId);
      if (latest) refuseUnlessSendable(latest);
      throw new ProblemException(409, 'email_in_progress', `Invoice ${invoiceId} is being emailed by another request; retry once it is done.`);
    }
    let messageId: string;
    try {
      const document = await this.documents.of(current, await this.attempts.ofInvoice(invoiceId));
      const pdf = await renderInvoicePdf(document);
      ({ messageId } = await this.mailer.send({
        to: email,
        subject: document.subject,
        text: invoiceText(document),
        html: invoiceHtml(document),
        pdf: { filename: `${current.number}.pdf`, content: pdf },
        inlineImages: document.logoPng ? [{ cid: LOGO_CONTENT_ID, filename: 'logo.png', content: document.logoPng, contentType: 'image/png' }] : [],
      }));
    } catch (error) {
      await this.invoices.releaseEmail(invoiceId, claim);
      if (error instanceof MailDeliveryError) {
        throw new ProblemException(502, 'email_delivery_failed', `The mail server did not accept the invoice email: ${error.message}`);
      }
      throw error;
    }

    // The mail is gone: record it whatever happened to the invoice meanwhile.
    const sent = await this.outbox.transaction(async (tx) => {
      const sentAt = this.clock.now();
      const invoice = await this.invoices.recordEmailSent(tx.manager, invoiceId, claim, sentAt);
      await this.invoices.addHistory(tx.manager, {
        invoiceId,
        action: 'send_email',
        from: invoice.status,
        to: invoice.status,
        at: sentAt,
        detail: { to: email, message_id: messageId },
      });
      return invoice;
    });
    return invoiceToJson(sent, await this.attempts.ofInvoice(invoiceId));
  }
}

function refuseUnlessSendable(invoice: InvoiceRow): void {
  const next = transition(invoice.status, 'send_email');
  if (!next.ok) throw new ProblemException(409, next.code, `Invoice ${invoice.id}: ${next.message}.`);
}
