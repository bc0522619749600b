import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CatalogEventEnvelope } from '@abaxus/contracts/catalog-events';
import { TOPICS } from '@abaxus/contracts/topics';
import { BusSubscription, IncomingMessage, MessageBus } from '@abaxus/platform/bus/message-bus';
import { CATALOG_COPY_SCHEMA } from './catalog-copy.repository';
import { CatalogCopyService } from './catalog-copy.service';

/** Keeps the read copy current from the catalog's events (one consumer group per owning service). */
@Injectable()
export class CatalogCopyConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CatalogCopyConsumer.name);
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly catalogCopy: CatalogCopyService,
    @Inject(CATALOG_COPY_SCHEMA) private readonly schema: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: `${this.schema}-catalog-copy`,
      topics: [TOPICS.catalogEvents],
      handleBatch: (messages) => this.handleBatch(messages),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  private async handleBatch(messages: IncomingMessage[]): Promise<void> {
    const events: CatalogEventEnvelope[] = [];
    for (const message of messages) {
      try {
        const event = JSON.parse(message.value) as CatalogEventEnvelope;
        if (event && typeof event === 'object' && typeof event.type === 'string') events.push(event);
      } catch {
        // Our own service writes this topic; an unreadable message is logged, not retried for ever.
        this.logger.warn(`skipping unreadable catalog event at ${message.topic}/${message.partition}@${message.offset}`);
      }
    }
    await this.catalogCopy.apply(events);
  }
}
