import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CatalogEventEnvelope, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { TOPICS } from '@abaxus/contracts/topics';
import { BusSubscription, IncomingMessage, MessageBus } from '@abaxus/platform/bus/message-bus';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { BillingScheduleRepository } from './billing-schedule.repository';

const CATCH_UP_POLL_MS = 50;

/**
 * Keeps the billing schedule from the catalog's subscription events, recording in the same
 * transaction how far it read: a test clock's advance waits for it to pass everything the
 * catalog had published (a subscription created just before the advance is billed by it).
 */
@Injectable()
export class CatalogSubscriptionsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CatalogSubscriptionsConsumer.name);
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly schedule: BillingScheduleRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'invoicing-billing-schedule',
      topics: [TOPICS.catalogEvents],
      handleBatch: (messages) => this.handleBatch(messages),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** Resolves once every catalog event published before the call has been applied; 503 after `timeoutMs`. */
  async waitForCatalog(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ends = await this.bus.endOffsets(TOPICS.catalogEvents);
    for (;;) {
      const rows: Array<{ partition: number; next_offset: string }> = await this.dataSource.query(
        'SELECT partition, next_offset::text AS next_offset FROM invoicing.catalog_positions WHERE topic = $1',
        [TOPICS.catalogEvents],
      );
      const positions = new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
      if ([...ends].every(([partition, end]) => BigInt(end) <= (positions.get(partition) ?? 0n))) return;
      if (Date.now() >= deadline) {
        throw new ProblemException(503, 'catalog_not_caught_up', 'The billing schedule has not caught up with the catalog yet; retry shortly.');
      }
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }

  private async handleBatch(messages: IncomingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const records: SubscriptionRecord[] = [];
      for (const message of messages) {
        let event: CatalogEventEnvelope | undefined;
        try {
          event = JSON.parse(message.value) as CatalogEventEnvelope;
        } catch {
          // The catalog writes this topic; an unreadable message is logged, not retried for ever.
          this.logger.warn(`skipping unreadable catalog event at ${message.topic}/${message.partition}@${message.offset}`);
        }
        if (event && typeof event.type === 'string' && event.type.startsWith('subscription.')) {
          records.push(event.data as Extract<CatalogEventEnvelope, { type: 'subscription.created' }>['data']);
        }
      }
      // Applied in id order (each subscription's events still in theirs: the sort is stable), so rows
      // are locked in the order a billing run's issuing transaction locks them: no deadlock between the two.
      records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const record of records) await this.schedule.applyRecord(manager, record);
      const last = messages[messages.length - 1];
      await manager.query(
        `INSERT INTO invoicing.catalog_positions (topic, partition, next_offset) VALUES ($1, $2, $3)
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(catalog_positions.next_offset, EXCLUDED.next_offset)`,
        [TOPICS.catalogEvents, last.partition, (BigInt(last.offset) + 1n).toString()],
      );
    });
  }
}
