import type { NextFunction, Request, Response } from 'express';
import { isSafeNumber, parse } from 'lossless-json';
import { ProblemException } from './problem.exception';

export interface RequestWithRawBody extends Request {
  rawBody?: Buffer;
}

/** A number literal a double cannot hold, until the reviver knows the key it stands under. */
class ExactNumberLiteral {
  constructor(readonly literal: string) {}
}

/** Ids, keys and names are strings in the contract: `id`, `key`, `name` and `*_id`, `*_key`, `*_name`. */
const STRING_FIELD = /^(?:[a-z0-9_]*_)?(?:id|key|name)$/;

/**
 * Numbers are kept exact: a JSON number whose digits a double cannot hold is passed on as its
 * literal text instead of being rounded, and validation then treats it as a decimal string —
 * except under an id, key or name, where it stays a number, so that validation refuses it
 * there as it refuses any other number (it must not be stored as the string of its digits).
 */
export function parseJsonLosslessly(text: string): unknown {
  return parse(
    text,
    (key, value) => (value instanceof ExactNumberLiteral ? (STRING_FIELD.test(key) ? Number(value.literal) : value.literal) : value),
    (literal: string) => (isSafeNumber(literal, { approx: false }) ? Number(literal) : new ExactNumberLiteral(literal)),
  );
}

/**
 * Reads every body as JSON whatever its Content-Type: `curl -d '{...}'` sends JSON labelled as
 * a form. Keeps the raw bytes for signature checks (Stripe webhooks).
 */
export function jsonBodyMiddleware(limitBytes: number, options: { parse: boolean } = { parse: true }) {
  return (req: RequestWithRawBody, _res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return next();
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limitBytes) return next(new ProblemException(413, 'payload_too_large', `The request body is larger than ${limitBytes} bytes.`));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes && !failed) {
        failed = true;
        next(new ProblemException(413, 'payload_too_large', `The request body is larger than ${limitBytes} bytes.`));
        return;
      }
      if (!failed) chunks.push(chunk);
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        next(error);
      }
    });
    req.on('end', () => {
      if (failed) return;
      const raw = Buffer.concat(chunks);
      req.rawBody = raw;
      if (!options.parse) return next();
      const text = raw.toString('utf8').trim();
      if (text === '') {
        req.body = {};
        return next();
      }
      try {
        req.body = parseJsonLosslessly(text);
      } catch (error) {
        return next(new ProblemException(400, 'malformed_json', `The request body is not valid JSON: ${(error as Error).message}`));
      }
      next();
    });
  };
}
