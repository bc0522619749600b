/*
 * Checks that bytes really are a PNG image without decoding its pixels: the signature, a
 * well-formed IHDR, every chunk whole with its CRC, a palette where one is needed, image data,
 * IEND last. Used for the invoice issuer's logo, so that nothing malformed reaches a renderer.
 */

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Bounds the decoded size: a logo this large is at most 32 MB of pixels (16-bit RGBA) when unpacked. */
export const PNG_MAX_DIMENSION = 2000;

/** Valid bit depths per colour type (PNG specification, table 11.1). */
const BIT_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
}

export type PngInspection =
  | {
      ok: true;
      header: PngHeader;
      /** The IDAT chunks' data, joined: a zlib stream. */ imageData: Uint8Array;
      /** Its length once inflated. */ inflatedLength: number;
    }
  | { ok: false; message: string };

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0xffffffff;
  for (let index = from; index < to; index++) crc = CRC_TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const uint32 = (bytes: Uint8Array, at: number) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
const invalid = (why: string): PngInspection => ({ ok: false, message: `is not a valid PNG image (${why})` });

/** Bytes of filtered scanlines the image data holds once inflated (a filter byte per row, per pass when interlaced). */
export function pngInflatedLength(header: PngHeader): number {
  const rowBytes = (width: number) => 1 + Math.ceil((width * CHANNELS[header.colourType] * header.bitDepth) / 8);
  if (!header.interlaced) return header.height * rowBytes(header.width);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const width = Math.ceil((header.width - x0) / dx);
    const height = Math.ceil((header.height - y0) / dy);
    if (width > 0 && height > 0) total += height * rowBytes(width);
  }
  return total;
}

export function inspectPng(bytes: Uint8Array): PngInspection {
  if (bytes.length < 8 || PNG_SIGNATURE.some((byte, index) => bytes[index] !== byte)) return { ok: false, message: 'is not a PNG image (no PNG signature)' };
  if (bytes.length < 8 + 25) return invalid('too short');
  if (uint32(bytes, 8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return invalid('the first chunk must be a 13-byte IHDR');

  const chunks: Array<{ type: string; start: number; end: number }> = [];
  for (let at = 8; at < bytes.length;) {
    if (at + 12 > bytes.length) return invalid('a chunk is cut off');
    const length = uint32(bytes, at);
    const end = at + 8 + length;
    if (end + 4 > bytes.length) return invalid('a chunk is cut off');
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (crc32(bytes, at + 4, end) !== uint32(bytes, end)) return invalid(`${type} checksum mismatch`);
    chunks.push({ type, start: at + 8, end });
    at = end + 4;
    if (type === 'IEND') {
      if (at !== bytes.length) return invalid('data after IEND');
      break;
    }
  }
  if (chunks.at(-1)?.type !== 'IEND') return invalid('no IEND chunk at the end');

  const ihdr = chunks[0].start;
  const header: PngHeader = {
    width: uint32(bytes, ihdr),
    height: uint32(bytes, ihdr + 4),
    bitDepth: bytes[ihdr + 8],
    colourType: bytes[ihdr + 9],
    interlaced: bytes[ihdr + 12] === 1,
  };
  if (header.width === 0 || header.height === 0) return invalid('zero width or height');
  if (!BIT_DEPTHS[header.colourType]?.includes(header.bitDepth) || bytes[ihdr + 10] !== 0 || bytes[ihdr + 11] !== 0 || bytes[ihdr + 12] > 1) {
    return invalid('IHDR has an invalid bit depth, colour type or method');
  }
  if (header.colourType === 3 && !chunks.some((chunk) => chunk.type === 'PLTE')) return invalid('a palette image without PLTE');
  const data = chunks.filter((chunk) => chunk.type === 'IDAT');
  if (data.length === 0) return invalid('no image data');
  if (header.width > PNG_MAX_DIMENSION || header.height > PNG_MAX_DIMENSION) {
    return { ok: false, message: `is ${header.width}×${header.height} pixels; at most ${PNG_MAX_DIMENSION}×${PNG_MAX_DIMENSION} is accepted` };
  }
  const imageData = new Uint8Array(data.reduce((sum, chunk) => sum + chunk.end - chunk.start, 0));
  let offset = 0;
  for (const chunk of data) {
    imageData.set(bytes.subarray(chunk.start, chunk.end), offset);
    offset += chunk.end - chunk.start;
  }
  return { ok: true, header, imageData, inflatedLength: pngInflatedLength(header) };
}
