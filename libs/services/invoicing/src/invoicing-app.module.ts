import { DynamicModule, Module } from '@nestjs/common';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { InvoiceEmailController } from './email/invoice-email.controller';
import { InvoiceEmailService } from './email/invoice-email.service';
import { InvoiceMailer } from './email/invoice-mailer';
import { InvoicesController } from './invoices/invoices.controller';
import { InvoicesRepository } from './invoices/invoices.repository';
import { InvoicesService } from './invoices/invoices.service';
import { INVOICING_SCHEMA_MIGRATIONS } from './migrations/invoicing-schema-migrations';
import { ChargesController } from './payments/charges.controller';
import { ChargesService } from './payments/charges.service';
import { StripePaymentsClient } from './payments/stripe-payments.client';
import { StripeWebhookController } from './payments/stripe-webhook.controller';
import { StripeWebhookService } from './payments/stripe-webhook.service';
import { PricingClient } from './pricing/pricing.client';

@Module({})
export class InvoicingAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: InvoicingAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'invoicing', ...INVOICING_SCHEMA_MIGRATIONS })],
      controllers: [InvoiceEmailController, ChargesController, InvoicesController, StripeWebhookController],
      providers: [
        CatalogClient,
        PricingClient,
        ServiceOutbox.provider('invoicing.outbox'),
        InvoicesRepository,
        InvoicesService,
        InvoiceMailer,
        InvoiceEmailService,
        StripePaymentsClient,
        ChargesService,
        StripeWebhookService,
      ],
    };
  }
}
