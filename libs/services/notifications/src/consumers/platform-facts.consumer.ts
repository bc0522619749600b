import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TOPICS } from '@abaxus/contracts/topics';
import { BusSubscription, IncomingMessage, MessageBus } from '@abaxus/platform/bus/message-bus';
import { Clock } from '@abaxus/platform/time/clock';
import { WebhookDispatcher } from '../deliveries/webhook-dispatcher';
import { webhookEventOf } from '../webhook-events/facts-to-webhook-events';
import { WebhookEvent } from '../webhook-events/webhook-event';
import { WebhookEventsRepository } from '../webhook-events/webhook-events.repository';
import { ConsumerPositionsRepository } from './consumer-positions.repository';
import { unrecordedMessages } from './positioned-batch';

export const FACTS_GROUP = 'notifications-facts';

/**
 * Turns the facts other services publish (invoice lifecycle, subscription changes, dead-lettered
 * usage events) into webhook events and their deliveries. One transaction records the events, the
 * deliveries and this group's position; the bus commits its own position only after that, so a
 * crash at any point neither loses nor repeats a delivery.
 */
@Injectable()
export class PlatformFactsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: MessageBus,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly positions: ConsumerPositionsRepository,
    private readonly events: WebhookEventsRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: FACTS_GROUP,
      topics: [TOPICS.invoiceEvents, TOPICS.catalogEvents, TOPICS.usageEventsDeadLetter],
      handleBatch: (messages) => this.handleBatch(messages),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  async handleBatch(messages: IncomingMessage[]): Promise<void> {
    const batch = await unrecordedMessages(this.positions, FACTS_GROUP, messages);
    if (!batch) return;
    const events = batch.fresh.map(webhookEventOf).filter((event): event is WebhookEvent => event !== null);
    const created = await this.dataSource.transaction(async (manager) => {
      const deliveries = await this.events.record(manager, events, this.clock.now());
      await this.positions.save(manager, batch.position);
      return deliveries;
    });
    if (created > 0) this.dispatcher.wake();
  }
}
