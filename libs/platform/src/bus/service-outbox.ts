import { OnApplicationBootstrap, OnModuleDestroy, Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MessageBus, OutgoingMessage } from './message-bus';
import { appendToOutbox, OutboxRelay } from './outbox-relay';

/** One unit of work: the queries of a state change, and the messages that must follow it. */
export interface OutboxTransaction {
  /** Repositories write through this manager, so every change of the unit commits together. */
  readonly manager: EntityManager;
  /** Queues a message: written to the outbox in this transaction, published after commit. */
  emit(message: OutgoingMessage): void;
}

/**
 * A service's outbox as a Nest provider, and its unit of work: `transaction` runs a state change
 * whose messages cannot be lost or published early; the relay publishes them after commit and
 * runs for as long as the app does.
 * Register with `ServiceOutbox.provider('catalog.outbox')` and inject `ServiceOutbox`.
 */
export class ServiceOutbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly relay: OutboxRelay;

  constructor(
    private readonly dataSource: DataSource,
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

  /** Runs `work` in one database transaction; the messages it emitted are appended before commit. */
  async transaction<T>(work: (tx: OutboxTransaction) => Promise<T>): Promise<T> {
    let messages: OutgoingMessage[] = [];
    const result = await this.dataSource.transaction(async (manager) => {
      messages = [];
      const value = await work({ manager, emit: (message) => messages.push(message) });
      await appendToOutbox(manager, this.table, messages);
      return value;
    });
    if (messages.length > 0) this.relay.wake();
    return result;
  }

  /**
   * Publishes now what a transaction run elsewhere appended (appendToOutbox on its own manager,
   * e.g. one with its own retry rules) — call after that transaction committed.
   */
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
