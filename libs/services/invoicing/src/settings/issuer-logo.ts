import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { inspectPng } from '@abaxus/domain/address/png-image';

/** The largest logo accepted, decoded (its base64 text is a third longer). */
export const LOGO_MAX_BYTES = 200 * 1024;

export type LogoReading = { ok: true; png: Buffer; sha256: string } | { ok: false; message: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads the issuer's logo from base64: a PNG by its signature, header and chunks (libs/domain),
 * whose image data also inflates to exactly the size its header promises — so the PDF renderer,
 * which inflates it again asynchronously, never meets a broken stream. Whitespace (line breaks of
 * `base64` output) is ignored.
 */
export function readLogo(value: unknown): LogoReading {
  if (typeof value !== 'string') return { ok: false, message: 'must be a base64 string of a PNG image' };
  const text = value.replace(/\s+/g, '');
  if (text === '' || !BASE64.test(text)) return { ok: false, message: 'must be base64 (standard alphabet, with = padding) of a PNG image' };
  const png = Buffer.from(text, 'base64');
  if (png.length > LOGO_MAX_BYTES) return { ok: false, message: `is ${png.length} bytes; at most ${LOGO_MAX_BYTES} bytes (200 KB) are accepted` };
  const inspection = inspectPng(png);
  if (!inspection.ok) return inspection;
  let inflated: Buffer;
  try {
    inflated = inflateSync(inspection.imageData, { maxOutputLength: inspection.inflatedLength });
  } catch {
    return { ok: false, message: 'is not a valid PNG image (its image data is not a complete zlib stream of the size its header gives)' };
  }
  if (inflated.length !== inspection.inflatedLength)
    return { ok: false, message: 'is not a valid PNG image (its image data is shorter than its header gives)' };
  return { ok: true, png, sha256: createHash('sha256').update(png).digest('hex') };
}
