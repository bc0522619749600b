import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogEvent } from '@abaxus/contracts/catalog-events';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { catalogEventMessage } from './catalog-event-message';

export interface CatalogTransaction {
  /** Repositories write through this manager, so every change of one request commits together. */
  manager: EntityManager;
  /** Records an event; it is written to the outbox in this transaction and published after commit. */
  emit(event: CatalogEvent): void;
}

/** Unit of work of the catalog: a database transaction whose events cannot be lost or published early. */
@Injectable()
export class CatalogTransactions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: ServiceOutbox,
  ) {}

  async run<T>(work: (tx: CatalogTransaction) => Promise<T>): Promise<T> {
    let events: CatalogEvent[] = [];
    const result = await this.dataSource.transaction(async (manager) => {
      events = [];
      const value = await work({ manager, emit: (event) => events.push(event) });
      await this.outbox.append(
        manager,
        events.map((event) => catalogEventMessage(event)),
      );
      return value;
    });
    if (events.length > 0) this.outbox.wake();
    return result;
  }
}
