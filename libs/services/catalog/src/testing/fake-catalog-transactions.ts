import { EntityManager } from 'typeorm';
import { CatalogEvent } from '@abaxus/contracts/catalog-events';
import { CatalogTransaction, CatalogTransactions } from '../catalog-events/catalog-transactions';

/** Stands for the transaction's manager in unit specs: the fake repositories never use it. */
export const FAKE_MANAGER = {} as EntityManager;

/**
 * CatalogTransactions without a database, for unit specs: the events of a unit of work are kept
 * (in `published`) only if it completes, as the outbox keeps them only if the transaction commits.
 */
export class FakeCatalogTransactions {
  readonly published: CatalogEvent[] = [];

  async run<T>(work: (tx: CatalogTransaction) => Promise<T>): Promise<T> {
    const events: CatalogEvent[] = [];
    const result = await work({ manager: FAKE_MANAGER, emit: (event) => events.push(event) });
    this.published.push(...events);
    return result;
  }

  asTransactions(): CatalogTransactions {
    return this as unknown as CatalogTransactions;
  }
}

/** Newest-first listing over an in-memory array, like the repositories' `seq DESC` with a cursor. */
export function listNewestFirst<T>(items: T[], idOf: (item: T) => string, limit: number, startingAfter: string | undefined): T[] | undefined {
  const newestFirst = [...items].reverse();
  if (startingAfter === undefined) return newestFirst.slice(0, limit);
  const at = newestFirst.findIndex((item) => idOf(item) === startingAfter);
  return at < 0 ? undefined : newestFirst.slice(at + 1, at + 1 + limit);
}
