import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CatalogEvent } from '@abaxus/contracts/catalog-events';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { catalogEventMessage } from './catalog-event-message';

export interface CatalogTransaction {
  /** Repositories write through this manager, so every change of one request commits together. */
  manager: EntityManager;
  /** Records an event; it is written to the outbox in this transaction and published after commit. */
  emit(event: CatalogEvent): void;
}

/** The platform's outbox unit of work, speaking catalog events (each becomes its bus message). */
@Injectable()
export class CatalogTransactions {
  constructor(private readonly outbox: ServiceOutbox) {}

  run<T>(work: (tx: CatalogTransaction) => Promise<T>): Promise<T> {
    return this.outbox.transaction((tx) => work({ manager: tx.manager, emit: (event) => tx.emit(catalogEventMessage(event)) }));
  }
}
