import { deflateSync } from 'node:zlib';

/*
 * A small RGBA PNG made on the spot (an issuer's logo for tests and the example invoice): a teal
 * rounded badge with three bars, on a transparent background.
 */

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function testLogoPng(width = 180, height = 60): Buffer {
  const rows: Buffer[] = [];
  const radius = height / 2;
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 4); // filter byte 0, then RGBA
    for (let x = 0; x < width; x++) {
      const at = 1 + x * 4;
      // A badge of height × height with rounded corners, then three bars of growing height.
      const dx = Math.max(radius * 0.4 - x, 0, x - (height - radius * 0.4));
      const dy = Math.max(radius * 0.4 - y, 0, y - (height - radius * 0.4));
      const inBadge = x < height && dx * dx + dy * dy <= (radius * 0.4) ** 2;
      const bar = [0, 1, 2].find((index) => x >= height + 14 + index * 26 && x < height + 32 + index * 26);
      const inBar = bar !== undefined && y >= height - 12 - (bar + 1) * 14 && y < height - 8;
      if (inBadge) row.set([0x0f, 0x76, 0x6e, 0xff], at);
      else if (inBar) row.set([0x14, 0xb8, 0xa6, 0xff], at);
    }
    // A white "A" stroke across the badge: two diagonals and a bar.
    for (let x = 0; x < height; x++) {
      const left = Math.abs(x - (height / 2 - (y - 10) * 0.35)) < 3 && y > 10 && y < height - 10;
      const right = Math.abs(x - (height / 2 + (y - 10) * 0.35)) < 3 && y > 10 && y < height - 10;
      const bar = y > height * 0.58 && y < height * 0.58 + 5 && x > height * 0.33 && x < height * 0.67;
      if (left || right || bar) row.set([0xff, 0xff, 0xff, 0xff], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
