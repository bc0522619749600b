import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TOPICS } from '@abaxus/contracts/topics';
import { BusSubscription, IncomingMessage, MessageBus } from '@abaxus/platform/bus/message-bus';
import { Clock } from '@abaxus/platform/time/clock';
import { touchedPeriods } from '../alerts/touched-periods';
import { UsageAlertEvaluator } from '../alerts/usage-alert-evaluator';
import { UsageAlertsRepository } from '../alerts/usage-alerts.repository';
import { WebhookDispatcher } from '../deliveries/webhook-dispatcher';
import { WebhookEventsRepository } from '../webhook-events/webhook-events.repository';
import { ConsumerPositionsRepository } from './consumer-positions.repository';
import { unrecordedMessages } from './positioned-batch';

export const USAGE_ALERTS_GROUP = 'notifications-usage-alerts';

/**
 * Watches the usage topic for alerts: a batch's customers and periods are measured (through
 * aggregation's strong read, which waits until aggregation has stored these very events), and one
 * transaction records the firings (at most one per alert and period: the table's key), their
 * usage.alert_triggered events and deliveries, and this group's position. A neighbour that cannot
 * be asked makes the bus deliver the batch again later.
 */
@Injectable()
export class UsageAlertsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: MessageBus,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly positions: ConsumerPositionsRepository,
    private readonly evaluator: UsageAlertEvaluator,
    private readonly alerts: UsageAlertsRepository,
    private readonly events: WebhookEventsRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: USAGE_ALERTS_GROUP,
      topics: [TOPICS.usageEvents],
      handleBatch: (messages) => this.handleBatch(messages),
      partitionConcurrency: 2,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  async handleBatch(messages: IncomingMessage[]): Promise<void> {
    const batch = await unrecordedMessages(this.positions, USAGE_ALERTS_GROUP, messages);
    if (!batch) return;
    const touched = touchedPeriods(batch.fresh.map((message) => message.value));
    const firings = touched.size === 0 ? [] : await this.evaluator.firings(touched);
    const created = await this.dataSource.transaction(async (manager) => {
      let deliveries = 0;
      for (const firing of firings) {
        if (await this.alerts.recordTrigger(manager, firing.trigger)) deliveries += await this.events.record(manager, [firing.event], this.clock.now());
      }
      await this.positions.save(manager, batch.position);
      return deliveries;
    });
    if (created > 0) this.dispatcher.wake();
  }
}
