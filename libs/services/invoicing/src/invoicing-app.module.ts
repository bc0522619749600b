import { DynamicModule, Module } from '@nestjs/common';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { InvoiceDocuments } from './documents/invoice-documents.service';
import { InvoicePdfController } from './documents/invoice-pdf.controller';
import { InvoiceEmailController } from './email/invoice-email.controller';
import { InvoiceEmailService } from './email/invoice-email.service';
import { InvoiceMailer } from './email/invoice-mailer';
import { CustomerBillingRepository } from './invoices/customer-billing.repository';
import { InvoicesController } from './invoices/invoices.controller';
import { InvoicedPeriodsController } from './invoices/invoiced-periods.controller';
import { InvoicesRepository } from './invoices/invoices.repository';
import { InvoicesService } from './invoices/invoices.service';
import { INVOICING_SCHEMA_MIGRATIONS } from './migrations/invoicing-schema-migrations';
import { BillingRunService } from './billing/billing-run.service';
import { BillingRunsController } from './billing/billing-runs.controller';
import { BillingRunsRepository } from './billing/billing-runs.repository';
import { BillingScheduleRepository } from './billing/billing-schedule.repository';
import { BillingScheduler } from './billing/billing-scheduler';
import { CatalogSubscriptionsConsumer } from './billing/catalog-subscriptions.consumer';
import { CustomerBillingController } from './billing/customer-billing.controller';
import { CollectionRepository } from './collection/collection.repository';
import { CollectionService } from './collection/collection.service';
import { IssuedInvoiceWriter } from './invoices/issued-invoice-writer';
import { TestClocksController } from './test-clocks/test-clocks.controller';
import { TestClocksRepository } from './test-clocks/test-clocks.repository';
import { TestClocksService } from './test-clocks/test-clocks.service';
import { AbandonedAttemptsSweeper } from './payments/abandoned-attempts.sweeper';
import { ChargesController } from './payments/charges.controller';
import { ChargesService } from './payments/charges.service';
import { PaymentAttemptsRepository } from './payments/payment-attempts.repository';
import { PaymentSettlement } from './payments/payment-settlement.service';
import { StripeEventsRepository } from './payments/stripe-events.repository';
import { StripePaymentsClient } from './payments/stripe-payments.client';
import { StripeWebhookController } from './payments/stripe-webhook.controller';
import { StripeWebhookService } from './payments/stripe-webhook.service';
import { PricingClient } from './pricing/pricing.client';
import { SettingsController } from './settings/settings.controller';
import { SettingsRepository } from './settings/settings.repository';
import { SettingsService } from './settings/settings.service';
import { CreditNoteDocuments } from './credit-notes/credit-note-documents.service';
import { CreditNoteEmailService } from './credit-notes/credit-note-email.service';
import { CreditNotesController, InvoiceCreditNotesController } from './credit-notes/credit-notes.controller';
import { CreditNotesRepository } from './credit-notes/credit-notes.repository';
import { CreditNotesService } from './credit-notes/credit-notes.service';
import { CustomerCreditBalancePort, NoCustomerCreditBalance } from './credit-notes/customer-credit-balance.port';
import { PendingRefundsSweeper } from './credit-notes/pending-refunds.sweeper';

@Module({})
export class InvoicingAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: InvoicingAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'invoicing', ...INVOICING_SCHEMA_MIGRATIONS })],
      controllers: [
        InvoiceEmailController,
        InvoicePdfController,
        ChargesController,
        InvoicesController,
        InvoicedPeriodsController,
        StripeWebhookController,
        BillingRunsController,
        CustomerBillingController,
        TestClocksController,
        SettingsController,
        InvoiceCreditNotesController,
        CreditNotesController,
      ],
      providers: [
        CatalogClient,
        PricingClient,
        ServiceOutbox.provider('invoicing.outbox'),
        InvoicesRepository,
        CustomerBillingRepository,
        PaymentAttemptsRepository,
        StripeEventsRepository,
        InvoicesService,
        SettingsRepository,
        SettingsService,
        InvoiceDocuments,
        InvoiceMailer,
        InvoiceEmailService,
        StripePaymentsClient,
        PaymentSettlement,
        ChargesService,
        StripeWebhookService,
        AbandonedAttemptsSweeper,
        IssuedInvoiceWriter,
        BillingScheduleRepository,
        BillingRunsRepository,
        CatalogSubscriptionsConsumer,
        BillingRunService,
        CollectionRepository,
        CollectionService,
        TestClocksRepository,
        TestClocksService,
        BillingScheduler,
        CreditNotesRepository,
        CreditNotesService,
        CreditNoteDocuments,
        CreditNoteEmailService,
        PendingRefundsSweeper,
        // The credits ledger (API.md §7) replaces this binding once it exists.
        { provide: CustomerCreditBalancePort, useClass: NoCustomerCreditBalance },
      ],
    };
  }
}
