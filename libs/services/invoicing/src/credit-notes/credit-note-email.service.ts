import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { renderInvoicePdf } from '../documents/invoice-pdf.renderer';
import { invoiceHtml, invoiceText, LOGO_CONTENT_ID } from '../email/invoice-email-body';
import { InvoiceMailer, MailDeliveryError } from '../email/invoice-mailer';
import { CreditNoteDocuments } from './credit-note-documents.service';
import { CreditNoteJson, creditNoteToJson } from './credit-note-json';
import { CreditNotesRepository } from './credit-notes.repository';

// Longer than rendering plus the mailer's own timeouts (as for invoices).
const EMAIL_CLAIM_MS = 2 * 60_000;

/**
 * Emails a credit note as invoices are emailed (HTML, text and the PDF, from one document model)
 * to the customer's current address: the send is claimed (a concurrent send gets 409), the mail
 * sent with no transaction open, and sent_at recorded once the server accepted it.
 */
@Injectable()
export class CreditNoteEmailService {
  constructor(
    private readonly mailer: InvoiceMailer,
    private readonly catalog: CatalogClient,
    private readonly creditNotes: CreditNotesRepository,
    private readonly documents: CreditNoteDocuments,
    private readonly clock: Clock,
  ) {}

  async send(id: string): Promise<CreditNoteJson> {
    const current = await this.creditNotes.find(id);
    if (!current) throw ProblemException.notFound('Credit note', id);
    if (!this.mailer.configured) {
      throw new ProblemException(503, 'email_not_configured', 'Sending credit notes by email needs a mail server: set SMTP_URL (e.g. smtp://127.0.0.1:2525).');
    }
    const customer = await this.catalog.customer(current.customer_id);
    if (!customer.email) {
      throw new ProblemException(
        422,
        'customer_email_missing',
        `Customer ${customer.id} has no email address: set one with PATCH /v1/customers/${customer.id}.`,
      );
    }
    const claim = randomUUID();
    const now = this.clock.now();
    if (!(await this.creditNotes.claimEmail(id, claim, now, new Date(now.getTime() + EMAIL_CLAIM_MS)))) {
      throw new ProblemException(409, 'email_in_progress', `Credit note ${current.number} is being emailed by another request; retry once it is done.`);
    }
    try {
      const document = await this.documents.of(current);
      await this.mailer.send({
        to: customer.email,
        subject: document.subject,
        text: invoiceText(document),
        html: invoiceHtml(document),
        pdf: { filename: `${current.number}.pdf`, content: await renderInvoicePdf(document) },
        inlineImages: document.logoPng ? [{ cid: LOGO_CONTENT_ID, filename: 'logo.png', content: document.logoPng, contentType: 'image/png' }] : [],
      });
    } catch (error) {
      await this.creditNotes.releaseEmail(id, claim);
      if (error instanceof MailDeliveryError) {
        throw new ProblemException(502, 'email_delivery_failed', `The mail server did not accept the credit note email: ${error.message}`);
      }
      throw error;
    }
    await this.creditNotes.recordEmailSent(id, claim, this.clock.now());
    return creditNoteToJson((await this.creditNotes.find(id))!);
  }
}
