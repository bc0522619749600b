import { Injectable } from '@nestjs/common';
import { postalAddressOf } from '@abaxus/platform/http/postal-address.dto';
import { Clock } from '@abaxus/platform/time/clock';
import { DEFAULT_DOCUMENT_SETTINGS, DocumentSettings, SettingsJson } from './document-settings';
import { readLogo } from './issuer-logo';
import { PutSettingsDto } from './settings.dto';
import { SettingsRepository } from './settings.repository';

/** GET/PUT /v1/settings: the issuer and the invoice options that invoices are issued with from then on. */
@Injectable()
export class SettingsService {
  constructor(
    private readonly repository: SettingsRepository,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<SettingsJson> {
    return this.toJson(await this.repository.current());
  }

  /** Replaces the settings whole. Invoices already issued keep the settings they were issued with. */
  async replace(body: PutSettingsDto): Promise<SettingsJson> {
    const { issuer } = body;
    // Validated by the DTO already; read again for the bytes.
    const logo = issuer.logo_png === undefined || issuer.logo_png === null ? undefined : readLogo(issuer.logo_png);
    if (logo && !logo.ok) throw new Error(`logo_png passed validation but cannot be read: ${logo.message}`);
    const defaults = DEFAULT_DOCUMENT_SETTINGS.invoice;
    const footer = body.invoice?.footer?.trim() ? body.invoice.footer : null;
    const saved = await this.repository.replace(
      {
        issuer: {
          name: issuer.name,
          address: postalAddressOf(issuer.address),
          tax_id: issuer.tax_id ?? null,
          email: issuer.email ?? null,
          logo_sha256: logo?.sha256 ?? null,
        },
        invoice: {
          payment_terms_days: body.invoice?.payment_terms_days ?? defaults.payment_terms_days,
          footer,
          number_prefix: body.invoice?.number_prefix ?? defaults.number_prefix,
        },
      },
      logo,
      this.clock.now(),
    );
    return this.toJson(saved);
  }

  private async toJson(settings: DocumentSettings): Promise<SettingsJson> {
    const { issuer } = settings;
    const logo = issuer?.logo_sha256 ? await this.repository.logo(issuer.logo_sha256) : undefined;
    return {
      issuer: issuer && {
        name: issuer.name,
        address: issuer.address,
        tax_id: issuer.tax_id,
        email: issuer.email,
        logo_png: logo ? logo.toString('base64') : null,
      },
      invoice: settings.invoice,
      updated_at: settings.updated_at ? settings.updated_at.toISOString() : null,
    };
  }
}
