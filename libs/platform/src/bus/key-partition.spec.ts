import { Partitioners } from 'kafkajs';
import { murmur2, partitionForKey, rememberingKeyPartitioner } from './key-partition';

describe('partitionForKey', () => {
  it('computes murmur2 as Kafka does (the cases of Kafka’s own UtilsTest)', () => {
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, hash] of cases) expect({ text, hash: murmur2(Buffer.from(text)) }).toEqual({ text, hash });
  });

  it('picks the partition the engine’s producer (kafkajs DefaultPartitioner) picks', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 2, 3, 4, 7, 12, 64]) {
      const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      for (const key of ['cus_1', 'cus_Ünïcødé', '', 'c'.repeat(37), 'customer-000123']) {
        expect({ key, partitions, partition: partitionForKey(key, partitions) }).toEqual({
          key,
          partitions,
          partition: partitioner({ topic: 't', partitionMetadata: metadata, message: { key, value: 'v' } }),
        });
      }
    }
  });

  it('the engine’s producer partitioner picks what the default picks, for keyed, unkeyed and pinned messages, the second time too', () => {
    const metadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const ours = rememberingKeyPartitioner(Partitioners.DefaultPartitioner());
    const reference = Partitioners.DefaultPartitioner();
    for (let round = 0; round < 2; round++) {
      for (const key of ['cus_1', 'cus_Ünïcødé', '', 'customer-000123', 'x'.repeat(300)]) {
        const message = { key, value: 'v' };
        expect(ours({ topic: 't', partitionMetadata: metadata, message })).toBe(reference({ topic: 't', partitionMetadata: metadata, message }));
      }
      expect(ours({ topic: 't', partitionMetadata: metadata, message: { key: 'cus_1', value: 'v', partition: 5 } })).toBe(5);
      expect(ours({ topic: 't', partitionMetadata: metadata, message: { key: Buffer.from('cus_1'), value: 'v' } })).toBe(partitionForKey('cus_1', 6));
      expect(metadata.map((p) => p.partitionId)).toContain(ours({ topic: 't', partitionMetadata: metadata, message: { value: 'no key' } }));
    }
  });
});
