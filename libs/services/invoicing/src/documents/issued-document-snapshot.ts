import type { CustomerRecord } from '@abaxus/contracts/catalog-events';
import type { PostalAddress } from '@abaxus/domain/address/postal-address';
import type { DocumentSettings, IssuerSettings } from '../settings/document-settings';

/** The customer as billed: printed as "Billed to". */
export interface BilledToSnapshot {
  customer_id: string;
  name: string | null;
  email: string | null;
  address: PostalAddress | null;
  tax_id: string | null;
}

/**
 * What an invoice's document shows besides its lines, as it was when the invoice was issued:
 * kept in the invoice's snapshot, so a later change of settings or customer never changes it.
 */
export interface IssuedDocumentSnapshot {
  issuer: IssuerSettings | null;
  billed_to: BilledToSnapshot;
  payment_terms_days: number;
  footer: string | null;
}

/** The part of an invoice's stored snapshot (beside its lines) that its document reads; absent on invoices issued before it was kept. */
export interface StoredDocumentSnapshot {
  document?: IssuedDocumentSnapshot;
}

export function issuedDocumentSnapshot(settings: DocumentSettings, customer: CustomerRecord): IssuedDocumentSnapshot {
  return {
    issuer: settings.issuer,
    billed_to: {
      customer_id: customer.id,
      name: customer.name,
      email: customer.email,
      // Catalog events published before these fields existed lack them.
      address: customer.address ?? null,
      tax_id: customer.tax_id ?? null,
    },
    payment_terms_days: settings.invoice.payment_terms_days,
    footer: settings.invoice.footer,
  };
}
