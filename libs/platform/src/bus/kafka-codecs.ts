import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { decompress as zstdDecompress } from 'fzstd';
import * as lz4 from 'lz4js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const snappyCodec = require('kafkajs-snappy') as () => KafkaCodec;

/**
 * Record-batch codecs for kafkajs, which reads only gzip by itself: producers in the wild (the Java
 * client, librdkafka) use snappy, lz4 and zstd too. All pure JavaScript (no native build):
 * kafkajs-snappy (snappyjs), lz4js (Kafka's LZ4 is the standard frame format), fzstd (zstd,
 * decompression only: the engine's own producer never compresses with zstd).
 *
 * A batch that still cannot be decoded (a codec id this table lacks, corrupt data, a frame feature
 * a decoder does not handle) must not stall its partition: kafkajs would fail the fetch, restart
 * into the same batch and never get past it. The codec then hands kafkajs stand-in records, one
 * per offset of the batch, empty but for the UNDECODABLE_HEADER naming the reason, which the
 * consumer dead-letters like any other message it cannot use.
 */
export const UNDECODABLE_HEADER = 'abaxus-undecodable';

interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** A batch that inflates beyond this is refused (as undecodable) instead of exhausting memory. */
const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;
/** More records than a batch of the fetch sizes the adapter uses can hold means the count is not one. */
const MAX_RECORDS_PER_BATCH = 10_000_000;
const CODEC_NAMES: Record<number, string> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };

const lz4Codec = (): KafkaCodec => ({
  async compress(encoder) {
    return Buffer.from(lz4.compress(encoder.buffer));
  },
  async decompress(buffer) {
    const size = (lz4.decompressBound as unknown as (src: Uint8Array) => number)(buffer);
    if (size > MAX_DECOMPRESSED_BYTES) throw new Error(`lz4 batch would inflate to ${size} bytes`);
    return Buffer.from(lz4.decompress(buffer, size));
  },
});

const zstdCodec = (): KafkaCodec => ({
  async compress() {
    throw new Error('zstd compression is not available (the engine reads zstd batches, it does not write them)');
  },
  async decompress(buffer) {
    const out = zstdDecompress(buffer);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  },
});

let registered = false;

/** Registers the codecs with kafkajs (process-wide, once). */
export function registerKafkaCodecs(): void {
  if (registered) return;
  registered = true;
  const gzip = CompressionCodecs[CompressionTypes.GZIP];
  const codecs = CompressionCodecs as unknown as Record<number, () => KafkaCodec>;
  codecs[CompressionTypes.GZIP] = tolerant(CompressionTypes.GZIP, gzip);
  codecs[CompressionTypes.Snappy] = tolerant(CompressionTypes.Snappy, snappyCodec);
  codecs[CompressionTypes.LZ4] = tolerant(CompressionTypes.LZ4, lz4Codec);
  codecs[CompressionTypes.ZSTD] = tolerant(CompressionTypes.ZSTD, zstdCodec);
  // Ids 5-7 are unassigned today; kafkajs would read such a batch as uncompressed garbage.
  for (const id of [5, 6, 7])
    codecs[id] = () => ({
      compress: () => Promise.reject(new Error(`no codec ${id}`)),
      decompress: (buffer) => Promise.resolve(standIns(buffer, `unknown compression codec ${id}`)),
    });
}

/**
 * Wraps a codec so that decompress never fails the fetch: the result must also split into the
 * batch's record count of length-prefixed records, else the stand-ins replace it.
 */
function tolerant(id: number, make: () => KafkaCodec): () => KafkaCodec {
  return () => {
    const codec = make();
    return {
      compress: (encoder) => codec.compress(encoder),
      async decompress(buffer) {
        const count = recordCount(buffer);
        try {
          const out = await codec.decompress(buffer);
          if (count !== undefined) checkFraming(out, count);
          return out;
        } catch (error) {
          return standIns(buffer, `${CODEC_NAMES[id]} batch could not be decoded: ${(error as Error).message}`);
        }
      },
    };
  };
}

/**
 * kafkajs reads the batch's record count (int32) just before the compressed bytes and hands the
 * codec a view of the same fetch buffer, so the count sits in the 4 bytes before the view.
 */
function recordCount(buffer: Buffer): number | undefined {
  if (buffer.byteOffset < 4) return undefined;
  const count = new DataView(buffer.buffer, buffer.byteOffset - 4, 4).getInt32(0);
  return count > 0 && count <= MAX_RECORDS_PER_BATCH ? count : undefined;
}

function checkFraming(records: Buffer, count: number): void {
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const [length, next] = readVarInt(records, offset);
    if (length < 0 || next + length > records.length) throw new Error(`record ${i} of ${count} does not fit the decompressed data`);
    offset = next + length;
  }
}

/** One empty record per offset of the batch, carrying the reason; what kafkajs then decodes. */
function standIns(buffer: Buffer, reason: string): Buffer {
  const count = recordCount(buffer);
  if (count === undefined) throw new Error(`${reason} (and the batch's record count cannot be read)`);
  const headerKey = Buffer.from(UNDECODABLE_HEADER);
  const headerValue = Buffer.from(reason.slice(0, 1000));
  const records: Buffer[] = [];
  for (let offsetDelta = 0; offsetDelta < count; offsetDelta++) {
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      varInt(0), // timestamp delta
      varInt(offsetDelta),
      varInt(-1), // null key
      varInt(0), // empty value
      varInt(1), // one header
      varInt(headerKey.length),
      headerKey,
      varInt(headerValue.length),
      headerValue,
    ]);
    records.push(varInt(body.length), body);
  }
  return Buffer.concat(records);
}

/** Kafka's varint: zigzag, then 7 bits a byte, least significant first. */
function varInt(value: number): Buffer {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  const bytes: number[] = [];
  while (zigzag > 0x7f) {
    bytes.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  bytes.push(zigzag);
  return Buffer.from(bytes);
}

function readVarInt(buffer: Buffer, start: number): [number, number] {
  let result = 0;
  let shift = 0;
  let offset = start;
  for (;;) {
    if (offset >= buffer.length || shift > 28) throw new Error('truncated varint');
    const byte = buffer[offset++];
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return [(result >>> 1) ^ -(result & 1), offset];
}
