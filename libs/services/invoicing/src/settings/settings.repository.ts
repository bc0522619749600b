import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_DOCUMENT_SETTINGS, DocumentSettings, InvoiceOptions, IssuerSettings } from './document-settings';

interface SettingsRow {
  issuer: IssuerSettings | null;
  invoice: InvoiceOptions;
  updated_at: Date;
}

/**
 * The one row of document settings, and the issuer logos by content. A logo is never deleted:
 * the invoices issued with it name it by its SHA-256 and must render the same for ever.
 */
@Injectable()
export class SettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The defaults until the first PUT. */
  async current(manager: EntityManager = this.dataSource.manager): Promise<DocumentSettings> {
    const rows: SettingsRow[] = await manager.query('SELECT issuer, invoice, updated_at FROM invoicing.document_settings');
    return rows[0] ?? DEFAULT_DOCUMENT_SETTINGS;
  }

  /** Stores the logo (once per content) and replaces the settings, in one transaction. */
  async replace(settings: Omit<DocumentSettings, 'updated_at'>, logo: { sha256: string; png: Buffer } | undefined, at: Date): Promise<DocumentSettings> {
    return this.dataSource.transaction(async (manager) => {
      if (logo) {
        await manager.query('INSERT INTO invoicing.issuer_logos (sha256, png) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING', [logo.sha256, logo.png]);
      }
      const rows: SettingsRow[] = await manager.query(
        `INSERT INTO invoicing.document_settings (singleton, issuer, invoice, updated_at) VALUES (true, $1::jsonb, $2::jsonb, $3)
         ON CONFLICT (singleton) DO UPDATE SET issuer = EXCLUDED.issuer, invoice = EXCLUDED.invoice, updated_at = EXCLUDED.updated_at
         RETURNING issuer, invoice, updated_at`,
        [JSON.stringify(settings.issuer), JSON.stringify(settings.invoice), at],
      );
      return rows[0];
    });
  }

  async logo(sha256: string): Promise<Buffer | undefined> {
    const rows: Array<{ png: Buffer }> = await this.dataSource.query('SELECT png FROM invoicing.issuer_logos WHERE sha256 = $1', [sha256]);
    return rows[0]?.png;
  }
}
