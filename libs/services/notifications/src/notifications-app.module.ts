import { DynamicModule, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { decodeSecretKey } from '@abaxus/platform/config/abaxus-config';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { AlertMeasurements } from './alerts/alert-measurements';
import { UsageAlertEvaluator } from './alerts/usage-alert-evaluator';
import { UsageAlertsController } from './alerts/usage-alerts.controller';
import { UsageAlertsRepository } from './alerts/usage-alerts.repository';
import { UsageAlertsService } from './alerts/usage-alerts.service';
import { ConsumerPositionsRepository } from './consumers/consumer-positions.repository';
import { PlatformFactsConsumer } from './consumers/platform-facts.consumer';
import { UsageAlertsConsumer } from './consumers/usage-alerts.consumer';
import { WebhookDeliveriesController } from './deliveries/webhook-deliveries.controller';
import { WebhookDeliveriesRepository } from './deliveries/webhook-deliveries.repository';
import { WebhookDeliveriesService } from './deliveries/webhook-deliveries.service';
import { WebhookDeliveryRetention } from './deliveries/webhook-delivery-retention';
import { WebhookDispatcher } from './deliveries/webhook-dispatcher';
import { WebhookDestinationPolicy } from './deliveries/webhook-destinations';
import { WebhookSender } from './deliveries/webhook-sender';
import { EndpointSecretVault } from './endpoints/endpoint-secrets';
import { WebhookEndpointsController } from './endpoints/webhook-endpoints.controller';
import { WebhookEndpointsRepository } from './endpoints/webhook-endpoints.repository';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service';
import { NOTIFICATIONS_SCHEMA_MIGRATIONS } from './migrations/notifications-schema-migrations';
import { WebhookEventsRepository } from './webhook-events/webhook-events.repository';

/** Says at start-up when endpoint secrets are stored unencrypted (no ABAXUS_WEBHOOK_SECRET_KEY). */
@Injectable()
class SecretStorageNotice implements OnApplicationBootstrap {
  constructor(private readonly vault: EndpointSecretVault) {}

  onApplicationBootstrap(): void {
    if (!this.vault.encrypts) {
      new Logger('Notifications').warn(
        'ABAXUS_WEBHOOK_SECRET_KEY is not set: webhook endpoint secrets are stored unencrypted in the database. Set a 32-byte key to encrypt them.',
      );
    }
  }
}

/**
 * The notifications service: what the engine tells integrators on its own. It owns outbound
 * webhook endpoints and their deliveries (fed from the facts other services publish on the bus)
 * and usage alerts (fed from the usage topic, measured by aggregation and pricing). Its own
 * bounded context and process: the HTTP sending to customers' receivers, which may be slow or
 * down for days, shares no pool, consumer or transaction with billing.
 */
@Module({})
export class NotificationsAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const secretKey = runtime.config.webhookSecretKey ? decodeSecretKey(runtime.config.webhookSecretKey) : undefined;
    return {
      module: NotificationsAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'notifications', ...NOTIFICATIONS_SCHEMA_MIGRATIONS })],
      controllers: [WebhookEndpointsController, WebhookDeliveriesController, UsageAlertsController],
      providers: [
        { provide: EndpointSecretVault, useValue: new EndpointSecretVault(secretKey) },
        SecretStorageNotice,
        { provide: WebhookDestinationPolicy, useValue: new WebhookDestinationPolicy(runtime.config.webhookAllowedNetworks) },
        {
          provide: WebhookSender,
          useFactory: (destinations: WebhookDestinationPolicy) => new WebhookSender(runtime.config.webhookTimeoutMs, destinations),
          inject: [WebhookDestinationPolicy],
        },
        CatalogClient,
        ConsumerPositionsRepository,
        WebhookEndpointsRepository,
        WebhookEventsRepository,
        WebhookDeliveriesRepository,
        UsageAlertsRepository,
        WebhookEndpointsService,
        WebhookDeliveriesService,
        WebhookDispatcher,
        {
          provide: WebhookDeliveryRetention,
          useFactory: (deliveries: WebhookDeliveriesRepository, clock: Clock) =>
            new WebhookDeliveryRetention(deliveries, clock, runtime.config.webhookRetentionDays),
          inject: [WebhookDeliveriesRepository, Clock],
        },
        UsageAlertsService,
        AlertMeasurements,
        UsageAlertEvaluator,
        PlatformFactsConsumer,
        UsageAlertsConsumer,
      ],
    };
  }
}
