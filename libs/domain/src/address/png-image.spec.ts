import { deflateSync } from 'node:zlib';
import { inspectPng, pngInflatedLength } from './png-image';

/** The PNG specification's CRC-32, written bit by bit (the code under test uses a table). */
function crc(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc(body));
  return Buffer.concat([length, body, sum]);
}

/** A real PNG: signature, IHDR, PLTE for palette images, one IDAT of blank scanlines, IEND. */
function png(width: number, height: number, options: { bitDepth?: number; colourType?: number; interlaced?: boolean; palette?: boolean } = {}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = options.bitDepth ?? 8;
  header[9] = options.colourType ?? 2;
  header[12] = options.interlaced ? 1 : 0;
  const blank = Buffer.alloc(Math.min(height, 8) * (1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(options.colourType === 3 && options.palette !== false ? [chunk('PLTE', Buffer.alloc(6))] : []),
    chunk('IDAT', deflateSync(blank)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('inspectPng', () => {
  it('accepts a PNG, reads its header and hands over its image data', () => {
    const result = inspectPng(png(120, 40));
    expect(result).toMatchObject({ ok: true, header: { width: 120, height: 40, bitDepth: 8, colourType: 2, interlaced: false }, inflatedLength: 40 * 361 });
    expect(inspectPng(png(3, 2, { bitDepth: 16, colourType: 6 }))).toMatchObject({ ok: true, inflatedLength: 2 * (1 + 3 * 8) });
    expect(inspectPng(png(5, 5, { bitDepth: 4, colourType: 3 }))).toMatchObject({ ok: true, inflatedLength: 5 * 4 });
  });

  it.each([
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]), 'no PNG signature'],
    ['text', Buffer.from('not an image at all'), 'no PNG signature'],
    ['a bare signature', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'too short'],
  ])('refuses %s', (_name, bytes, message) => {
    expect(inspectPng(bytes)).toEqual({ ok: false, message: expect.stringContaining(message) });
  });

  it('refuses a changed IHDR (checksum), a wrong first chunk, invalid header values, a cut-off file and trailing bytes', () => {
    const good = png(10, 10);
    const tampered = Buffer.from(good);
    tampered[19] = 11; // width 11, CRC left as it was
    expect(inspectPng(tampered)).toEqual({ ok: false, message: expect.stringContaining('IHDR checksum') });
    const renamed = Buffer.from(good);
    renamed.write('IHDX', 12, 'latin1');
    expect(inspectPng(renamed)).toEqual({ ok: false, message: expect.stringContaining('13-byte IHDR') });
    expect(inspectPng(png(10, 10, { bitDepth: 3 }))).toEqual({ ok: false, message: expect.stringContaining('bit depth') });
    expect(inspectPng(png(0, 10))).toEqual({ ok: false, message: expect.stringContaining('zero width') });
    expect(inspectPng(good.subarray(0, good.length - 5))).toEqual({ ok: false, message: expect.stringContaining('cut off') });
    expect(inspectPng(good.subarray(0, good.length - 12))).toEqual({ ok: false, message: expect.stringContaining('no IEND') });
    expect(inspectPng(Buffer.concat([good, Buffer.from('junk')]))).toEqual({ ok: false, message: expect.stringContaining('after IEND') });
  });

  it('refuses a palette image without its palette, and an image without data', () => {
    expect(inspectPng(png(4, 4, { colourType: 3, palette: false }))).toEqual({ ok: false, message: expect.stringContaining('PLTE') });
    const header = png(4, 4).subarray(0, 33);
    const noData = Buffer.concat([header, chunk('IEND', Buffer.alloc(0))]);
    expect(inspectPng(noData)).toEqual({ ok: false, message: expect.stringContaining('no image data') });
  });

  it('refuses images larger than 2000 pixels a side', () => {
    expect(inspectPng(png(2001, 10))).toEqual({ ok: false, message: expect.stringContaining('2001×10') });
    expect(inspectPng(png(2000, 2000))).toMatchObject({ ok: true });
  });

  it('counts the inflated length of interlaced images pass by pass (Adam7)', () => {
    // 5×3 RGB 8-bit, passes 1 to 7: 1×1, 1×1, none, 1×1, 3×1, 2×2, 5×1 pixels, a filter byte per row.
    expect(pngInflatedLength({ width: 5, height: 3, bitDepth: 8, colourType: 2, interlaced: true })).toBe(
      1 * (1 + 3) + 1 * (1 + 3) + 0 + 1 * (1 + 3) + 1 * (1 + 9) + 2 * (1 + 6) + 1 * (1 + 15),
    );
    expect(pngInflatedLength({ width: 1, height: 1, bitDepth: 1, colourType: 0, interlaced: true })).toBe(2);
  });
});
