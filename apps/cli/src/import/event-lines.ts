/*
 * Turns the records of an import file into usage events, as JSON text sent byte for byte: number
 * literals stay exactly as written (never through a JS number), and an event without an
 * `idempotency_key` gets the deterministic one it is given (so a re-run never counts it twice).
 */

export type PreparedRecord =
  | { kind: 'event'; json: string }
  | { kind: 'blank' }
  /** Refused here, never sent: `code` and `message` go to the refused-lines file. */
  | { kind: 'refused'; code: string; message: string };

/** One NDJSON line: a JSON object; blank lines are skipped. */
export function prepareNdjsonLine(text: string, defaultKey: string): PreparedRecord {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'blank' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    return { kind: 'refused', code: 'invalid_json', message: `not valid JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { kind: 'refused', code: 'not_an_object', message: 'a line must be one JSON object' };
  if ('idempotency_key' in parsed) return { kind: 'event', json: trimmed };
  return { kind: 'event', json: withLeadingMember(trimmed, 'idempotency_key', JSON.stringify(defaultKey), Object.keys(parsed).length === 0) };
}

/** `{"name":value,` spliced in after the object's opening brace, the rest of the text untouched. */
function withLeadingMember(objectText: string, name: string, valueJson: string, empty: boolean): string {
  const body = objectText.slice(objectText.indexOf('{') + 1);
  return `{${JSON.stringify(name)}:${valueJson}${empty ? '' : ','}${body}`;
}

const EVENT_COLUMNS = ['customer_id', 'subscription_id', 'metric_key', 'value', 'timestamp', 'idempotency_key'] as const;
const REQUIRED_COLUMNS = ['customer_id', 'metric_key', 'timestamp'];
const PROPERTY_PREFIX = 'properties.';

export class CsvHeaderError extends Error {}

/**
 * CSV with a header row naming the columns: `customer_id`, `metric_key`, `timestamp` (required),
 * `subscription_id`, `value`, `idempotency_key`, `properties` (a JSON object) and
 * `properties.<name>` (one property each, as a string). An empty cell is an absent field.
 */
export class CsvEventMapper {
  private readonly columns: string[];

  constructor(headerText: string) {
    const header = parseCsvRow(headerText.replace(/^\uFEFF/, ''));
    if (header === undefined) throw new CsvHeaderError('the header row is not valid CSV');
    this.columns = header.map((name) => name.trim());
    const unknown = this.columns.filter(
      (name) =>
        !(EVENT_COLUMNS as readonly string[]).includes(name) &&
        name !== 'properties' &&
        !(name.startsWith(PROPERTY_PREFIX) && name.length > PROPERTY_PREFIX.length),
    );
    if (unknown.length)
      throw new CsvHeaderError(`unknown column(s) ${unknown.join(', ')}: expected ${[...EVENT_COLUMNS, 'properties', 'properties.<name>'].join(', ')}`);
    const missing = REQUIRED_COLUMNS.filter((name) => !this.columns.includes(name));
    if (missing.length) throw new CsvHeaderError(`missing column(s) ${missing.join(', ')}`);
    const repeated = this.columns.filter((name, i) => this.columns.indexOf(name) !== i);
    if (repeated.length) throw new CsvHeaderError(`column(s) named twice: ${[...new Set(repeated)].join(', ')}`);
  }

  prepare(text: string, defaultKey: string): PreparedRecord {
    if (text.trim() === '') return { kind: 'blank' };
    const cells = parseCsvRow(text);
    if (cells === undefined) return { kind: 'refused', code: 'invalid_csv', message: 'not a valid CSV row (unbalanced quotes)' };
    if (cells.length !== this.columns.length)
      return { kind: 'refused', code: 'invalid_csv', message: `${cells.length} fields, the header has ${this.columns.length}` };
    const members: string[] = [];
    const properties: string[] = [];
    let propertiesJson: string | undefined;
    const propertyNames: string[] = [];
    let hasKey = false;
    this.columns.forEach((name, i) => {
      const cell = cells[i];
      if (cell === '') return;
      if (name === 'properties') propertiesJson = cell;
      else if (name.startsWith(PROPERTY_PREFIX)) {
        propertyNames.push(name.slice(PROPERTY_PREFIX.length));
        properties.push(`${JSON.stringify(name.slice(PROPERTY_PREFIX.length))}:${JSON.stringify(cell)}`);
      } else {
        if (name === 'idempotency_key') hasKey = true;
        members.push(`${JSON.stringify(name)}:${JSON.stringify(cell)}`);
      }
    });
    if (!hasKey) members.push(`"idempotency_key":${JSON.stringify(defaultKey)}`);
    if (propertiesJson !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(propertiesJson);
      } catch {
        return { kind: 'refused', code: 'invalid_csv', message: 'the properties column is not valid JSON' };
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        return { kind: 'refused', code: 'invalid_csv', message: 'the properties column must be a JSON object' };
      const twice = propertyNames.filter((name) => name in parsed);
      if (twice.length)
        return { kind: 'refused', code: 'invalid_csv', message: `property ${twice.join(', ')} given in both the properties and a properties.<name> column` };
      const empty = Object.keys(parsed).length === 0;
      members.push(
        `"properties":${properties.length ? `{${properties.join(',')}${empty ? '}' : `,${propertiesJson.trim().slice(1)}`}` : propertiesJson.trim()}`,
      );
    } else if (properties.length) members.push(`"properties":{${properties.join(',')}}`);
    return { kind: 'event', json: `{${members.join(',')}}` };
  }
}

/** Whether a CSV record is still inside a quoted field at its end (it continues on the next line). */
export function csvRecordContinues(text: string): boolean {
  let quotes = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) quotes += 1;
  return quotes % 2 === 1;
}

/** RFC 4180 fields of one record: `,`-separated, `"`-quoted with `""` for a quote; undefined when malformed. */
export function parseCsvRow(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return undefined;
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return undefined;
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      const value = text.slice(i, comma < 0 ? text.length : comma);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}
