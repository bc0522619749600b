import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { InvoicingSchema1700000006000 } from './1700000006000-invoicing-schema';
import { InvoicingWorkOutsideTransactions1700000006100 } from './1700000006100-invoicing-work-outside-transactions';
import { InvoicingBillingCycles1700000006200 } from './1700000006200-billing-cycles';
import { InvoicingInvoiceVoids1700000006300 } from './1700000006300-invoice-voids';
import { InvoicingDocumentSettings1700000006500 } from './1700000006500-invoicing-document-settings';
import { InvoicingCreditNotes1700000006700 } from './1700000006700-credit-notes';

/** Invoicing's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const INVOICING_SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'invoicing',
  migrations: [
    InvoicingSchema1700000006000,
    InvoicingWorkOutsideTransactions1700000006100,
    InvoicingBillingCycles1700000006200,
    InvoicingInvoiceVoids1700000006300,
    InvoicingDocumentSettings1700000006500,
    InvoicingCreditNotes1700000006700,
  ],
};
