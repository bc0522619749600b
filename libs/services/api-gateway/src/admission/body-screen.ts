import { ProblemException } from '@abaxus/platform/http/problem.exception';

/** A UTF-16 surrogate without its pair: JSON may spell one (`\ud800`), UTF-8 and PostgreSQL cannot hold it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Keys that name an object's prototype machinery rather than data: refused wherever they appear. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor']);

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Refuses, naming the field, what no route of the engine can take and what PostgreSQL or an
 * object spread would mishandle: a NUL character (`\u0000`) or a lone surrogate (`\ud800`) in
 * any string or key, and the keys `__proto__` and `constructor` anywhere in the body. Bodies that cannot hold either (no escape,
 * no such word) are not parsed; a body that is not JSON is left to the owning service.
 */
export function screenJsonBody(raw: Buffer | undefined): void {
  if (raw === undefined || raw.length === 0) return;
  // A NUL in valid JSON is always written as an escape, and so may a key be spelled.
  if (!raw.includes('\\u') && !raw.includes('__proto__') && !raw.includes('constructor')) return;
  let document: unknown;
  try {
    document = JSON.parse(raw.toString('utf8'));
  } catch {
    return;
  }
  // Iterative: a deeply nested body must not exhaust the stack.
  const pending: Array<[unknown, string]> = [[document, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      checkText(value, path || 'body');
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], child(path, i)]);
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        if (RESERVED_KEYS.has(key)) refuse(child(path, key), 'is a reserved name and not a known field');
        checkText(key, child(path, key.replace(/\u0000/g, '\\u0000').replace(new RegExp(LONE_SURROGATE, 'g'), '?')));
        pending.push([(value as Record<string, unknown>)[key], child(path, key)]);
      }
    }
  }
}

function checkText(text: string, field: string): void {
  if (text.includes('\u0000')) refuse(field, 'must not contain the NUL character (\\u0000)');
  if (LONE_SURROGATE.test(text)) refuse(field, 'must be well-formed Unicode (a lone surrogate such as \\ud800 cannot be stored)');
}

function refuse(field: string, message: string): never {
  throw ProblemException.validation([{ field, message }], `${field} ${message}.`);
}
