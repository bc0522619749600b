/* eslint-disable @typescript-eslint/no-require-imports */
import { CompressionTypes } from 'kafkajs';
import { registerKafkaCodecs, UNDECODABLE_HEADER } from './kafka-codecs';

// kafkajs's own record-batch encoder and decoder: what its consumer runs on a fetched batch.
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const Decoder = require('kafkajs/src/protocol/decoder');

/** Byte offset of a batch's attributes: firstOffset, length, leader epoch, magic, crc. */
const ATTRIBUTES_AT = 8 + 4 + 4 + 1 + 4;

interface Decoded {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

async function encode(compression: CompressionTypes, values: string[]): Promise<Buffer> {
  const records = values.map((value, offsetDelta) => Record({ offsetDelta, key: Buffer.from(`k${offsetDelta}`), value: Buffer.from(value) }));
  const encoder = await RecordBatch({ compression, firstOffset: '100', lastOffsetDelta: values.length - 1, records });
  return encoder.buffer as Buffer;
}

async function decode(batch: Buffer): Promise<Decoded[]> {
  return (await decodeBatch(new Decoder(batch))).records as Decoded[];
}

describe('Kafka record-batch codecs', () => {
  beforeAll(() => registerKafkaCodecs());

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
  ])('reads back a %s batch', async (_name, type) => {
    const values = Array.from({ length: 50 }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(i) }));
    const records = await decode(await encode(type, values));
    expect(records.map((r) => [r.offset, r.value!.toString()])).toEqual(values.map((v, i) => [String(100 + i), v]));
  });

  it('turns a batch it cannot decompress into one stand-in per offset, naming the reason', async () => {
    const batch = await encode(CompressionTypes.GZIP, ['a', 'b', 'c']);
    batch.writeInt16BE(CompressionTypes.ZSTD, ATTRIBUTES_AT); // gzip bytes announced as zstd
    const records = await decode(batch);
    expect(records.map((r) => r.offset)).toEqual(['100', '101', '102']);
    expect(records.every((r) => r.key === null && r.value!.length === 0)).toBe(true);
    expect(records[0].headers[UNDECODABLE_HEADER].toString()).toMatch(/^zstd batch could not be decoded: /);
  });

  it('turns a batch of an unknown codec id into stand-ins too', async () => {
    const batch = await encode(CompressionTypes.GZIP, ['a', 'b']);
    batch.writeInt16BE(5, ATTRIBUTES_AT);
    const records = await decode(batch);
    expect(records.map((r) => [r.offset, r.headers[UNDECODABLE_HEADER].toString()])).toEqual([
      ['100', 'unknown compression codec 5'],
      ['101', 'unknown compression codec 5'],
    ]);
  });

  it('refuses a decompressed batch that does not hold its record count', async () => {
    const batch = await encode(CompressionTypes.GZIP, ['a', 'b']);
    // The count is read just before the compressed bytes: claim a third record.
    const countAt = ATTRIBUTES_AT + 2 + 4 + 8 + 8 + 8 + 2 + 4;
    expect(batch.readInt32BE(countAt)).toBe(2);
    batch.writeInt32BE(3, countAt);
    const records = await decode(batch);
    expect(records).toHaveLength(3);
    expect(records[2].headers[UNDECODABLE_HEADER].toString()).toMatch(/^gzip batch could not be decoded: /);
  });
});
