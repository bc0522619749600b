import { Injectable } from '@nestjs/common';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { invoiceToJson, PaymentAttemptRecord } from '../invoices/invoice-json';
import { InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import { PaymentAttemptsRepository } from '../payments/payment-attempts.repository';
import { SettingsRepository } from '../settings/settings.repository';
import { InvoiceDocument, invoiceDocument } from './invoice-document';
import { renderInvoicePdf } from './invoice-pdf.renderer';
import { issuedDocumentSnapshot, StoredDocumentSnapshot } from './issued-document-snapshot';

/**
 * Puts together everything an invoice's document shows: the invoice as stored, the issuer and
 * customer as they were at issue (its snapshot), metric names and the logo. Reads only; no
 * transaction is open while the catalog is asked.
 */
@Injectable()
export class InvoiceDocuments {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly invoices: InvoicesRepository,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly settings: SettingsRepository,
  ) {}

  async pdf(invoiceId: string): Promise<{ number: string; pdf: Buffer }> {
    const row = await this.invoices.find(invoiceId);
    if (!row) throw ProblemException.notFound('Invoice', invoiceId);
    const document = await this.of(row, await this.attempts.ofInvoice(invoiceId));
    return { number: row.number, pdf: await renderInvoicePdf(document) };
  }

  /**
   * Invoices issued before issuer settings existed have no snapshot of them: they print with the
   * current settings and customer (what they would have shown then is not known).
   */
  async of(row: InvoiceRow, attempts: readonly PaymentAttemptRecord[]): Promise<InvoiceDocument> {
    const invoice = invoiceToJson(row, attempts);
    const issued =
      (JSON.parse(row.snapshot) as StoredDocumentSnapshot).document ??
      issuedDocumentSnapshot(await this.settings.current(), await this.catalog.customer(invoice.customer_id));
    const metricKeys = [...new Set(invoice.line_items.flatMap((item) => (item.metric_key === null ? [] : [item.metric_key])))];
    const metrics = await Promise.all(metricKeys.map((key) => this.catalog.metric(key)));
    const logoSha256 = issued.issuer?.logo_sha256;
    return invoiceDocument({
      invoice,
      issued,
      metricNames: new Map(metrics.map((metric) => [metric.key, metric.name])),
      logoPng: logoSha256 ? ((await this.settings.logo(logoSha256)) ?? null) : null,
    });
  }
}
