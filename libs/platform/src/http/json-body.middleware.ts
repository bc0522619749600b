import type { NextFunction, Request, Response } from 'express';
import { isSafeNumber, parse } from 'lossless-json';
import { ProblemException } from './problem.exception';

export interface RequestWithRawBody extends Request {
  rawBody?: Buffer;
}

/** A number literal a double cannot hold, until its place in the document is known. */
class ExactNumberLiteral {
  constructor(readonly literal: string) {}
}

/** Ids, keys and names are strings in the contract: `id`, `key`, `name` and `*_id`, `*_key`, `*_name`. */
const STRING_FIELD = /^(?:[a-z0-9_]*_)?(?:id|key|name)$/;
/** Maps whose keys are the client's own (event properties, metadata): their values keep the exact text. */
const FREE_FORM_MAPS = new Set(['properties', 'metadata']);

/** Iterative: a deeply nested body must not exhaust the stack. */
function placeExactNumbers(root: unknown): unknown {
  const pending: Array<{ holder: Record<string, unknown> | unknown[]; freeForm: boolean }> = [];
  const settle = (value: unknown, key: string | undefined, freeForm: boolean): unknown => {
    if (value instanceof ExactNumberLiteral) return key !== undefined && !freeForm && STRING_FIELD.test(key) ? Number(value.literal) : value.literal;
    if (value !== null && typeof value === 'object')
      pending.push({ holder: value as Record<string, unknown>, freeForm: freeForm || (key !== undefined && FREE_FORM_MAPS.has(key)) });
    return value;
  };
  const result = settle(root, undefined, false);
  while (pending.length > 0) {
    const { holder, freeForm } = pending.pop()!;
    if (Array.isArray(holder)) for (let i = 0; i < holder.length; i++) holder[i] = settle(holder[i], undefined, freeForm);
    else for (const key of Object.keys(holder)) holder[key] = settle(holder[key], key, freeForm);
  }
  return result;
}

/**
 * Numbers are kept exact: a JSON number whose digits a double cannot hold is passed on as its
 * literal text instead of being rounded, and validation then treats it as a decimal string —
 * except as the value of an id, key or name, where it stays a number, so that validation refuses
 * it there as it refuses any other number (it must not be stored as the string of its digits).
 * Inside event properties and metadata every such number keeps its text. Text whose numbers a
 * double holds exactly (the usual case) takes the native parser, 3× faster.
 */
export function parseJsonLosslessly(text: string): unknown {
  if (numbersFitDoubles(text)) return JSON.parse(text);
  return placeExactNumbers(
    parse(text, null, (literal: string) => (isSafeNumber(literal, { approx: false }) ? Number(literal) : new ExactNumberLiteral(literal))),
  );
}

/**
 * True when every number outside the strings has at most 15 digits and no exponent: a double holds
 * such a number exactly, so JSON.parse cannot round it. (Leading zeros count too: conservative.)
 */
export function numbersFitDoubles(text: string): boolean {
  let inString = false;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) return false;
    } else if (c === 0x22) {
      inString = true;
      digits = 0;
    } else if (c === 0x65 || c === 0x45) {
      return false;
    } else if (c !== 0x2e) {
      digits = 0;
    }
  }
  return true;
}

/** A request body as JSON (an empty body is `{}`); text that is not JSON is a 400 malformed_json. */
export function parseRequestBody(raw: Buffer): unknown {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  try {
    return parseJsonLosslessly(text);
  } catch (error) {
    throw new ProblemException(400, 'malformed_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
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
      try {
        req.body = parseRequestBody(raw);
      } catch (error) {
        return next(error);
      }
      next();
    });
  };
}
