import { Injectable } from '@nestjs/common';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import type { InvoiceDocument } from '../documents/invoice-document';
import { renderInvoicePdf } from '../documents/invoice-pdf.renderer';
import { invoiceToJson } from '../invoices/invoice-json';
import { InvoicesRepository } from '../invoices/invoices.repository';
import { SettingsRepository } from '../settings/settings.repository';
import { creditNoteDocument } from './credit-note-document';
import { CreditNoteRow, creditNoteToJson } from './credit-note-json';
import { CreditNotesRepository } from './credit-notes.repository';

/** A credit note's document (PDF and email): the note, the invoice it corrects, metric names and the logo. Reads only. */
@Injectable()
export class CreditNoteDocuments {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly creditNotes: CreditNotesRepository,
    private readonly invoices: InvoicesRepository,
    private readonly settings: SettingsRepository,
  ) {}

  async pdf(id: string): Promise<{ number: string; pdf: Buffer }> {
    const row = await this.creditNotes.find(id);
    if (!row) throw ProblemException.notFound('Credit note', id);
    return { number: row.number, pdf: await renderInvoicePdf(await this.of(row)) };
  }

  async of(row: CreditNoteRow): Promise<InvoiceDocument> {
    const invoice = (await this.invoices.find(row.invoice_id))!;
    const metricKeys = [...new Set(row.lines.flatMap((line) => (line.metric_key === null ? [] : [line.metric_key])))];
    const metrics = await Promise.all(metricKeys.map((key) => this.catalog.metric(key)));
    const logoSha256 = row.document.issuer?.logo_sha256;
    return creditNoteDocument({
      note: creditNoteToJson(row),
      invoice: invoiceToJson(invoice, []),
      issued: row.document,
      metricNames: new Map(metrics.map((metric) => [metric.key, metric.name])),
      logoPng: logoSha256 ? ((await this.settings.logo(logoSha256)) ?? null) : null,
    });
  }
}
