import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { TOPICS } from '@abaxus/contracts/topics';
import { BusSubscription, MessageBus } from '@abaxus/platform/bus/message-bus';
import { UsageStreamService } from './usage-stream.service';

/** Two partitions at a time: one batch's CPU work overlaps another's database time (2 cores here). */
const PARTITION_CONCURRENCY = 2;

/** The aggregation consumer group on the usage topic: whole batches, committed after storing. */
@Injectable()
export class UsageEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly stream: UsageStreamService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'aggregation',
      topics: [TOPICS.usageEvents],
      handleBatch: (messages) => this.stream.processBatch(messages),
      // Partitions hold different customers (the key), so concurrent batches never touch the same buckets.
      partitionConcurrency: PARTITION_CONCURRENCY,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
