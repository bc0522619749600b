import { CatalogCopyService } from '@abaxus/usage-events/catalog-copy/catalog-copy.service';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { IncomingMessage, OutgoingMessage } from '@abaxus/platform/bus/message-bus';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { UsageEventWriter } from './usage-event-writer.service';
import { UsageStoreRepository, UsageStoreTransaction } from './usage-store.repository';
import { UsageStreamService } from './usage-stream.service';

/* The consumer's orchestration with its side effects replaced: order of effects, DLQ, positions. */

const message = (offset: number, value: string): IncomingMessage => ({
  topic: 'abaxus.usage.events',
  partition: 3,
  offset: String(offset),
  key: 'cust_a',
  value,
  headers: {},
  timestamp: '2026-03-17T14:00:00.000Z',
});

const event = (key: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ customer_id: 'cust_a', metric_key: 'calls', value: '1', timestamp: '2026-03-17T14:00:00Z', idempotency_key: key, ...extra });

function harness(options: { storedUpTo?: bigint; refuse?: (events: ValidUsageEvent[]) => boolean } = {}) {
  const log: string[] = [];
  const deadLettered: Array<{ message: { offset: string }; reason: string }> = [];
  let wakes = 0;
  const stored: string[] = [];
  const positions: string[] = [];
  const catalog = {
    resolve: async () => ({
      metric: (key: string) => (key === 'calls' ? { aggregationType: 'sum' as const, valueType: 'integer' as const } : undefined),
      hasCustomer: (id: string) => id === 'cust_a',
      subscriptionOwner: () => undefined,
    }),
  } as unknown as CatalogCopyService;
  const tx = {
    appendToOutbox: async (messages: OutgoingMessage[]) => {
      if (messages.length > 0) log.push('dead-letter');
      deadLettered.push(...messages.map((m) => ({ message: { offset: m.headers!['abaxus-source-offset'] }, reason: m.headers!['abaxus-error'] })));
    },
    savePosition: async (position: { nextOffset: string }) => {
      log.push('position');
      positions.push(position.nextOffset);
    },
  } as unknown as UsageStoreTransaction;
  const store = {
    positionOf: async () => options.storedUpTo ?? 0n,
    ensurePartitions: async () => undefined,
    transaction: async <T>(work: (t: UsageStoreTransaction) => Promise<T>) => work(tx),
  } as unknown as UsageStoreRepository;
  const writer = {
    storeAndMerge: async (_tx: UsageStoreTransaction, events: ValidUsageEvent[]) => {
      if (options.refuse?.(events)) throw Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
      log.push('store');
      stored.push(...events.map((e) => e.idempotencyKey));
      return [];
    },
  } as unknown as UsageEventWriter;
  const outbox = { wake: () => void (wakes += 1) } as unknown as ServiceOutbox;
  const service = new UsageStreamService(new UsageEventValidator(catalog), store, writer, outbox);
  return { service, log, deadLettered, stored, positions, wakes: () => wakes };
}

describe('UsageStreamService', () => {
  it('dead-letters invalid messages through the outbox in the transaction that stores the valid ones and the position', async () => {
    const { service, log, deadLettered, stored, positions, wakes } = harness();
    await service.processBatch([message(10, event('e1')), message(11, '{oops'), message(12, event('e2', { customer_id: 'ghost' })), message(13, event('e3'))]);
    expect(log).toEqual(['store', 'dead-letter', 'position']);
    expect(wakes()).toBe(1);
    expect(deadLettered.map((r) => [r.message.offset, r.reason.split(':')[0]])).toEqual([
      ['11', 'malformed_json'],
      ['12', 'validation_failed'],
    ]);
    expect(stored).toEqual(['e1', 'e3']);
    expect(positions).toEqual(['14']);
  });

  it('skips a redelivered batch already stored', async () => {
    const { service, log } = harness({ storedUpTo: 20n });
    await service.processBatch([message(18, event('e1')), message(19, event('e2'))]);
    expect(log).toEqual([]);
  });

  it('stores one by one when the database refuses the batch for its data, dead-lettering the refused event', async () => {
    const { service, deadLettered, stored, positions } = harness({ refuse: (events) => events.some((e) => e.idempotencyKey === 'bad') });
    await service.processBatch([message(1, event('a')), message(2, event('bad')), message(3, event('c'))]);
    expect(stored).toEqual(['a', 'c']);
    expect(deadLettered.map((r) => [r.message.offset, r.reason])).toEqual([['2', 'storage_refused: invalid input syntax for type json']]);
    expect(positions).toEqual(['4']);
  });
});

describe('UsageStreamService with odd messages', () => {
  it('dead-letters a message the bus could not decode, with the reason', async () => {
    const { service, deadLettered, stored, positions } = harness();
    await service.processBatch([{ ...message(7, ''), key: null, undecodable: 'lz4 batch could not be decoded: bad frame' }, message(8, event('ok'))]);
    expect(stored).toEqual(['ok']);
    expect(deadLettered).toEqual([{ message: { offset: '7' }, reason: 'undecodable: lz4 batch could not be decoded: bad frame' }]);
    expect(positions).toEqual(['9']);
  });

  it('dead-letters a message nested too deep to check instead of failing the batch', async () => {
    const { service, deadLettered, stored } = harness();
    const deep = `{"customer_id":"cust_a","metric_key":"calls","value":"1","timestamp":"2026-03-17T14:00:00Z","idempotency_key":"deep","properties":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    await service.processBatch([message(1, deep), message(2, event('fine'))]);
    expect(stored).toEqual(['fine']);
    expect(deadLettered.map((r) => [r.message.offset, r.reason])).toEqual([['1', expect.stringMatching(/^validation_failed: body: cannot be read/)]]);
  });
});
