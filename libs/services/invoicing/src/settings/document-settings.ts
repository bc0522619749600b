import type { PostalAddress } from '@abaxus/domain/address/postal-address';
import { DEFAULT_INVOICE_NUMBER_PREFIX } from '@abaxus/domain/invoice/invoice-number';

/** Who bills, as stored: the logo by the SHA-256 of its PNG (logos are kept for good, by content). */
export interface IssuerSettings {
  name: string;
  address: PostalAddress;
  tax_id: string | null;
  email: string | null;
  logo_sha256: string | null;
}

export interface InvoiceOptions {
  payment_terms_days: number;
  footer: string | null;
  number_prefix: string;
}

/** The settings invoices are issued and printed with (GET/PUT /v1/settings). */
export interface DocumentSettings {
  /** Null until PUT /v1/settings: documents then show no issuer block. */
  issuer: IssuerSettings | null;
  invoice: InvoiceOptions;
  updated_at: Date | null;
}

export const DEFAULT_PAYMENT_TERMS_DAYS = 30;

export const DEFAULT_DOCUMENT_SETTINGS: DocumentSettings = {
  issuer: null,
  invoice: { payment_terms_days: DEFAULT_PAYMENT_TERMS_DAYS, footer: null, number_prefix: DEFAULT_INVOICE_NUMBER_PREFIX },
  updated_at: null,
};

/** GET/PUT /v1/settings: the issuer with its logo in base64, as it was sent. */
export interface SettingsJson {
  issuer: (Omit<IssuerSettings, 'logo_sha256'> & { logo_png: string | null }) | null;
  invoice: InvoiceOptions;
  updated_at: string | null;
}
