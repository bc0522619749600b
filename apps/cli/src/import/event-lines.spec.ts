import { csvRecordContinues, CsvEventMapper, CsvHeaderError, parseCsvRow, prepareNdjsonLine } from './event-lines';

describe('prepareNdjsonLine', () => {
  it('sends a line with its own idempotency_key byte for byte, number literals untouched', () => {
    const line = '{"customer_id":"c","metric_key":"m","value":12345678901234567890.5,"timestamp":"2026-03-17T14:00:00Z","idempotency_key":"k1"}';
    expect(prepareNdjsonLine(`  ${line} `, 'imp_x_L1')).toEqual({ kind: 'event', json: line });
  });

  it('gives a line without a key the deterministic one, and keeps the rest as written', () => {
    expect(prepareNdjsonLine('{ "value": 0.1000 }', 'imp_x_L7')).toEqual({ kind: 'event', json: '{"idempotency_key":"imp_x_L7", "value": 0.1000 }' });
    expect(prepareNdjsonLine('{}', 'imp_x_L8')).toEqual({ kind: 'event', json: '{"idempotency_key":"imp_x_L8"}' });
    const spliced = prepareNdjsonLine('{"customer_id":"c","properties":{"a":1}}', 'k');
    expect(spliced.kind === 'event' && JSON.parse(spliced.json)).toEqual({ idempotency_key: 'k', customer_id: 'c', properties: { a: 1 } });
  });

  it('skips blank lines and refuses what is not one JSON object', () => {
    expect(prepareNdjsonLine('   ', 'k')).toEqual({ kind: 'blank' });
    expect(prepareNdjsonLine('{"customer_id": ', 'k')).toMatchObject({ kind: 'refused', code: 'invalid_json' });
    expect(prepareNdjsonLine('[1,2]', 'k')).toMatchObject({ kind: 'refused', code: 'not_an_object' });
    expect(prepareNdjsonLine('null', 'k')).toMatchObject({ kind: 'refused', code: 'not_an_object' });
  });
});

describe('CsvEventMapper', () => {
  const mapper = new CsvEventMapper('customer_id,subscription_id,metric_key,value,timestamp,idempotency_key,properties.region');

  it('maps a row to an event, empty cells left out, values kept as strings', () => {
    const prepared = mapper.prepare('cust_a,,api_calls,0.10,2026-03-17T14:00:00Z,evt_1,us-east-1', 'k');
    expect(prepared).toEqual({
      kind: 'event',
      json: '{"customer_id":"cust_a","metric_key":"api_calls","value":"0.10","timestamp":"2026-03-17T14:00:00Z","idempotency_key":"evt_1","properties":{"region":"us-east-1"}}',
    });
    const keyless = mapper.prepare('cust_a,sub_1,api_calls,3,2026-03-17T14:00:00Z,,', 'imp_x_L9');
    expect(keyless.kind === 'event' && JSON.parse(keyless.json)).toEqual({
      customer_id: 'cust_a',
      subscription_id: 'sub_1',
      metric_key: 'api_calls',
      value: '3',
      timestamp: '2026-03-17T14:00:00Z',
      idempotency_key: 'imp_x_L9',
    });
  });

  it('takes a properties column as a JSON object, merged with properties.<name> columns', () => {
    const withJson = new CsvEventMapper('customer_id,metric_key,timestamp,properties,properties.tier');
    const prepared = withJson.prepare('c,m,2026-03-17T14:00:00Z,"{""region"":""eu"",""size"":10.50}",gold', 'k');
    expect(prepared).toEqual({
      kind: 'event',
      json: '{"customer_id":"c","metric_key":"m","timestamp":"2026-03-17T14:00:00Z","idempotency_key":"k","properties":{"tier":"gold","region":"eu","size":10.50}}',
    });
    expect(withJson.prepare('c,m,t,[1],', 'k')).toMatchObject({ kind: 'refused', message: 'the properties column must be a JSON object' });
    expect(withJson.prepare('c,m,t,"{""tier"":1}",gold', 'k')).toMatchObject({ kind: 'refused', code: 'invalid_csv' });
  });

  it('refuses a row with the wrong number of fields or broken quotes, and skips blank rows', () => {
    expect(mapper.prepare('a,b', 'k')).toMatchObject({ kind: 'refused', code: 'invalid_csv', message: '2 fields, the header has 7' });
    expect(mapper.prepare('a,"b,c', 'k')).toMatchObject({ kind: 'refused', code: 'invalid_csv' });
    expect(mapper.prepare('', 'k')).toEqual({ kind: 'blank' });
  });

  it('refuses a header with unknown, missing or repeated columns', () => {
    expect(() => new CsvEventMapper('customer_id,metric_key,timestamp,amount')).toThrow(CsvHeaderError);
    expect(() => new CsvEventMapper('customer_id,metric_key,value')).toThrow('missing column(s) timestamp');
    expect(() => new CsvEventMapper('customer_id,metric_key,timestamp,value,value')).toThrow('column(s) named twice: value');
    expect(() => new CsvEventMapper('\uFEFFcustomer_id,metric_key,timestamp')).not.toThrow();
  });
});

describe('parseCsvRow', () => {
  it('reads RFC 4180 fields: quotes, doubled quotes, commas and newlines inside quotes', () => {
    expect(parseCsvRow('a,"b,c","say ""hi""","x\ny",')).toEqual(['a', 'b,c', 'say "hi"', 'x\ny', '']);
    expect(parseCsvRow('"a"b')).toBeUndefined();
    expect(parseCsvRow('a"b')).toBeUndefined();
  });

  it('tells when a record continues on the next line', () => {
    expect(csvRecordContinues('a,"b')).toBe(true);
    expect(csvRecordContinues('a,"b""c"')).toBe(false);
  });
});
