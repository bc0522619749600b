import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { NotificationsSchema1720000000000 } from './1720000000000-notifications-schema';
import { WebhookDeliveryRetention1720000000100 } from './1720000000100-webhook-delivery-retention';

/** The notifications service's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const NOTIFICATIONS_SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'notifications',
  migrations: [NotificationsSchema1720000000000, WebhookDeliveryRetention1720000000100],
};
