import { OnApplicationBootstrap, OnModuleDestroy, Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MessageBus, OutgoingMessage } from './message-bus';
import { appendToOutbox, OutboxRelay } from './outbox-relay';

/**
 * A service's outbox as a Nest provider: `append` inside the state change's transaction, then
 * `wake` after commit; the relay runs for as long as the app does.
 * Register with `ServiceOutbox.provider('catalog.outbox')` and inject `ServiceOutbox`.
 */
export class ServiceOutbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly relay: OutboxRelay;

  constructor(
    dataSource: DataSource,
    bus: MessageBus,
    private readonly table: string,
  ) {
    this.relay = new OutboxRelay({ dataSource, bus, table });
  }

  static provider(table: string): Provider {
    return {
      provide: ServiceOutbox,
      useFactory: (dataSource: DataSource, bus: MessageBus) => new ServiceOutbox(dataSource, bus, table),
      inject: [getDataSourceToken(), MessageBus],
    };
  }

  append(manager: EntityManager, messages: OutgoingMessage[]): Promise<void> {
    return appendToOutbox(manager, this.table, messages);
  }

  wake(): void {
    this.relay.wake();
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  // Before the platform closes the data source and the bus (onApplicationShutdown).
  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}
