import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { OutboxRelay } from '@abaxus/platform/bus/outbox-relay';

export const CATALOG_OUTBOX_TABLE = 'catalog.outbox';

/** Runs the relay of the catalog's outbox for as long as the app runs. */
@Injectable()
export class CatalogOutboxRelayService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly relay: OutboxRelay;

  constructor(@InjectDataSource() dataSource: DataSource, bus: MessageBus) {
    this.relay = new OutboxRelay({ dataSource, bus, table: CATALOG_OUTBOX_TABLE });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  // Before the platform closes the data source and the bus (onApplicationShutdown).
  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }

  wake(): void {
    this.relay.wake();
  }
}
